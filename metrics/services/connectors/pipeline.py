"""A tool export through the importer's rules: every row checked and bad ones
reported by line number, all or nothing, idempotent by (source, source_id), progress
reported; then the weekly figures of the weeks it touched recomputed."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from metrics.models import ImportRun, ToolLogin, ToolRecord
from metrics.services.connectors import sources
from metrics.services.connectors.figures import monday, observations_recompute
from metrics.services.connectors.identity import LoginMap
from metrics.services.connectors.reading import Item, Parsed, Refused
from metrics.services.imports.formats import ImportReport, InvalidRows, Progress
from metrics.services.imports.tables import COPY_NULL, _copy_text, _RawTable
from metrics.services.imports.validation import _site_tz
from metrics.services.imports.writer_orm import _write_batched
from metrics.services.imports.writer_pg import _write_postgres
from upskill.models import Person


@dataclass(frozen=True)
class Connector:
    kind: str
    source: str  # ToolRecord.source and OutcomeObservation.source
    system: str  # whose logins identify people (ToolLogin.system)
    parse: Callable[[IO[bytes], Progress | None, ZoneInfo], Parsed]
    suffixes: tuple[str, ...]


K, S = ImportRun.Kind, ToolLogin.System
CONNECTORS = {
    K.JIRA: Connector(K.JIRA, "jira", S.JIRA, sources.jira_parse, (".csv",)),
    K.GITHUB_PRS: Connector(
        K.GITHUB_PRS, "github", S.GITHUB, sources.github_prs_parse, (".json", ".ndjson")
    ),
    K.COPILOT: Connector(
        K.COPILOT, "copilot", S.GITHUB, sources.copilot_parse, (".ndjson", ".jsonl", ".json")
    ),
    K.ZENDESK: Connector(K.ZENDESK, "zendesk", S.ZENDESK, sources.zendesk_parse, (".json", ".csv")),
    K.FRESHDESK: Connector(K.FRESHDESK, "freshdesk", S.FRESHDESK, sources.freshdesk_parse,
                           (".json",)),
}  # fmt: skip
del K, S


def _record_line(row: tuple) -> str:
    person, occurred_at, hours, flag, count, source_id = row
    return (
        f"{person}\t{occurred_at.isoformat()}\t{COPY_NULL if hours is None else repr(hours)}"
        f"\t{COPY_NULL if flag is None else ('t' if flag else 'f')}"
        f"\t{COPY_NULL if count is None else count}\t{_copy_text(source_id)}"
    )


TOOL_RECORDS = _RawTable(
    model=ToolRecord,
    staging="metrics_tool_record_staging",
    columns=(
        ("person_id", "bigint"),
        ("occurred_at", "timestamptz"),
        ("hours", "double precision"),
        ("flag", "boolean"),
        ("count", "integer"),
        ("source_id", "varchar(200)"),
    ),
    values=lambda row: row,
    line=_record_line,
    referents=((Person, 0),),
)


def _rows(connector: Connector, source: IO[bytes], report: ImportReport, weeks: set,
          progress: Progress | None) -> Iterator[tuple]:  # fmt: skip
    """The file's attributable items as ToolRecord rows; everything else is counted on
    the report (refused with its line, left out by reason, or unmatched by login)."""
    site_tz = _site_tz()
    logins = LoginMap.load(connector.system)  # now, not inside a COPY
    source.seek(0)
    parsed = connector.parse(source, progress, site_tz)

    def rows() -> Iterator[tuple]:
        for line, result in parsed:
            report.rows_total += 1
            if type(result) is Item:
                occurred_at = result.occurred_at
                day = occurred_at.astimezone(site_tz).date()
                person = logins.person(result.login, day)
                if person is None:
                    report.unmatched[result.login] += 1
                    continue
                report.rows_valid += 1
                weeks.add(day - dt.timedelta(days=day.weekday()))
                yield (person, occurred_at, result.hours, result.flag, result.count,
                       result.source_id)  # fmt: skip
            elif isinstance(result, Refused):
                report.add_error(line, result.reason)
            else:
                report.skipped[result.reason] += 1

    return rows()


def connector_file_validate(
    *, kind: str, source: IO[bytes], progress: Progress | None = None
) -> ImportReport:
    """Check every row, write nothing. Raises FileRejected for a file refused whole."""
    report = ImportReport()
    for _row in _rows(CONNECTORS[kind], source, report, set(), progress):
        pass
    return report


@transaction.atomic
def connector_file_apply(
    *,
    kind: str,
    source: IO[bytes],
    import_run: ImportRun,
    allow_invalid: bool,
    expected_valid: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write the file's items and recompute the weeks they fall in, in one transaction;
    the same rules as the importer's apply (metrics.services.imports.passes)."""
    connector = CONNECTORS[kind]
    if connection.vendor == "postgresql":
        # Two imports of one source at once would both rewrite a week's observations:
        # the second waits for the first, then counts its items too.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(connector.source.encode())]
            )
    report = ImportReport()
    weeks: set[dt.date] = set()

    def rows() -> Iterator[tuple]:
        report.restart()
        weeks.clear()
        return _rows(connector, source, report, weeks, progress)

    write = _write_postgres if connection.vendor == "postgresql" else _write_batched
    report.rows_inserted = write(TOOL_RECORDS, rows, import_run.pk, connector.source)
    report.rows_duplicate = report.rows_valid - report.rows_inserted
    if report.rows_invalid and not allow_invalid:
        raise InvalidRows(report)
    if expected_valid is not None and report.rows_valid != expected_valid:
        raise ValidationError(
            f"The file now has {report.rows_valid:,} rows to import, not the "
            f"{expected_valid:,} you confirmed (the identity map changed since it was "
            "checked). Nothing was imported; check the file again."
        )
    if report.rows_inserted:
        observations_recompute(source=connector.source, weeks=weeks, import_run_id=import_run.pk)
    return report


__all__ = ["CONNECTORS", "Connector", "connector_file_apply", "connector_file_validate", "monday"]
