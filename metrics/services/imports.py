"""The one validating importer behind the CSV commands, the upload page and xAPI.

A file goes through the same parser twice at most:

1. validate: every row is checked; bad rows are reported with their line number and
   reason, nothing is written. A wrong header, a file over MAX_FILE_BYTES or a line over
   MAX_LINE_CHARS rejects the whole file.
2. apply: the file is parsed again (people or pathways may have changed since) and its
   valid rows are written in ONE transaction, deduplicated on (source, source_id). A
   worker killed mid-way rolls the whole file back, and running apply again inserts
   exactly what is missing, so the task is safe to redeliver.

On PostgreSQL valid rows stream through COPY straight into the table, in a savepoint;
if a source id is already there (a re-import, a repeat in the file, an overlapping
import) that fails and the rows are read again through a temporary staging table and
one INSERT ... SELECT ... ON CONFLICT DO NOTHING. On SQLite they go in batched inserts
that ignore conflicts. Both then mark the (team, week) buckets they touched as dirty,
in the same transaction, for the incremental rollup.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from metrics.models import (
    ActivityRecord,
    ImportRun,
    OutcomeMeasure,
    OutcomeObservation,
    RollupDirtyBucket,
)
from pathways.models import Pathway, Step
from upskill.models import Person, Team

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_LINE_CHARS = 10_000
MAX_REPORTED_ERRORS = 1_000  # all bad rows are counted; the first thousand are listed
BATCH_ROWS = 5_000
CSV_SOURCE = "csv"

ACTIVITY_HEADER = ("person_email", "occurred_at", "minutes", "kind", "pathway", "step", "source_id")
OUTCOME_HEADER = ("team", "measure", "period_start", "value", "sample_size", "source_id")
HEADERS = {ImportRun.Kind.ACTIVITY: ACTIVITY_HEADER, ImportRun.Kind.OUTCOMES: OUTCOME_HEADER}
KINDS = frozenset(ActivityRecord.Kind.values)

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

    def restart(self) -> None:
        """Forget a pass over the rows, before the writer reads them again."""
        self.rows_total = self.rows_valid = self.rows_invalid = 0
        self.errors = []

    def add_error(self, line: int, reason: str) -> None:
        self.rows_invalid += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "reason": reason})


# --- Reading ------------------------------------------------------------------------------


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
    if progress:
        progress(total, total)


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


TEMPLATE_EXAMPLES = {
    ImportRun.Kind.ACTIVITY: (
        "ana@example.com", "2025-03-03T10:00:00+00:00", "30", "completed", "ai-basics",
        "prompting-101", "lms-0001",
    ),
    ImportRun.Kind.OUTCOMES: (
        "payments", "cycle_time_days", "2025-03-03", "4.5", "12", "jira-2025-w10",
    ),
}  # fmt: skip


def template_csv(kind: str) -> str:
    """The header a kind of import expects and one example row, as a CSV file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS[kind])
    writer.writerow(TEMPLATE_EXAMPLES[kind])
    return buffer.getvalue()


# --- Parsing rows -------------------------------------------------------------------------


def _site_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def parse_moment(text: str, site_tz: ZoneInfo) -> dt.datetime:
    """ISO 8601 date or datetime; a date means 00:00 in the site time zone, and a
    datetime without an offset is site time too."""
    text = text.strip()
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=site_tz)
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=site_tz)
    return moment


@dataclass
class _Lookups:
    people: dict[str, tuple[int, int] | None]  # email -> (person, team); None = ambiguous
    pathways: dict[str, int]
    steps: dict[tuple[int, str], int]
    teams: dict[str, int]
    measures: dict[str, int]

    @classmethod
    def load(cls, kind: str) -> _Lookups:
        people: dict[str, tuple[int, int] | None] = {}
        pathways: dict[str, int] = {}
        steps: dict[tuple[int, str], int] = {}
        teams: dict[str, int] = {}
        measures: dict[str, int] = {}
        if kind == ImportRun.Kind.ACTIVITY:
            for email, person_id, team_id in Person.objects.values_list(
                "user__email", "id", "team_id"
            ):
                key = (email or "").strip().lower()
                if key:
                    people[key] = None if key in people else (person_id, team_id)
            pathways = dict(Pathway.objects.values_list("slug", "id"))
            steps = {
                (pathway_id, key): step_id
                for pathway_id, key, step_id in Step.objects.values_list("pathway_id", "key", "id")
            }
        else:
            teams = dict(Team.objects.values_list("slug", "id"))
            measures = dict(OutcomeMeasure.objects.values_list("key", "id"))
        return cls(people, pathways, steps, teams, measures)

    @classmethod
    def load_activity_for(cls, *, emails: Iterable[str], slugs: Iterable[str]) -> _Lookups:
        """The activity look-ups narrowed to the people and pathways a few rows name (the
        xAPI endpoint): three queries whatever the size of the organisation."""
        emails = {email.strip().lower() for email in emails}
        people: dict[str, tuple[int, int] | None] = {}
        matches = (
            Person.objects.annotate(email_key=Lower(Trim("user__email")))
            .filter(email_key__in=emails)
            .values_list("email_key", "id", "team_id")
        )
        for key, person_id, team_id in matches:
            people[key] = None if key in people else (person_id, team_id)
        pathways = dict(Pathway.objects.filter(slug__in=set(slugs)).values_list("slug", "id"))
        steps = {
            (pathway_id, key): step_id
            for pathway_id, key, step_id in Step.objects.filter(
                pathway_id__in=pathways.values()
            ).values_list("pathway_id", "key", "id")
        }
        return cls(people, pathways, steps, {}, {})


