"""Tool logins set by HR sync: optional people-file columns, one per identity-map system —
`jira_login`, `github_login` (which Copilot reports too), `zendesk_login`,
`freshdesk_login` (the helpdesks' numeric agent ids) — registered with HR sync in
MetricsConfig.ready() through upskill's port (`upskill.services.hr_sync.columns`), so
upskill never imports metrics.

The rule (README, "Connecting your tools"). A column the file has states, for each
person the file lists, their logins in that tool on the sync's effective date D — the day
the sync is applied (the same day it dates joiners and leavers by): one login, several
separated by `;`, or none (an empty cell). Each cell is trimmed and lower-cased, like the
identity map. Against the ToolLogin rows in force on D:
- a login the person holds and the cell keeps: nothing changes;
- a login the cell drops (changed or emptied): its row is closed on D − 1, so the work
  before the sync stays with them (a row that only started on D, a same-day correction,
  is deleted instead);
- a login the cell adds: a row from D; except a first login — nobody has ever held it
  and the person had none in that tool — which counts from the beginning, like an
  identity-map row without `valid_from`, so adding the column for the first time
  matches the tools' past exports too. A row starting later (an identity-map row for
  the future) caps it the day before, as the identity map's import does.
A login another person holds on D is refused with its line, unless the file also takes
it from them (their cell drops it): a hand-over in one file. The same login given to
two people in the file, a login with a space inside, and a helpdesk id that is not a
number are refused with their lines. A leaver row is read the same way (its empty cells
end the leaver's logins). People the file does not list — those a full sync makes
leavers too — and files without a column keep their logins. Work already imported
keeps the person it was matched to; the map is used by the next import of a tool's
export."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from metrics.models import ToolLogin
from metrics.services.connectors.identity import LOGIN_MAX, SINCE_ALWAYS, login_key
from upskill.services import (
    HrSyncColumnRow,
    HrSyncColumns,
    HrSyncColumnsPlan,
    RowError,
    rows_insert,
)

HR_LOGIN_COLUMN = {system: f"{system}_login" for system in ToolLogin.System.values}
NUMERIC_SYSTEMS = {ToolLogin.System.ZENDESK, ToolLogin.System.FRESHDESK}
TOOL_NAME = {value: label.split(" (")[0] for value, label in ToolLogin.System.choices}
_SPACE = re.compile(r"\s")
CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit


@dataclass
class _LoginWrites:
    delete: list[int] = field(default_factory=list)  # rows that only started on D
    close: list[int] = field(default_factory=list)  # rows ending on D - 1
    # (employee id, system, login, valid_from, valid_to)
    open: list[tuple[str, str, str, dt.date, dt.date | None]] = field(default_factory=list)


@dataclass
class _Held:
    """The ToolLogin rows of the systems the file sets, seen from day D."""

    on_day: dict[tuple[str, str], list[tuple[int, int, dt.date]]]  # (system, login) -> rows
    of_person: dict[tuple[int, str], dict[str, tuple[int, dt.date]]]  # -> login -> row
    known: set[tuple[str, str]]  # (system, login) with any row, ever
    person_systems: set[tuple[int, str]]  # (person, system) with any row, ever
    next_start: dict[tuple[str, str], dt.date]  # the first row starting after D

    @classmethod
    def load(cls, *, systems: set[str], day: dt.date) -> _Held:
        """One query, whatever the number of rows."""
        held = cls(
            on_day=defaultdict(list),
            of_person=defaultdict(dict),
            known=set(),
            person_systems=set(),
            next_start={},
        )
        for pk, person_id, system, login, valid_from, valid_to in ToolLogin.objects.filter(
            system__in=sorted(systems)
        ).values_list("pk", "person_id", "system", "login", "valid_from", "valid_to"):
            key = (system, login)
            held.known.add(key)
            held.person_systems.add((person_id, system))
            if valid_from <= day and (valid_to is None or day <= valid_to):
                held.on_day[key].append((pk, person_id, valid_from))
                held.of_person[(person_id, system)][login] = (pk, valid_from)
            elif valid_from > day and (
                key not in held.next_start or valid_from < held.next_start[key]
            ):
                held.next_start[key] = valid_from
        return held


def _login_problem(system: str, login: str) -> str:
    if len(login) > LOGIN_MAX:
        return f"is longer than {LOGIN_MAX} characters"
    if _SPACE.search(login):
        return "has a space inside; a login has none (separate several with ;)"
    if system in NUMERIC_SYSTEMS and not login.isdigit():
        return f"is not a {TOOL_NAME[system]} agent id (a number)"
    return ""


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def hr_logins_plan(
    *,
    rows: list[HrSyncColumnRow],
    file_name: str,
    effective_date: dt.date,
    employee_id_of: Mapping[int, str],
) -> HrSyncColumnsPlan:
    """The login changes the file's columns make on `effective_date`; writes nothing."""
    day = effective_date
    errors: list[RowError] = []
    wanted: dict[tuple[str, str], tuple[HrSyncColumnRow, set[str]]] = {}  # (eid, system)
    claimed: dict[tuple[str, str], tuple[int, str]] = {}  # (system, login) -> line, eid
    for row in rows:
        for system, column in HR_LOGIN_COLUMN.items():
            if column not in row.values:
                continue
            logins = set()
            for part in row.values[column].split(";"):
                login = login_key(part)
                if not login:
                    continue  # an empty cell, or `a;;b`: no login there
                problem = _login_problem(system, login)
                earlier = claimed.get((system, login))
                if not problem and earlier and earlier[1] != row.employee_id:
                    problem = (
                        f"is also given to employee {earlier[1]!r} on line {earlier[0]}; a "
                        "login is one person's"
                    )
                if problem:
                    errors.append(RowError(file_name, row.line, f"{column} {login!r} {problem}."))
                    continue
                claimed[(system, login)] = (row.line, row.employee_id)
                logins.add(login)
            wanted[(row.employee_id, system)] = (row, logins)
    if not wanted:
        return HrSyncColumnsPlan(errors=errors)

    held = _Held.load(systems={system for _eid, system in wanted}, day=day)
    wanted_by_person = {
        (row.person_id, system): logins
        for (_eid, system), (row, logins) in wanted.items()
        if row.person_id is not None
    }
    writes, changes = _LoginWrites(), []
    for (eid, system), (row, logins) in wanted.items():
        mine = held.of_person.get((row.person_id, system), {}) if row.person_id else {}
        added, removed = logins - mine.keys(), mine.keys() - logins
        if not (added or removed):
            continue
        column = HR_LOGIN_COLUMN[system]
        for login in sorted(added):
            for _pk, holder, since in held.on_day.get((system, login), []):
                if login not in wanted_by_person.get((holder, system), {login}):
                    continue  # the file takes it from them: a hand-over
                other = employee_id_of.get(holder, "?")
                held_since = "from the start" if since == SINCE_ALWAYS else f"since {_day(since)}"
                errors.append(
                    RowError(
                        file_name,
                        row.line,
                        f"{column} {login!r} belongs to employee {other!r} on {_day(day)} (in "
                        f"the identity map {held_since}); give {other} another {column} in "
                        "this file, or end theirs in the identity map, first.",
                    )
                )
        first = all((system, login) not in held.known for login in added) and (
            row.person_id is None or (row.person_id, system) not in held.person_systems
        )
        start = SINCE_ALWAYS if first else day
        for login in sorted(removed):
            pk, since = mine[login]
            if since == day:
                writes.delete.append(pk)
            else:
                writes.close.append(pk)
        for login in sorted(added):
            cap = held.next_start.get((system, login))
            writes.open.append(
                (eid, system, login, start, cap - dt.timedelta(days=1) if cap else None)
            )
        changes.append(
            {
                "id": eid,
                "name": row.name,
                "system": system,
                "added": sorted(added),
                "removed": sorted(removed),
                "since": "" if first else day.isoformat(),
                "until": (day - dt.timedelta(days=1)).isoformat(),
            }
        )
    changes.sort(key=lambda change: (change["id"], change["system"]))
    return HrSyncColumnsPlan(changes=changes, errors=errors, writes=writes)


