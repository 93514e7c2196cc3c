"""Writing parsed rows: pick the database's writer, and mark the (team, week) buckets
the rows touch as dirty in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db import connection

from metrics.models import ImportRun, RollupDirtyBucket
from metrics.services.imports.tables import RAW_TABLES, ParsedRows
from metrics.services.imports.validation import _site_tz
from metrics.services.imports.writer_orm import _write_batched
from metrics.services.imports.writer_pg import _write_postgres


def dirty_buckets_mark(*, buckets: Iterable[tuple[int, dt.date]]) -> int:
    """Queue (team, week) buckets for the incremental rollup. Call it inside the
    transaction that writes the raw rows, so the marker commits with them."""
    markers = [RollupDirtyBucket(team_id=team, week_start=week) for team, week in set(buckets)]
    RollupDirtyBucket.objects.bulk_create(markers, batch_size=2_000)
    return len(markers)


def _tracking_buckets(kind: str, rows: Iterable[tuple], touched: set) -> Iterator[tuple]:
    """Pass the rows through, noting the (team, site-time day) of each: cheaper here
    than a second pass over the written rows in SQL (bench/metrics_bench.py)."""
    if kind == ImportRun.Kind.OUTCOMES:
        for row in rows:
            touched.add((row[0], row[2]))  # period_start is already a Monday
            yield row
        return
    site_tz = _site_tz()
    for row in rows:
        moment = row[4]
        if moment.tzinfo is not site_tz:
            moment = moment.astimezone(site_tz)
        touched.add((row[1], moment.date()))
        yield row


def _write(kind: str, rows: ParsedRows, run_id: int | None, source: str) -> int:
    write = _write_postgres if connection.vendor == "postgresql" else _write_batched
    touched: set[tuple[int, dt.date]] = set()

    def tracked() -> Iterator[tuple]:
        touched.clear()  # a writer that reads the rows again sees them again
        return _tracking_buckets(kind, rows(), touched)

    inserted = write(RAW_TABLES[kind], tracked, run_id, source)
    if inserted:
        # Every bucket the file touches, duplicates' too: recomputing a bucket whose
        # rows did not change rewrites the same figures.
        dirty_buckets_mark(
            buckets={(team, day - dt.timedelta(days=day.weekday())) for team, day in touched}
        )
    return inserted
