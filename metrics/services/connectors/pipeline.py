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

from metrics.models import ImportRun, ToolLogin, ToolMilestone, ToolRecord
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
    # A second file of the same tool telling when items reached a milestone (Jira's
    # issue history, GitHub's reviews), recognised by its content.
    is_milestones: Callable[[IO[bytes]], bool] | None = None
    milestones: Callable[[IO[bytes], Progress | None, ZoneInfo], Iterator] | None = None


K, S = ImportRun.Kind, ToolLogin.System
CONNECTORS = {
    K.JIRA: Connector(K.JIRA, "jira", S.JIRA, sources.jira_parse, (".csv",),
                      sources.is_jira_history, sources.jira_history_parse),
    K.GITHUB_PRS: Connector(K.GITHUB_PRS, "github", S.GITHUB, sources.github_prs_parse,
                            (".json", ".ndjson"), sources.is_github_reviews,
                            sources.github_reviews_parse),
    K.COPILOT: Connector(
        K.COPILOT, "copilot", S.GITHUB, sources.copilot_parse, (".ndjson", ".jsonl", ".json")
    ),
    K.ZENDESK: Connector(K.ZENDESK, "zendesk", S.ZENDESK, sources.zendesk_parse, (".json", ".csv")),
    K.FRESHDESK: Connector(K.FRESHDESK, "freshdesk", S.FRESHDESK, sources.freshdesk_parse,
                           (".json",)),
}  # fmt: skip
del K, S


