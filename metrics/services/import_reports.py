"""What the upload pages show about imports besides a run's counts (reads only): each
kind's column rules, taken from the definitions the parsers check rows against, and a
refused file's bad rows as a CSV, read back from the stored file with the importer's
own readers (so its line numbers are the report's).

The bad-rows file holds the rows exactly as uploaded: it is the admin's own file handed
back to be fixed and uploaded again, so no cell is altered (a leading ' against
spreadsheet formulas, as the dashboard export adds, would change the values to fix)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from metrics.models import ImportRun
from metrics.services.connectors import sources
from metrics.services.connectors.identity import LOGIN_COLUMNS, login_records
from metrics.services.connectors.reading import json_items
from metrics.services.imports.columns import Column
from metrics.services.imports.formats import (
    COLUMNS,
    FileRejected,
    _file_size,
    _Lines,
    records_after_header,
)

K = ImportRun.Kind


@dataclass(frozen=True)
class FileFormat:
    """One file an import kind reads: its columns (or JSON fields) and a note on what
    else it takes (other names for the columns, where in the JSON the items are)."""

    title: str
    columns: tuple[Column, ...]
    note: str = ""
    # The header row must be exactly the columns' names, in order (our own formats);
    # a tool export's columns are found by name instead.
    exact_header: bool = False

    @property
    def header(self) -> str:
        return ",".join(column.name for column in self.columns)


@dataclass(frozen=True)
class ImportFormat:
    kind: str
    label: str
    files: tuple[FileFormat, ...]
    # The file beside the rules: "template" (header and an example row, for the CSV
    # kinds) or "sample" (a tool export made from this organisation's people).
    download: str


def _other_names(columns: dict[str, Column], layout: dict[str, str]) -> str:
    return ", ".join(layout[field] for field in columns if field in layout)


_ANY_COLUMNS = "Columns are found by name: others may be there too, in any order."
FORMATS = (
    ImportFormat(K.ACTIVITY, K.ACTIVITY.label,
                 (FileFormat("", COLUMNS[K.ACTIVITY], exact_header=True),), "template"),
    ImportFormat(K.OUTCOMES, K.OUTCOMES.label,
                 (FileFormat("", COLUMNS[K.OUTCOMES], exact_header=True),), "template"),
    ImportFormat(K.JIRA, K.JIRA.label, (
        FileFormat("Issues (CSV)", tuple(sources.JIRA_COLUMNS.values()),
                   f"{_ANY_COLUMNS} The Data Center data-pipeline issues file names them "
                   f"{_other_names(sources.JIRA_COLUMNS, sources.JIRA_LAYOUTS[1])}."),
        FileFormat("Issue history (CSV, optional, uploaded as Jira issues too)",
                   tuple(sources.JIRA_HISTORY_COLUMNS.values()), _ANY_COLUMNS),
    ), "sample"),
    ImportFormat(K.GITHUB_PRS, K.GITHUB_PRS.label, (
        FileFormat("Pull requests (JSON)", tuple(sources.GITHUB_PR_COLUMNS.values()),
                   "One object per pull request, in an array (several arrays one after "
                   "another are fine) or one per line; a.b is field b inside object a."),
        FileFormat("Reviews (JSON, optional, uploaded as GitHub pull requests too)",
                   tuple(sources.GITHUB_REVIEW_COLUMNS.values())),
    ), "sample"),
    ImportFormat(K.COPILOT, K.COPILOT.label, (
        FileFormat("Per-user daily usage (NDJSON)", tuple(sources.COPILOT_COLUMNS.values()),
                   "One object per user per day."),
    ), "sample"),
    ImportFormat(K.ZENDESK, K.ZENDESK.label, (
        FileFormat("Satisfaction ratings (JSON or CSV)", tuple(sources.ZENDESK_COLUMNS.values()),
                   "The API's pages ({\"satisfaction_ratings\": […]}), an array, or a CSV "
                   "with these columns."),
    ), "sample"),
    ImportFormat(K.FRESHDESK, K.FRESHDESK.label, (
        FileFormat("Satisfaction ratings (JSON)", tuple(sources.FRESHDESK_COLUMNS.values()),
                   "An array of ratings, as the API returns them."),
    ), "sample"),
)  # fmt: skip
IDENTITY_MAP_FORMAT = ImportFormat(
    K.IDENTITY_MAP,
    K.IDENTITY_MAP.label,
    (
        FileFormat(
            "", LOGIN_COLUMNS, "valid_from may be left out of the header.", exact_header=True
        ),
    ),
    "sample",
)


# --- The bad rows ---------------------------------------------------------------------


def _is_json(source: IO[bytes]) -> bool:
    head = source.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    source.seek(0)
    return head[:1] in (b"[", b"{")


def _csv_records(source: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str] | None]]]:
    """The header and (line, fields) per record, read as the importer and the tool
    connectors read a CSV (a line that cannot be read has no fields)."""
    lines = _Lines(source, _file_size(source), None)
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header = []

    def records():
        for line, fields, _problem in records_after_header(reader, lines):
            yield line, fields

    return header, records()


def _json_records(source: IO[bytes], kind: str):
    wrapper = "satisfaction_ratings" if kind == K.ZENDESK else None

    def records():
        for line, item, _problem in json_items(source, None, wrapper=wrapper, tool=kind):
            record = json.dumps(item, ensure_ascii=False) if item is not None else None
            yield line, None if record is None else [record]

    return ["record"], records()


def bad_rows(import_run: ImportRun, source: IO[bytes]) -> Iterator[list[str]]:
    """The CSV rows of a run's bad-rows file: a header (`line`, the file's own columns,
    `error`), then each reported bad row — its line number, its fields as uploaded
    (a JSON export's item as one `record`), and why it was refused. Reads the file only
    as far as the last bad line. A line that could not be read at all (not UTF-8, broken
    quoting) has its fields empty."""
    reasons: dict[int, list[str]] = {}
    for error in import_run.row_errors:
        reasons.setdefault(int(error["line"]), []).append(str(error["reason"]))
    if import_run.kind == K.IDENTITY_MAP:
        header, records = login_records(source)
    elif import_run.kind in (K.ACTIVITY, K.OUTCOMES, K.JIRA) or not _is_json(source):
        header, records = _csv_records(source)
    else:
        header, records = _json_records(source, import_run.kind)
    found: dict[int, list[str] | None] = {}
    last = max(reasons, default=0)
    try:
        for line, fields in records:
            if line in reasons:
                found[line] = fields
            if line >= last:
                break
    except FileRejected:
        pass  # a file changed on disk since its report: its rows up to here, the reasons
    width = max([len(header), *(len(f) for f in found.values() if f)])
    extra = [f"column {n}" for n in range(len(header) + 1, width + 1)]
    yield ["line", *header, *extra, "error"]
    for line, why in sorted(reasons.items()):
        fields = found.get(line) or []
        yield [str(line), *fields, *[""] * (width - len(fields)), "; ".join(why)]


def bad_rows_csv(import_run: ImportRun, source: IO[bytes]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(bad_rows(import_run, source))
    return buffer.getvalue()