def _content_id(*parts: object) -> str:
    """Identity of a row without a source_id: its normalised content."""
    return "sha1:" + hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()


def _source_id(text: str, reasons: list[str]) -> str:
    source_id = text.strip()
    if len(source_id) > 200:
        reasons.append("source_id is longer than 200 characters")
    return source_id


def parse_activity(fields: list[str], lookups: _Lookups, site_tz: ZoneInfo):
    """A valid row as (person, team, pathway, step, occurred_at, minutes, kind,
    source_id), or a list of reasons it is not."""
    if len(fields) != 7:
        return [f"expected 7 columns, found {len(fields)}"]
    email, occurred, minutes_text, kind, slug, step_key, source_text = fields
    reasons: list[str] = []
    email = email.strip().lower()
    person = lookups.people.get(email, False)
    if person is False:
        reasons.append(f"unknown person {email!r}" if email else "person_email is empty")
    elif person is None:
        reasons.append(f"{email!r} matches more than one person")
    try:
        occurred_at = parse_moment(occurred, site_tz)
    except ValueError:
        reasons.append(f"occurred_at {occurred.strip()!r} is not an ISO 8601 date or datetime")
        occurred_at = None
    try:
        minutes = int(minutes_text.strip())
    except ValueError:
        reasons.append(f"minutes {minutes_text.strip()!r} is not a whole number")
        minutes = None
    else:
        if not 0 <= minutes <= 1440:
            reasons.append(f"minutes {minutes} is out of range 0-1440")
    kind = kind.strip().lower()
    if kind not in KINDS:
        reasons.append(f"kind {kind!r} is not one of attended, practiced, coached, completed")
    slug, step_key = slug.strip(), step_key.strip()
    pathway_id = step_id = None
    if slug:
        pathway_id = lookups.pathways.get(slug)
        if pathway_id is None:
            reasons.append(f"unknown pathway {slug!r}")
    if step_key:
        if not slug:
            reasons.append(f"step {step_key!r} is given without a pathway")
        elif pathway_id is not None:
            step_id = lookups.steps.get((pathway_id, step_key))
            if step_id is None:
                reasons.append(f"unknown step {step_key!r} in pathway {slug!r}")
    source_id = _source_id(source_text, reasons)
    if reasons:
        return reasons
    if not source_id:
        stamp = occurred_at.astimezone(dt.UTC).isoformat()
        source_id = _content_id(email, stamp, minutes, kind, slug, step_key)
    return (person[0], person[1], pathway_id, step_id, occurred_at, minutes, kind, source_id)