def _record_line(row: tuple) -> str:
    person, occurred_at, hours, flag, count, response_hours, ref, source_id = row
    return (
        f"{person}\t{occurred_at.isoformat()}\t{COPY_NULL if hours is None else repr(hours)}"
        f"\t{COPY_NULL if flag is None else ('t' if flag else 'f')}"
        f"\t{COPY_NULL if count is None else count}"
        f"\t{COPY_NULL if response_hours is None else repr(response_hours)}"
        f"\t{_copy_text(ref)}\t{_copy_text(source_id)}"
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
        ("response_hours", "double precision"),
        ("ref", "varchar(40)"),
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
    reached = _milestones_known(connector)
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
                hours, response = result.hours, None
                if reached:
                    hours, response = _with_milestone(connector.source, result, reached)
                yield (person, occurred_at, hours, result.flag, result.count, response,
                       result.ref, result.source_id)  # fmt: skip
            elif isinstance(result, Refused):
                report.add_error(line, result.reason)
            else:
                report.skipped[result.reason] += 1

    return rows()


def _milestones_known(connector: Connector) -> dict[str, dt.datetime]:
    if connector.milestones is None:
        return {}
    return dict(
        ToolMilestone.objects.filter(source=connector.source).values_list("ref", "reached_at")
    )


def _with_milestone(source: str, item: Item, reached: dict) -> tuple[float | None, float | None]:
    """(hours, response hours) of an item given the milestones known: Jira's cycle time
    starts at the first In Progress when it is known (and not after resolution), a
    pull request's response time runs from its opening to its first review."""
    if source == "jira":
        start = reached.get(item.ref) if item.ref else None
        if start is not None and start <= item.occurred_at:
            return (item.occurred_at - start).total_seconds() / 3600, None
        return item.hours, None
    review = reached.get(item.source_id)
    if review is None:
        return item.hours, None
    opened = item.occurred_at - dt.timedelta(hours=item.hours)
    return item.hours, max((review - opened).total_seconds(), 0) / 3600


def _milestones_read(connector: Connector, source: IO[bytes], report: ImportReport,
                     progress: Progress | None) -> dict[str, dt.datetime]:  # fmt: skip
    """{ref: earliest moment} of a milestones file; the rest counted on the report."""
    earliest: dict[str, dt.datetime] = {}
    source.seek(0)
    for line, result in connector.milestones(source, progress, _site_tz()):
        report.rows_total += 1
        if isinstance(result, sources.Reached):
            report.rows_valid += 1
            known = earliest.get(result.ref)
            if known is None or result.reached_at < known:
                earliest[result.ref] = result.reached_at
        elif isinstance(result, Refused):
            report.add_error(line, result.reason)
        else:
            report.skipped[result.reason] += 1
    return earliest


def _milestones_apply(connector: Connector, earliest: dict[str, dt.datetime],
                      import_run_id: int | None) -> tuple[int, set[dt.date]]:  # fmt: skip
    """Store the milestones earlier than those known, update the hours of the items they
    belong to, and return (milestones stored, weeks whose items changed)."""
    refs = list(earliest)
    known: dict[str, ToolMilestone] = {}
    for start in range(0, len(refs), 5_000):
        for milestone in ToolMilestone.objects.filter(
            source=connector.source, ref__in=refs[start : start + 5_000]
        ):
            known[milestone.ref] = milestone
    fresh, earlier = [], []
    for ref, moment in earliest.items():
        milestone = known.get(ref)
        if milestone is None:
            fresh.append(ToolMilestone(source=connector.source, ref=ref, reached_at=moment,
                                       import_run_id=import_run_id))  # fmt: skip
        elif moment < milestone.reached_at:
            milestone.reached_at = moment
            milestone.import_run_id = import_run_id
            earlier.append(milestone)
    ToolMilestone.objects.bulk_create(fresh, batch_size=2_000)
    ToolMilestone.objects.bulk_update(earlier, ["reached_at", "import_run_id"], batch_size=2_000)
    changed = {m.ref: m.reached_at for m in fresh + earlier}
    weeks: set[dt.date] = set()
    if not changed:
        return 0, weeks
    site_tz = _site_tz()
    key = "ref" if connector.source == "jira" else "source_id"
    refs = list(changed)
    updated = []
    for start in range(0, len(refs), 5_000):
        for record in ToolRecord.objects.filter(
            source=connector.source, **{f"{key}__in": refs[start : start + 5_000]}
        ).only("id", "occurred_at", "hours", "ref", "source_id"):
            item = Item("", record.occurred_at, record.hours, None, None, record.source_id,
                        record.ref)  # fmt: skip
            hours, response = _with_milestone(connector.source, item, changed)
            if connector.source == "jira":
                if hours == record.hours:
                    continue
                record.hours = hours
            else:
                record.response_hours = response
            updated.append(record)
            weeks.add(monday(record.occurred_at, site_tz))
    ToolRecord.objects.bulk_update(updated, ["hours", "response_hours"], batch_size=2_000)
    return len(changed), weeks


def connector_file_validate(
    *, kind: str, source: IO[bytes], progress: Progress | None = None
) -> ImportReport:
    """Check every row, write nothing. Raises FileRejected for a file refused whole."""
    report = ImportReport()
    connector = CONNECTORS[kind]
    if connector.is_milestones and connector.is_milestones(source):
        _milestones_read(connector, source, report, progress)
        return report
    for _row in _rows(connector, source, report, set(), progress):
        pass
    return report


def _check(report: ImportReport, allow_invalid: bool, expected_valid: int | None) -> None:
    if report.rows_invalid and not allow_invalid:
        raise InvalidRows(report)
    if expected_valid is not None and report.rows_valid != expected_valid:
        raise ValidationError(
            f"The file now has {report.rows_valid:,} rows to import, not the "
            f"{expected_valid:,} you confirmed (the identity map changed since it was "
            "checked). Nothing was imported; check the file again."
        )


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
    if connector.is_milestones and connector.is_milestones(source):
        earliest = _milestones_read(connector, source, report, progress)
        _check(report, allow_invalid, expected_valid)
        report.rows_inserted, weeks = _milestones_apply(connector, earliest, import_run.pk)
        report.rows_duplicate = report.rows_valid - report.rows_inserted
        observations_recompute(source=connector.source, weeks=weeks, import_run_id=import_run.pk)
        return report

    def rows() -> Iterator[tuple]:
        report.restart()
        weeks.clear()
        return _rows(connector, source, report, weeks, progress)

    write = _write_postgres if connection.vendor == "postgresql" else _write_batched
    report.rows_inserted = write(TOOL_RECORDS, rows, import_run.pk, connector.source)
    report.rows_duplicate = report.rows_valid - report.rows_inserted
    _check(report, allow_invalid, expected_valid)
    if report.rows_inserted:
        observations_recompute(source=connector.source, weeks=weeks, import_run_id=import_run.pk)
    return report


__all__ = ["CONNECTORS", "Connector", "connector_file_apply", "connector_file_validate", "monday"]
