"""Parsing and checking rows: the look-ups rows are checked against, one parser per
kind, and the stream of valid rows that counts every bad one on the report."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import Lower, Trim

from metrics.models import ImportRun, OutcomeMeasure
from metrics.services.imports.columns import (
    ACTIVITY_COLUMNS,
    MINUTES_MAX,
    MINUTES_MIN,
    OUTCOME_COLUMNS,
    SOURCE_ID_MAX,
    not_allowed,
)
from metrics.services.imports.formats import KINDS, ImportReport, Progress, _records
from pathways.models import Pathway, Step
from upskill.models import Person, Team


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
    if len(source_id) > SOURCE_ID_MAX:
        reasons.append(f"source_id is longer than {SOURCE_ID_MAX} characters")
    return source_id


_KIND = next(column for column in ACTIVITY_COLUMNS if column.name == "kind")


def parse_activity(fields: list[str], lookups: _Lookups, site_tz: ZoneInfo):
    """A valid row as (person, team, pathway, step, occurred_at, minutes, kind,
    source_id), or a list of reasons it is not. The rules are ACTIVITY_COLUMNS'."""
    if len(fields) != len(ACTIVITY_COLUMNS):
        return [f"expected {len(ACTIVITY_COLUMNS)} columns, found {len(fields)}"]
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
        reasons.append(
            f"occurred_at {occurred.strip()!r} is not an ISO 8601 date or datetime"
            if occurred.strip()
            else "occurred_at is empty"
        )
        occurred_at = None
    try:
        minutes = int(minutes_text.strip())
    except ValueError:
        reasons.append(
            f"minutes {minutes_text.strip()!r} is not a whole number"
            if minutes_text.strip()
            else "minutes is empty"
        )
        minutes = None
    else:
        if not MINUTES_MIN <= minutes <= MINUTES_MAX:
            reasons.append(f"minutes {minutes} is out of range {MINUTES_MIN}-{MINUTES_MAX}")
    kind = kind.strip().lower()
    if kind not in KINDS:
        reasons.append(not_allowed(_KIND, kind) if kind else "kind is empty")
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
    list of reasons it is not. period_start becomes the Monday of its ISO week. The
    rules are OUTCOME_COLUMNS'."""
    if len(fields) != len(OUTCOME_COLUMNS):
        return [f"expected {len(OUTCOME_COLUMNS)} columns, found {len(fields)}"]
    slug, key, period_text, value_text, sample_text, source_text = (f.strip() for f in fields)
    reasons: list[str] = []
    team_id = lookups.teams.get(slug)
    if team_id is None:
        reasons.append(f"unknown team {slug!r}" if slug else "team is empty")
    measure_id = lookups.measures.get(key)
    if measure_id is None:
        known = ", ".join(sorted(lookups.measures))
        reasons.append(f"unknown measure {key!r} (known: {known})" if key else "measure is empty")
    try:
        day = dt.date.fromisoformat(period_text[:10]) if len(period_text) >= 10 else None
        if day is None:
            raise ValueError
        if len(period_text) > 10:
            day = parse_moment(period_text, site_tz).astimezone(site_tz).date()
    except ValueError:
        reasons.append(
            f"period_start {period_text!r} is not an ISO 8601 date"
            if period_text
            else "period_start is empty"
        )
        day = None
    try:
        value = float(value_text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        reasons.append(f"value {value_text!r} is not a number" if value_text else "value is empty")
        value = None
    try:
        sample_size = int(sample_text)
        if sample_size < 1:
            reasons.append(f"sample_size {sample_size} must be a positive whole number")
    except ValueError:
        reasons.append(
            f"sample_size {sample_text!r} is not a whole number"
            if sample_text
            else "sample_size is empty"
        )
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
