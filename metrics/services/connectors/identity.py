"""The identity map: which person a login in another tool is, on a given day.

A login is matched by its ToolLogin rows (effective-dated: work dated inside a row's
period counts for that row's person), else, when it is an email address, by the email
of exactly one person. The team it counts for is the person's CURRENT team, the rule
every rollup follows; that is why the map holds people, not teams.

The map is loaded from a CSV `employee_id,system,login[,valid_from]`, all or nothing,
with every bad row reported by line number (`tool_logins_import`)."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from metrics.models import ToolLogin
from metrics.services.imports.columns import Column, header_of, not_allowed
from metrics.services.imports.formats import MAX_REPORTED_ERRORS, check_file_size
from upskill.models import Person

SINCE_ALWAYS = dt.date(1900, 1, 1)  # valid_from of a login given without one
LOGIN_MAX = ToolLogin._meta.get_field("login").max_length
# The identity map's columns, as the identity-map page shows them; valid_from, the one
# optional column, may be left out of the header altogether.
LOGIN_COLUMNS = (
    Column("employee_id", True, "the person's employee id (from HR)", "E1042"),
    Column("system", True, "the tool the login is for", "jira",
           allowed=tuple(ToolLogin.System.values)),
    Column("login", True, f"the login in that tool, up to {LOGIN_MAX} characters (any case)",
           "5b10ac8d82e05b22cc7d4ef5"),
    Column("valid_from", False, "ISO 8601 date the login became this person's; empty or "
           "left out: always", "2025-01-01"),
)  # fmt: skip
LOGIN_HEADER = header_of(LOGIN_COLUMNS[:3])
OPTIONAL_LOGIN_HEADER = header_of(LOGIN_COLUMNS[3:])
_SYSTEM = LOGIN_COLUMNS[1]


def login_key(login: str) -> str:
    return login.strip().lower()


@dataclass
class LoginMap:
    """One system's logins: login -> [(valid_from, valid_to, person)] by valid_from,
    and email -> person for the people whose email is theirs alone."""

    periods: dict[str, list[tuple[dt.date, dt.date | None, int]]]
    starts: dict[str, list[dt.date]]
    emails: dict[str, int]

    @classmethod
    def load(cls, system: str) -> LoginMap:
        """Two queries, whatever the size of the file."""
        periods: dict[str, list] = defaultdict(list)
        for login, valid_from, valid_to, person_id in (
            ToolLogin.objects.filter(system=system)
            .order_by("login", "valid_from")
            .values_list("login", "valid_from", "valid_to", "person_id")
        ):
            periods[login].append((valid_from, valid_to, person_id))
        emails: dict[str, int | None] = {}
        for email, person_id in Person.objects.values_list("user__email", "id"):
            key = login_key(email or "")
            if key:
                emails[key] = None if key in emails else person_id
        return cls(
            periods=dict(periods),
            starts={login: [p[0] for p in rows] for login, rows in periods.items()},
            emails={k: v for k, v in emails.items() if v is not None},
        )

    def person(self, login: str, day: dt.date) -> int | None:
        rows = self.periods.get(login)
        if rows:
            index = bisect.bisect_right(self.starts[login], day) - 1
            if index >= 0:
                _start, end, person_id = rows[index]
                if end is None or day <= end:
                    return person_id
            return None  # a mapped login outside its periods is nobody's work
        if "@" in login:
            return self.emails.get(login)
        return None


@dataclass
class LoginImportReport:
    rows_total: int = 0
    created: int = 0
    closed: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)


class LoginRowsInvalid(ValidationError):
    def __init__(self, report: LoginImportReport):
        self.report = report
        super().__init__(
            f"{len(report.errors):,} of {report.rows_total:,} rows are invalid; nothing was "
            "imported. Fix them and import the file again."
        )


def login_records(source: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row as written, and (line, fields) per record after it (blank lines
    skipped): how an identity-map file is read, for the import and for its bad rows."""
    size = source.seek(0, 2)
    check_file_size(size)
    source.seek(0)
    try:
        text = source.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text; save it as CSV UTF-8.") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])

    def records() -> Iterator[tuple[int, list[str]]]:
        for fields in reader:
            if fields:
                yield reader.line_num, fields

    return header, records()


