"""The PostgreSQL writer: COPY straight into the table, else through a staging table
and INSERT ... ON CONFLICT DO NOTHING; then the rows' referents are locked."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from metrics.services.imports.tables import COPY_NULL, ParsedRows, _copy_text, _RawTable


def _referents_lock(cursor, target: _RawTable, referred: list[set]) -> None:
    """What a foreign-key check does per row, once per table: lock the people, pathways
    and steps the rows refer to against deletion until commit. One that vanished since
    the rows were validated fails the import, which then writes nothing."""
    for (model, _position), ids in zip(target.referents, referred, strict=True):
        ids.discard(None)
        if not ids:
            continue
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {model._meta.db_table}"
            " WHERE id = ANY(%s) FOR KEY SHARE) locked",
            [list(ids)],
        )
        if cursor.fetchone()[0] != len(ids):
            raise ValidationError(
                f"Some {model._meta.verbose_name_plural} in this file were deleted while "
                "it was being imported. Nothing was imported; check the file again."
            )


def _write_postgres(target: _RawTable, rows: ParsedRows, run_id: int | None, source: str) -> int:
    """First try COPY straight into the table, in a savepoint: PostgreSQL maintains the
    indexes while Python is still parsing, which makes it the fastest way in
    (bench/metrics_bench.py). A source id already stored (a re-import), twice in the
    file, or committed meanwhile by an overlapping import makes it fail; then the rows
    are read again, COPYed into a staging table and moved with one INSERT ... SELECT
    ... ON CONFLICT DO NOTHING, which skips exactly the ones already there."""
    table, names = target.model._meta.db_table, target.names
    now = timezone.now()
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                into = f"{table} ({names}, source, import_run_id, created_at)"
                run = COPY_NULL if run_id is None else run_id
                tail = f"\t{_copy_text(source)}\t{run}\t{now.isoformat()}\n"
                return _copy(cursor, target, into, rows(), tail)
        except IntegrityError:
            pass
        columns = ", ".join(f"{column} {sql_type}" for column, sql_type in target.columns)
        cursor.execute(f"CREATE TEMP TABLE {target.staging} ({columns}) ON COMMIT DROP")
        _copy(cursor, target, f"{target.staging} ({names})", rows(), "\n")
        cursor.execute(
            f"INSERT INTO {table} ({names}, source, import_run_id, created_at)"
            f" SELECT {names}, %s, %s, %s FROM {target.staging}"
            " ON CONFLICT (source, source_id) DO NOTHING",
            [source, run_id, now],
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {target.staging}")
    return inserted


COPY_CHUNK_LINES = 2_000


def _copy(cursor, target: _RawTable, into: str, rows: Iterable[tuple], tail: str) -> int:
    """COPY `rows` as text lines (each ending in `tail`) into `into`, then lock what they
    refer to. Returns the number of rows copied."""
    referred: list[set] = [set() for _ in target.referents]
    positions = [
        (ids, position) for ids, (_model, position) in zip(referred, target.referents, strict=True)
    ]
    line = target.line
    # Django wraps execute()'s errors in its own classes, not copy()'s: ask it to.
    with connection.wrap_database_errors, cursor.copy(f"COPY {into} FROM STDIN") as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append(line(row))
            for ids, position in positions:
                ids.add(row[position])
            if len(chunk) >= COPY_CHUNK_LINES:
                copy.write(tail.join(chunk) + tail)
                chunk = []
        if chunk:
            copy.write(tail.join(chunk) + tail)
    copied = cursor.rowcount
    _referents_lock(cursor, target, referred)
    return copied
