"""The port through which an app above upskill adds optional columns to the HR people
file — metrics adds each person's tool logins (`jira_login`, `github_login`, …) — and
writes what they say in the sync's own transaction, without upskill importing it.

DESIGN's dependency rule: upskill reads no other app, yet an HR system that knows
people's logins in other tools should set them in the same file, the same plan and the
same all-or-nothing apply as the rest of the organisation. So an app registers an
`HrSyncColumns` in its AppConfig.ready():

    # metrics/apps.py
    def ready(self):
        from upskill.services import hr_sync_columns_register
        hr_sync_columns_register(HR_LOGIN_COLUMNS)

HR sync then reads the registered columns a people file's header has (a file without
them leaves what they set alone), hands every row to `plan` — inside the apply's
transaction too, so a confirmed plan is re-checked against the database as it is then —
shows the changes `plan` lists on the plan as a section of their own, refuses the whole
sync if `plan` reports any bad row (with its line), and calls `apply` after the people
are written, still in the transaction. Both work set-based: a constant number of
queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from upskill.services.hr_sync.files import _PersonRow
from upskill.services.hr_sync.report import LEAVER, PEOPLE_COLUMNS, TEAM_COLUMNS, RowError


@dataclass(slots=True)
class HrSyncColumnRow:
    """One people-file row, as a column handler sees it."""

    line: int
    employee_id: str
    person_id: int | None  # the Person it is (after adoption); None for a joiner
    name: str  # for the plan: "First Last", or the employee id
    values: Mapping[str, str]  # the handler's columns the header has, stripped


@dataclass
class HrSyncColumnsPlan:
    """What a handler's `plan` returns: the changes to show (plain JSON values, each
    with the person's `id` and `name`), the bad rows (the sync is then refused whole),
    and whatever its `apply` needs to write them (kept in memory, never stored)."""

    changes: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    writes: Any = None


@dataclass(frozen=True)
class HrSyncColumns:
    """Optional people-file columns an app reads and writes.

    - `section`, `label`: the plan section's key and heading ("Tool login changes");
    - `columns`: the header names it reads (never one of the core columns);
    - `help`: what the columns hold, for the Organisation page's formats;
    - `note`: what applying the changes does, under the plan's section;
    - `plan(rows=, file_name=, effective_date=, employee_id_of=)` → HrSyncColumnsPlan,
      where `employee_id_of` maps Person pk → employee id for messages (no queries);
    - `apply(writes=, person_ids=, effective_date=)`, `person_ids` mapping every
      employee id in the file (joiners included) to its Person pk;
    - `describe(change)` → the plan's sentence for one change."""

    section: str
    label: str
    columns: tuple[str, ...]
    help: str
    note: str
    plan: Callable[..., HrSyncColumnsPlan]
    apply: Callable[..., object]
    describe: Callable[[dict], str]


_registered: dict[str, HrSyncColumns] = {}


def hr_sync_columns_register(columns: HrSyncColumns) -> None:
    """Add (or, for the same section, replace: a reloaded app config does not stack)
    a handler of optional people columns."""
    core = set(PEOPLE_COLUMNS) | set(TEAM_COLUMNS)
    clash = core.intersection(columns.columns)
    if clash:
        raise ValueError(f"HR sync columns {sorted(clash)} are core columns of the HR files.")
    for other in _registered.values():
        if other.section != columns.section and set(other.columns) & set(columns.columns):
            raise ValueError(
                f"HR sync columns {sorted(set(other.columns) & set(columns.columns))} are "
                f"already read by {other.section!r}."
            )
    _registered[columns.section] = columns


def hr_sync_columns_registered() -> list[HrSyncColumns]:
    return list(_registered.values())


def hr_sync_optional_columns() -> tuple[str, ...]:
    """Every registered optional people column, in registration order."""
    return tuple(name for handler in _registered.values() for name in handler.columns)


@dataclass
class _ColumnsPlanned:
    changes: dict[str, list[dict]]  # section -> changes
    labels: dict[str, str]  # section -> heading, for the sections with changes
    writes: dict[str, Any]  # section -> what its apply needs
    errors: list[RowError]


def _plan_columns(
    *,
    person_rows: Mapping[str, _PersonRow],
    db_person: Callable[[str], Any],
    file_name: str,
    effective_date: dt.date,
    employee_id_of: Mapping[int, str],
) -> _ColumnsPlanned:
    """Run every handler whose columns the file has over every known row (leaver rows
    for unknown ids are ignored, like the rest of such a row)."""
    planned = _ColumnsPlanned(changes={}, labels={}, writes={}, errors=[])
    present = set(next(iter(person_rows.values())).extra) if person_rows else set()
    for handler in _registered.values():
        columns = present.intersection(handler.columns)
        if not columns:
            continue  # the file does not have these columns: they stay as they are
        own = []
        for eid, row in person_rows.items():
            person = db_person(eid)
            if person is None and row.status == LEAVER:
                continue
            name = f"{row.first_name} {row.last_name}".strip()
            if not name and person is not None:
                name = f"{person.first_name} {person.last_name}".strip()
            values = (
                row.extra
                if columns == present
                else {column: row.extra[column] for column in columns}
            )
            own.append(HrSyncColumnRow(row.line, eid, person.pk if person else None, name, values))
        section = handler.plan(
            rows=own,
            file_name=file_name,
            effective_date=effective_date,
            employee_id_of=employee_id_of,
        )
        planned.errors.extend(section.errors)
        if section.changes:
            planned.changes[handler.section] = section.changes
            planned.labels[handler.section] = handler.label
            planned.writes[handler.section] = section.writes
    return planned


def _apply_columns(
    *, writes: dict[str, Any], person_ids: Mapping[str, int], effective_date: dt.date
) -> None:
    for section, section_writes in writes.items():
        _registered[section].apply(
            writes=section_writes, person_ids=person_ids, effective_date=effective_date
        )
