"""Reading tool exports with the line number of every item: CSV files whose columns are
found by name (tool exports add, reorder and repeat columns), and JSON as the tools
write it — an array, several arrays one after another (`gh api --paginate`), one
object per line (NDJSON), or an object wrapping the array (Zendesk's API pages)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, NamedTuple
from zoneinfo import ZoneInfo

from metrics.services.imports.formats import (
    FileRejected,
    Progress,
    _file_size,
    _Lines,
    check_file_size,
    records_after_header,
)


@dataclass(frozen=True)
class Refused:
    """A row that is wrong: reported with its line number, never written."""

    reason: str


@dataclass(frozen=True)
class Skipped:
    """A row that is right but not counted (an unresolved issue): counted per reason."""

    reason: str


class Item(NamedTuple):
    """One item of work, before its login is looked up in the identity map (a named
    tuple: a million of them are made per large file, and a tuple is cheapest)."""

    login: str
    occurred_at: dt.datetime
    hours: float | None
    flag: bool | None
    count: int | None
    source_id: str
    ref: str = ""  # the Jira issue id, which the issue-history file refers to


Parsed = Iterator[tuple[int, Item | Refused | Skipped]]


def csv_rows(
    source: IO[bytes], progress: Progress | None, *, layouts: Sequence[dict[str, str]], tool: str
) -> Iterator[tuple[int, dict[str, str] | None, str]]:
    """(line, {field: text}, "") per record after the header, or (line, None, reason).

    `layouts` maps our field names to the column names of each export layout the tool
    writes; the first layout whose columns are all in the header is used. A column
    repeated in the header (Jira repeats multi-value fields) is read from its first
    occurrence. No matching layout rejects the file, naming the columns it needs."""
    total = _file_size(source)
    check_file_size(total)
    source.seek(0)
    lines = _Lines(source, total, progress)
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise FileRejected(f"The file is empty: expected a {tool} export.") from None
    except csv.Error as exc:
        raise FileRejected(f"The header row cannot be read as CSV ({exc}).") from None
    first: dict[str, int] = {}
    for position, name in enumerate(header):
        first.setdefault(name, position)
    layout = next((lay for lay in layouts if all(c in first for c in lay.values())), None)
    if layout is None:
        wanted = " or ".join(", ".join(repr(c) for c in lay.values()) for lay in layouts)
        raise FileRejected(
            f"This is not a {tool} export this connector reads: its header needs the "
            f"columns {wanted}. Found {','.join(header)[:200]!r}."
        )
    positions = {name: first[column] for name, column in layout.items()}
    width = len(header)
    for line, fields, problem in records_after_header(reader, lines):
        if fields is None:
            yield line, None, problem
        elif len(fields) != width:
            yield line, None, f"expected {width} columns as in the header, found {len(fields)}"
        else:
            yield line, {name: fields[p].strip() for name, p in positions.items()}, ""
    if progress:
        progress(total, total)


_SPACE = re.compile(r"[ \t\r\n]*")


def json_items(
    source: IO[bytes], progress: Progress | None, *, wrapper: str | None = None, tool: str
) -> Iterator[tuple[int, dict | None, str]]:
    """(line where the item starts, item, "") per JSON object, or (line, None, reason).

    A syntax error inside an array rejects the file (where the next item starts cannot
    be known); in one-object-per-line files it refuses that line and reads on."""
    total = _file_size(source)
    check_file_size(total)
    source.seek(0)
    raw = source.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FileRejected(
            f"Line {line} contains bytes that are not UTF-8; save the file as UTF-8."
        ) from None
    del raw
    if text.startswith("\ufeff"):
        text = text[1:]
    decoder = json.JSONDecoder()
    end_of_text = len(text)
    counted = [0, 1]  # (position, line) counted so far: line numbers in one pass

    def line_at(position: int) -> int:
        counted[1] += text.count("\n", counted[0], position)
        counted[0] = position
        return counted[1]

    def skip(position: int) -> int:
        return _SPACE.match(text, position).end()

    def element(position: int) -> tuple[object, int]:
        try:
            return decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise FileRejected(
                f"Line {exc.lineno}: not valid JSON ({exc.msg}); nothing was imported."
            ) from None

    def array(position: int) -> Iterator[tuple[int, dict | None, str]]:
        """The items of the array opening at `position`; leaves counted at its end."""
        position = skip(position + 1)
        if text.startswith("]", position):
            counted_end[0] = position + 1
            return
        while True:
            value, end = element(position)
            yield from one(position, value)
            position = skip(end)
            if text.startswith(",", position):
                position = skip(position + 1)
            elif text.startswith("]", position):
                counted_end[0] = position + 1
                return
            else:
                raise FileRejected(
                    f"Line {line_at(position)}: expected ',' or ']' in the JSON array."
                )

    def one(position: int, value: object) -> Iterator[tuple[int, dict | None, str]]:
        line = line_at(position)
        if isinstance(value, dict):
            yield line, value, ""
        else:
            yield line, None, f"expected a JSON object, found {type(value).__name__}"
        if progress and position - reported[0] > 1 << 20:
            reported[0] = position
            progress(min(total, position), total)

    counted_end = [0]
    reported = [0]
    position = skip(0)
    if position >= end_of_text:
        raise FileRejected(f"The file is empty: expected a {tool} export.")
    while position < end_of_text:
        opener = text[position]
        if opener == "[":
            yield from array(position)
            position = skip(counted_end[0])
        elif opener == "{":
            # One object per line (NDJSON) is decoded from its line alone, so a broken
            # line cannot swallow the next; else it is an object over several lines.
            newline = text.find("\n", position)
            line_end = end_of_text if newline < 0 else newline
            try:
                value, end = decoder.raw_decode(text[position:line_end])
                end += position
            except json.JSONDecodeError:
                try:
                    value, end = decoder.raw_decode(text, position)
                except json.JSONDecodeError as exc:
                    yield line_at(position), None, f"not valid JSON ({exc.msg})"
                    position = end_of_text if newline < 0 else skip(newline + 1)
                    continue
            inner = value.get(wrapper) if wrapper and isinstance(value, dict) else None
            if isinstance(inner, list):
                opening = re.compile(rf'"{re.escape(wrapper)}"\s*:\s*\[').search(
                    text, position, end
                )
                yield from array(opening.end() - 1)
            else:
                yield from one(position, value)
            position = skip(end)
        else:
            raise FileRejected(
                f"Line {line_at(position)}: expected a JSON array or object — is this the "
                f"{tool} export?"
            )
    if progress:
        progress(total, total)


_JIRA_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_JIRA_DATE = re.compile(
    r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])?$"
)


_DAYS: dict[str, tuple[int, int, int] | None] = {}
_TIMES: dict[str, tuple[int, int] | None] = {}


def _jira_fast(text: str, site_tz: ZoneInfo) -> dt.datetime | None:
    """Jira's "05/Mar/25 2:14 PM" with the day and the time of day each parsed once
    and remembered (a year has 365 days and 1,440 minutes; a big export has millions
    of timestamps). None when the text has another shape."""
    parts = text.split(" ")
    if len(parts) != 3:
        return None
    day_text, time_text, half = parts
    day = _DAYS.get(day_text, False)
    if day is False:
        match = _JIRA_DATE.match(f"{day_text} 12:00 PM")
        month = _JIRA_MONTHS.get(match.group(2).lower()) if match else None
        day = None
        if month:
            year = int(match.group(3)) + (2000 if len(match.group(3)) == 2 else 0)
            try:
                dt.date(year, month, int(match.group(1)))
                day = (year, month, int(match.group(1)))
            except ValueError:
                day = None
        if len(_DAYS) < 100_000:
            _DAYS[day_text] = day
    clock_key = f"{time_text} {half}"
    clock = _TIMES.get(clock_key, False)
    if clock is False:
        match = _JIRA_DATE.match(f"01/Jan/25 {clock_key}")
        clock = None
        if match and match.group(6) is None and match.group(7):
            hour = int(match.group(4))
            if 1 <= hour <= 12 and int(match.group(5)) < 60:
                clock = (hour % 12 + (12 if match.group(7).lower() == "pm" else 0),
                         int(match.group(5)))  # fmt: skip
        if len(_TIMES) < 100_000:
            _TIMES[clock_key] = clock
    if day is None or clock is None:
        return None
    return dt.datetime(day[0], day[1], day[2], clock[0], clock[1], tzinfo=site_tz)


def parse_timestamp(text: str, site_tz: ZoneInfo) -> dt.datetime:
    """ISO 8601 (the APIs, Jira's data pipeline) or Jira's CSV default "dd/MMM/yy h:mm
    a" ("05/Mar/25 2:14 PM"). Without an offset it is site time, as Jira writes the
    exporting user's time. Raises ValueError."""
    text = text.strip()
    fast = _jira_fast(text, site_tz)
    if fast is not None:
        return fast
    match = _JIRA_DATE.match(text)
    if match:
        day, month, year, hour, minute, second, half = match.groups()
        month_number = _JIRA_MONTHS.get(month.lower())
        if month_number is None:
            raise ValueError(text)
        hour_number = int(hour)
        if half:
            if not 1 <= hour_number <= 12:
                raise ValueError(text)
            hour_number = hour_number % 12 + (12 if half.lower() == "pm" else 0)
        year_number = int(year) + (2000 if len(year) == 2 else 0)
        return dt.datetime(
            year_number, month_number, int(day), hour_number, int(minute), int(second or 0),
            tzinfo=site_tz,
        )  # fmt: skip
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=site_tz)
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=site_tz)
