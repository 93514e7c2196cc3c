"""The two passes over a file (validate: write nothing; apply: write the valid rows in
one transaction), recording a report on its ImportRun, and the same rules for
already-split activity records (the xAPI endpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import ImportRun
from metrics.services.imports.formats import (
    CSV_SOURCE,
    MAX_REPORTED_ERRORS,
    ImportReport,
    InvalidRows,
    Progress,
)
from metrics.services.imports.validation import (
    _Lookups,
    _site_tz,
    _valid_rows,
    parse_activity,
)
from metrics.services.imports.writer import _write


def import_file_validate(
    *, kind: str, source: IO[bytes], progress: Progress | None = None
) -> ImportReport:
    """Check every row, write nothing. Raises FileRejected for a file refused whole."""
    report = ImportReport()
    for _row in _valid_rows(kind, source, report, progress):
        pass
    return report


@transaction.atomic
def import_file_apply(
    *,
    kind: str,
    source: IO[bytes],
    import_run: ImportRun,
    allow_invalid: bool,
    expected_valid: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write the file's valid rows in one transaction, all or nothing.

    With allow_invalid False a single bad row rolls everything back (ValidationError
    carrying the report). expected_valid guards the upload flow: the admin confirmed
    "import N valid rows", so a different N now (data changed meanwhile) writes nothing.
    """
    report = ImportReport()

    def rows() -> Iterator[tuple]:  # each pass reads the file from its start (_records)
        report.restart()
        return _valid_rows(kind, source, report, progress)

    report.rows_inserted = _write(kind, rows, import_run.pk, CSV_SOURCE)
    report.rows_duplicate = report.rows_valid - report.rows_inserted
    if report.rows_invalid and not allow_invalid:
        raise InvalidRows(report)
    if expected_valid is not None and report.rows_valid != expected_valid:
        raise ValidationError(
            f"The file now has {report.rows_valid:,} valid rows, not the {expected_valid:,} "
            "you confirmed (people, pathways or teams changed since it was checked). "
            "Nothing was imported; check the file again."
        )
    return report


def import_run_record(*, import_run: ImportRun, report: ImportReport, status: str) -> None:
    import_run.rows_total = report.rows_total
    import_run.rows_valid = report.rows_valid
    import_run.rows_invalid = report.rows_invalid
    import_run.rows_inserted = report.rows_inserted
    import_run.rows_duplicate = report.rows_duplicate
    import_run.row_errors = report.errors
    # The most frequent unmatched logins (all are counted in rows_total): enough to fix
    # the identity map, never a page-breaking list.
    import_run.unmatched_logins = dict(report.unmatched.most_common(MAX_REPORTED_ERRORS))
    import_run.rows_skipped = dict(report.skipped)
    import_run.status = status
    if status in (ImportRun.Status.DONE, ImportRun.Status.REJECTED, ImportRun.Status.FAILED):
        import_run.finished_at = timezone.now()
    import_run.save()


def activity_rows_parse(*, records: list[list[str]]) -> tuple[list[tuple], list[tuple[int, str]]]:
    """Validate already-split activity records (the xAPI endpoint) with the same rules as
    a CSV row: (valid rows, [(1-based record number, reason)])."""
    lookups = _Lookups.load_activity_for(
        emails=(record[0] for record in records if len(record) == 7),
        slugs=(record[4].strip() for record in records if len(record) == 7),
    )
    site_tz = _site_tz()
    rows: list[tuple] = []
    errors: list[tuple[int, str]] = []
    for number, record in enumerate(records, start=1):
        row = parse_activity(record, lookups, site_tz)
        if isinstance(row, list):
            errors.append((number, "; ".join(row)))
        else:
            rows.append(row)
    return rows, errors


def activity_rows_write(*, rows: list[tuple], source: str) -> int:
    """Write already-parsed activity rows (the xAPI endpoint) with the same dedupe and
    dirty-bucket marking as a file import. Call inside a transaction."""
    if not rows:
        return 0
    return _write(ImportRun.Kind.ACTIVITY, lambda: rows, None, source)
