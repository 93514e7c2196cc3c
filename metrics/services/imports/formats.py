"""What an import file must look like, the report on it, and reading its lines: the
headers, the size and line limits, the file refused whole (FileRejected) and the rows
refused (InvalidRows)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError

from metrics.models import ImportRun
from metrics.services.imports.columns import ACTIVITY_COLUMNS, OUTCOME_COLUMNS, header_of

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_LINE_CHARS = 10_000
MAX_REPORTED_ERRORS = 1_000  # all bad rows are counted; the first thousand are listed
BATCH_ROWS = 5_000
CSV_SOURCE = "csv"

COLUMNS = {ImportRun.Kind.ACTIVITY: ACTIVITY_COLUMNS, ImportRun.Kind.OUTCOMES: OUTCOME_COLUMNS}
ACTIVITY_HEADER = header_of(ACTIVITY_COLUMNS)
OUTCOME_HEADER = header_of(OUTCOME_COLUMNS)
HEADERS = {kind: header_of(columns) for kind, columns in COLUMNS.items()}
KINDS = frozenset(next(c for c in ACTIVITY_COLUMNS if c.name == "kind").allowed)

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class FileRejected(ValidationError):
    """The whole file is refused (size, header, a line too long): no row is looked at."""


@dataclass
class ImportReport:
    rows_total: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    rows_inserted: int = 0
    rows_duplicate: int = 0
    errors: list[dict] = field(default_factory=list)
    # Tool exports only: rows per login no identity-map row matched, and rows left out
    # without being wrong, per reason (an unresolved issue, an open pull request).
    unmatched: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def restart(self) -> None:
        """Forget a pass over the rows, before the writer reads them again."""
        self.rows_total = self.rows_valid = self.rows_invalid = 0
        self.errors = []
        self.unmatched = Counter()
        self.skipped = Counter()

    def add_error(self, line: int, reason: str) -> None:
        self.rows_invalid += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "reason": reason})


class InvalidRows(ValidationError):
    """Bad rows in a file applied without permission to skip them; nothing was written."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(
            f"{report.rows_invalid:,} of {report.rows_total:,} rows are invalid; nothing was "
            "imported. Fix them, or import only the valid rows."
        )


def _file_size(source: IO[bytes]) -> int:
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FileRejected(
            f"The file is {size / 1024 / 1024:.0f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files and import each."
        )


class _Lines:
    """Decoded lines of a binary file, remembering which were not UTF-8 and how far the
    reading got. A line longer than MAX_LINE_CHARS rejects the file."""

    def __init__(self, source: IO[bytes], total: int, progress: Progress | None):
        self.source, self.total, self.progress = source, total, progress
        self.bad_utf8: set[int] = set()
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        every = 1 << 20
        next_report = every
        for number, raw in enumerate(self.source, start=1):
            self.bytes_read += len(raw)
            if len(raw) > MAX_LINE_CHARS and len(raw.rstrip(b"\r\n")) > MAX_LINE_CHARS:
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                if len(text) > MAX_LINE_CHARS:
                    raise FileRejected(
                        f"Line {number} is {len(text):,} characters long; lines may be at most "
                        f"{MAX_LINE_CHARS:,}. Is this the right file?"
                    )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_utf8.add(number)
                text = raw.decode("utf-8", "replace")
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if self.progress and self.bytes_read >= next_report:
                self.progress(self.bytes_read, self.total)
                next_report = self.bytes_read + every
            yield text


def header_mismatch_message(kind: str, header: list[str]) -> str:
    """What the wrong header row was, what this kind of import expects, and, when the row
    is another kind's header, which kind."""
    labels = dict(ImportRun.Kind.choices)
    seen = [name.strip().lower() for name in header]
    found = ",".join(header)[:200] if any(seen) else "an empty first line"
    message = (
        f"Wrong header for an {labels[kind].lower()} import: found {found!r}; "
        f"an {labels[kind].lower()} file starts with exactly {','.join(HEADERS[kind])!r} "
        "(UTF-8, comma separated)."
    )
    other = [k for k, expected in HEADERS.items() if k != kind and seen == list(expected)]
    if other:
        return (
            message + f" That is the header of an {labels[other[0]].lower()} file: choose "
            f"“{labels[other[0]]}” as the kind, or upload the {labels[kind].lower()} file."
        )
    others = "; ".join(
        f"{labels[k].lower()}: {','.join(expected)!r}"
        for k, expected in HEADERS.items()
        if k != kind
    )
    return message + f" Other kinds expect {others}. A template for each is on the upload page."


def template_csv(kind: str) -> str:
    """The header a kind of import expects and one example row (each column's example,
    as the column rules show it), as a CSV file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS[kind])
    writer.writerow(column.example for column in COLUMNS[kind])
    return buffer.getvalue()


def records_after_header(reader, lines: _Lines) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line, fields, "") per CSV record after the header, skipping blank lines, or
    (line, None, reason) for one that cannot be read or is not UTF-8. Shared with the
    tool connectors' CSV reader."""
    previous = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield reader.line_num, None, f"not readable as CSV ({exc})"
            previous = reader.line_num
            continue
        line = reader.line_num
        if lines.bad_utf8 and any(n in lines.bad_utf8 for n in range(previous + 1, line + 1)):
            yield line, None, "contains bytes that are not UTF-8; save the file as UTF-8"
        elif fields or line - previous > 1:
            yield line, fields, ""
        previous = line


def _records(
    kind: str, source: IO[bytes], progress: Progress | None
) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number, fields, "") per record after the header, or (line, None, reason)
    for a line that cannot be read. Raises FileRejected for a wrong header."""
    total = _file_size(source)
    check_file_size(total)
    source.seek(0)
    lines = _Lines(source, total, progress)
    reader = csv.reader(iter(lines), strict=True)
    expected = HEADERS[kind]
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected(
            f"The file is empty. Expected a header row: {','.join(expected)}"
        ) from None
    except csv.Error as exc:
        raise FileRejected(f"The header row cannot be read as CSV ({exc}).") from None
    if [name.strip().lower() for name in header] != list(expected):
        raise FileRejected(header_mismatch_message(kind, header))
    yield from records_after_header(reader, lines)
    if progress:
        progress(total, total)
