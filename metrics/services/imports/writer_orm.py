"""The SQLite writer: batched inserts through the ORM that skip stored source ids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Model

from metrics.services.imports.formats import BATCH_ROWS
from metrics.services.imports.tables import ParsedRows, _RawTable


def _batches(rows: Iterable[tuple], size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_batched(target: _RawTable, rows: ParsedRows, run_id: int | None, source: str) -> int:
    """SQLite: batched inserts, skipping source ids already stored or already seen."""
    fields = [column for column, _type in target.columns]
    model = target.model
    inserted = 0
    for batch in _batches(target.values(row) for row in rows()):
        existing = set(
            model.objects.filter(
                source=source, source_id__in=[row[-1] for row in batch]
            ).values_list("source_id", flat=True)
        )
        fresh: dict[str, Model] = {}
        for staged in batch:
            source_id = staged[-1]
            if source_id not in existing and source_id not in fresh:
                fresh[source_id] = model(
                    **dict(zip(fields, staged, strict=True)), source=source, import_run_id=run_id
                )
        model.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        inserted += len(fresh)
    return inserted