def _login_rows(source: IO[bytes], report: LoginImportReport):
    written, records = login_records(source)
    header = [name.strip().lower() for name in written]
    if header[:3] != list(LOGIN_HEADER) or header[3:] not in ([], list(OPTIONAL_LOGIN_HEADER)):
        raise ValidationError(
            f"Wrong header: found {','.join(header)[:200]!r}; an identity map starts with "
            f"{','.join(LOGIN_HEADER)!r} and, optionally, "
            f"{','.join(('', *OPTIONAL_LOGIN_HEADER))!r}."
        )
    for line, fields in records:
        report.rows_total += 1
        yield line, fields, len(header)


@transaction.atomic
def tool_logins_import(*, source: IO[bytes]) -> LoginImportReport:
    """Load an identity map CSV, all or nothing. A login already mapped to someone else
    from an earlier day is closed the day before the new row starts, so its past work
    stays with the person who did it. Importing the same file again changes nothing."""
    report = LoginImportReport()
    people = dict(Person.objects.values_list("employee_id", "id"))
    systems = set(_SYSTEM.allowed)
    parsed: list[tuple[int, int, str, str, dt.date]] = []
    for line, fields, width in _login_rows(source, report):
        reasons = []
        if len(fields) != width:
            reasons.append(f"expected {width} columns, found {len(fields)}")
        else:
            employee_id, system, login = (f.strip() for f in fields[:3])
            person_id = people.get(employee_id)
            if not employee_id:
                reasons.append("employee_id is empty")
            elif person_id is None:
                reasons.append(f"unknown employee_id {employee_id!r}")
            system = system.lower()
            if not system:
                reasons.append("system is empty")
            elif system not in systems:
                reasons.append(not_allowed(_SYSTEM, system))
            login = login_key(login)
            if not login:
                reasons.append("login is empty")
            elif len(login) > LOGIN_MAX:
                reasons.append(f"login is longer than {LOGIN_MAX} characters")
            valid_from = SINCE_ALWAYS
            if width == 4 and fields[3].strip():
                try:
                    valid_from = dt.date.fromisoformat(fields[3].strip())
                except ValueError:
                    reasons.append(f"valid_from {fields[3].strip()!r} is not an ISO 8601 date")
        if reasons:
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append({"line": line, "reason": "; ".join(reasons)})
            continue
        parsed.append((line, person_id, system, login, valid_from))
    if report.errors:
        raise LoginRowsInvalid(report)
    seen: dict[tuple[str, str, dt.date], tuple[int, int]] = {}
    for line, person_id, system, login, valid_from in parsed:
        earlier = seen.get((system, login, valid_from))
        if earlier and earlier[1] != person_id:
            report.errors.append(
                {"line": line, "reason": f"{system} login {login!r} is given to two people "
                 f"from {valid_from} (also line {earlier[0]})"}
            )  # fmt: skip
        seen[(system, login, valid_from)] = (line, person_id)
    if report.errors:
        raise LoginRowsInvalid(report)
    for _line, person_id, system, login, valid_from in sorted(parsed, key=lambda r: r[4]):
        _login_add(report, person_id=person_id, system=system, login=login, since=valid_from)
    return report


def _login_add(
    report: LoginImportReport, *, person_id: int, system: str, login: str, since: dt.date
) -> None:
    rows = list(ToolLogin.objects.select_for_update().filter(system=system, login=login))
    current = next((r for r in rows if r.valid_from <= since and
                    (r.valid_to is None or since <= r.valid_to)), None)  # fmt: skip
    if current and current.person_id == person_id:
        report.unchanged += 1
        return
    if any(r.valid_from == since for r in rows):
        existing = next(r for r in rows if r.valid_from == since)
        existing.person_id = person_id
        existing.save(update_fields=["person"])
        report.created += 1
        return
    later = [r.valid_from for r in rows if r.valid_from > since]
    if current:
        current.valid_to = since - dt.timedelta(days=1)
        current.save(update_fields=["valid_to"])
        report.closed += 1
    ToolLogin.objects.create(
        person_id=person_id,
        system=system,
        login=login,
        valid_from=since,
        valid_to=min(later) - dt.timedelta(days=1) if later else None,
    )
    report.created += 1


def tool_login_counts() -> list[tuple[str, int, int]]:
    """(system label, logins in use today, people) per system, for the identity-map
    page: one query. (A read, kept beside the map it reads.)"""
    today = timezone.localdate()
    counts = {
        row["system"]: (row["logins"], row["people"])
        for row in ToolLogin.objects.filter(valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .values("system")
        .annotate(logins=Count("id"), people=Count("person", distinct=True))
        .order_by()
    }
    return [(label, *counts.get(value, (0, 0))) for value, label in ToolLogin.System.choices]