def hr_logins_apply(
    *, writes: _LoginWrites, person_ids: Mapping[str, int], effective_date: dt.date
) -> None:
    """Write the planned changes in the sync's transaction: one statement per kind of
    change per 900 rows (every closed row ends on the same day, so closing is a plain
    UPDATE), and the new rows with HR sync's own inserter (one COPY on PostgreSQL). The
    rows ending are deleted or closed before the new ones are added, so a login handed
    over on D never has two rows starting on D."""
    for start in range(0, len(writes.delete), CHUNK):
        ToolLogin.objects.filter(pk__in=writes.delete[start : start + CHUNK]).delete()
    for start in range(0, len(writes.close), CHUNK):
        ToolLogin.objects.filter(pk__in=writes.close[start : start + CHUNK]).update(
            valid_to=effective_date - dt.timedelta(days=1)
        )
    now = timezone.now()
    rows_insert(
        ToolLogin,
        ["person", "system", "login", "valid_from", "valid_to", "created_at"],
        [
            (person_ids[eid], system, login, valid_from, valid_to, now)
            for eid, system, login, valid_from, valid_to in writes.open
        ],
    )


def hr_login_change_describe(change: dict) -> str:
    """The plan's sentence for one person's change in one tool."""
    who = f"{change.get('name') or change['id']} ({change['id']})"
    tool = TOOL_NAME.get(change["system"], change["system"])
    added, removed = ", ".join(change["added"]), ", ".join(change["removed"])
    since = (
        f"from {_day(dt.date.fromisoformat(change['since']))}"
        if change["since"]
        else "from the start (nobody has held it)"
    )
    if added and removed:
        return f"{who}: {tool} login {removed} → {added} {since}"
    if added:
        return f"{who}: {tool} login {added} {since}"
    last_day = _day(dt.date.fromisoformat(change["until"]))
    return f"{who}: {tool} login {removed} ends; its last day is {last_day}"


HR_LOGIN_COLUMNS = HrSyncColumns(
    section="tool_logins",
    label="Tool login changes",
    columns=tuple(HR_LOGIN_COLUMN.values()),
    help=(
        "each person's logins in Jira (account id or email), GitHub, Zendesk and Freshdesk "
        "(agent ids) on the day the sync is applied; several separated by ;, none when "
        "empty. A file without a column leaves those logins as they are."
    ),
    note=(
        "Login changes take effect on the day the sync is applied: work dated before stays "
        "with whoever held the login then. A first login nobody has held counts from the "
        "start. Work already imported keeps the person it was matched to; the next import "
        "of a tool's export uses the new logins."
    ),
    plan=hr_logins_plan,
    apply=hr_logins_apply,
    describe=hr_login_change_describe,
)


def tool_logins_held(*, day: dt.date) -> dict[int, dict[str, list[str]]]:
    """Person pk -> system -> the logins they hold on `day`, for writing the HR export
    (one query). (A read, kept beside the writes it mirrors.)"""
    held: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for person_id, system, login in (
        ToolLogin.objects.filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("person_id", "system", "login")
        .values_list("person_id", "system", "login")
    ):
        held[person_id][system].append(login)
    return held