def parse_outcome(fields: list[str], lookups: _Lookups, site_tz: ZoneInfo):
    """A valid row as (team, measure, period_start, value, sample_size, source_id), or a
    list of reasons it is not. period_start becomes the Monday of its ISO week."""
    if len(fields) != 6:
        return [f"expected 6 columns, found {len(fields)}"]
    slug, key, period_text, value_text, sample_text, source_text = (f.strip() for f in fields)
    reasons: list[str] = []
    team_id = lookups.teams.get(slug)
    if team_id is None:
        reasons.append(f"unknown team {slug!r}")
    measure_id = lookups.measures.get(key)
    if measure_id is None:
        known = ", ".join(sorted(lookups.measures))
        reasons.append(f"unknown measure {key!r} (known: {known})")
    try:
        day = dt.date.fromisoformat(period_text[:10]) if len(period_text) >= 10 else None
        if day is None:
            raise ValueError
        if len(period_text) > 10:
            day = parse_moment(period_text, site_tz).astimezone(site_tz).date()
    except ValueError:
        reasons.append(f"period_start {period_text!r} is not an ISO 8601 date")
        day = None
    try:
        value = float(value_text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        reasons.append(f"value {value_text!r} is not a number")
        value = None
    try:
        sample_size = int(sample_text)
        if sample_size < 1:
            reasons.append(f"sample_size {sample_size} must be a positive whole number")
    except ValueError:
        reasons.append(f"sample_size {sample_text!r} is not a whole number")
        sample_size = None
    source_id = _source_id(source_text, reasons)
    if reasons:
        return reasons
    monday = day - dt.timedelta(days=day.weekday())
    if not source_id:
        source_id = _content_id(slug, key, monday, repr(value), sample_size)
    return (team_id, measure_id, monday, value, sample_size, source_id)


def _valid_rows(
    kind: str, source: IO[bytes], report: ImportReport, progress: Progress | None
) -> Iterator[tuple]:
    # Look-ups load now, not on the first next(): on PostgreSQL the rows are consumed
    # inside a COPY, when the connection cannot run another query.
    lookups = _Lookups.load(kind)
    parse = parse_activity if kind == ImportRun.Kind.ACTIVITY else parse_outcome
    site_tz = _site_tz()
    records = _records(kind, source, progress)
    first = next(records, None)  # reads the header now: a rejected file fails here

    def rows() -> Iterator[tuple]:
        for line, fields, problem in itertools.chain([first] if first else [], records):
            report.rows_total += 1
            if fields is None:
                report.add_error(line, problem)
                continue
            row = parse(fields, lookups, site_tz)
            if isinstance(row, list):
                report.add_error(line, "; ".join(row))
            else:
                report.rows_valid += 1
                yield row

    return rows()


def _batches(rows: Iterable[tuple], size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- Writing ------------------------------------------------------------------------------


COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A string as a field of COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(COPY_ESCAPES)
    return value


def _activity_line(row: tuple) -> str:
    """A parsed activity row as a line of COPY text (without its end): formatting it
    here costs half of psycopg's write_row (bench/metrics_bench.py)."""
    person, _team, pathway, step, occurred_at, minutes, kind, source_id = row
    return (
        f"{person}\t{COPY_NULL if pathway is None else pathway}"
        f"\t{COPY_NULL if step is None else step}"
        f"\t{occurred_at.isoformat()}\t{minutes}\t{kind}\t{_copy_text(source_id)}"
    )


def _outcome_line(row: tuple) -> str:
    team, measure, period_start, value, sample_size, source_id = row
    return (
        f"{team}\t{measure}\t{period_start.isoformat()}\t{value!r}\t{sample_size}"
        f"\t{_copy_text(source_id)}"
    )


@dataclass(frozen=True)
class _RawTable:
    """Where one kind of parsed row is written, and how."""

    model: type[Model]
    staging: str
    columns: tuple[tuple[str, str], ...]  # (column, SQL type) written from a row
    values: Callable[[tuple], tuple]  # a parsed row -> its values for `columns`
    line: Callable[[tuple], str]  # the same as a line of COPY text
    # (model, position in the parsed row): rows the database does not check foreign
    # keys for (ActivityRecord), locked by _referents_lock instead.
    referents: tuple[tuple[type[Model], int], ...] = ()

    @property
    def names(self) -> str:
        return ", ".join(column for column, _type in self.columns)


RAW_TABLES = {
    ImportRun.Kind.ACTIVITY: _RawTable(
        model=ActivityRecord,
        staging="metrics_activity_staging",
        columns=(
            ("person_id", "bigint"),
            ("pathway_id", "bigint"),
            ("step_id", "bigint"),
            ("occurred_at", "timestamptz"),
            ("minutes", "smallint"),
            ("kind", "varchar(16)"),
            ("source_id", "varchar(200)"),
        ),
        values=lambda row: (row[0], *row[2:]),  # all but the team
        line=_activity_line,
        referents=((Person, 0), (Pathway, 2), (Step, 3)),
    ),
    ImportRun.Kind.OUTCOMES: _RawTable(
        model=OutcomeObservation,
        staging="metrics_outcome_staging",
        columns=(
            ("team_id", "bigint"),
            ("measure_id", "bigint"),
            ("period_start", "date"),
            ("value", "double precision"),
            ("sample_size", "integer"),
            ("source_id", "varchar(200)"),
        ),
        values=lambda row: row,
        line=_outcome_line,
    ),
}


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


Rows = Callable[[], Iterable[tuple]]  # each call reads the rows from the start


def _write_postgres(target: _RawTable, rows: Rows, run_id: int | None, source: str) -> int:
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


def _write_batched(target: _RawTable, rows: Rows, run_id: int | None, source: str) -> int:
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


def _write(kind: str, rows: Rows, run_id: int | None, source: str) -> int:
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


# --- The two passes -----------------------------------------------------------------------


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


class InvalidRows(ValidationError):
    """Bad rows in a file applied without permission to skip them; nothing was written."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(
            f"{report.rows_invalid:,} of {report.rows_total:,} rows are invalid; nothing was "
            "imported. Fix them, or import only the valid rows."
        )


def import_run_record(*, import_run: ImportRun, report: ImportReport, status: str) -> None:
    import_run.rows_total = report.rows_total
    import_run.rows_valid = report.rows_valid
    import_run.rows_invalid = report.rows_invalid
    import_run.rows_inserted = report.rows_inserted
    import_run.rows_duplicate = report.rows_duplicate
    import_run.row_errors = report.errors
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
