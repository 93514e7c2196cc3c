"""Planning: the files against the database, every cross-row rule, the diff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from upskill.models import UNKEYED_PREFIX
from upskill.services.hr_sync.columns import _plan_columns, hr_sync_optional_columns
from upskill.services.hr_sync.files import _people_rows, _PersonRow, _team_rows, _TeamRow
from upskill.services.hr_sync.report import (
    ACTIVE,
    LEAVER,
    MAX_ERRORS,
    HrPlan,
    HrSyncRejected,
    Progress,
    RowError,
)
from upskill.services.hr_sync.state import _DbPerson, _DbTeam, _State, _state


@dataclass
class _Work:
    """The plan plus what applying it needs (keys, not rows)."""

    plan: HrPlan
    state: _State
    team_rows: dict[str, _TeamRow]
    person_rows: dict[str, _PersonRow]
    adopt_people: dict[str, str] = field(default_factory=dict)  # new eid -> unkeyed eid
    adopt_teams: dict[str, str] = field(default_factory=dict)  # new ext -> unkeyed ext
    adopt_users: dict[str, int] = field(default_factory=dict)  # eid -> user without Person
    final_teams: dict[str, tuple[str, str]] = field(default_factory=dict)  # ext -> name, parent
    final_active: dict[str, _PersonRow] = field(default_factory=dict)
    leaver_eids: set[str] = field(default_factory=set)
    removed_team_exts: set[str] = field(default_factory=set)
    leaders: dict[str, set[str]] = field(default_factory=dict)  # team ext -> leader eids
    today: dt.date = dt.date.min  # the sync's effective date, set by _plan
    column_writes: dict[str, Any] = field(default_factory=dict)  # section -> handler's writes


def _cycle_members(parent_of: dict[str, str]) -> list[list[str]]:
    """Every cycle in a child -> parent map, each listed once in walking order."""
    cycles, done = [], set()
    for start in parent_of:
        path, on_path, node = [], {}, start
        while node in parent_of and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parent_of[node]
        if node in on_path:
            cycles.append(path[on_path[node] :])
        done.update(path)
    return cycles


def _plan(
    *,
    teams_file: bytes | str | None,
    people_file: bytes | str | None,
    full: bool,
    teams_name: str,
    people_name: str,
    progress: Progress | None = None,
) -> _Work:
    report = progress or (lambda done, total: None)
    errors: list[RowError] = []
    if teams_file is None and people_file is None:
        raise HrSyncRejected([RowError("files", 0, "give a teams file, a people file or both.")])
    if full and (teams_file is None or people_file is None):
        raise HrSyncRejected(
            [RowError("files", 0, "a full sync needs both files: it removes what they omit.")]
        )
    team_rows = (
        _team_rows(teams_file, file_name=teams_name, errors=errors)
        if teams_file is not None
        else {}
    )
    person_rows = (
        _people_rows(
            people_file,
            file_name=people_name,
            errors=errors,
            optional=hr_sync_optional_columns(),
        )
        if people_file is not None
        else {}
    )
    report(1, 3)
    state = _state()
    report(2, 3)
    work = _Work(
        plan=HrPlan(full=full),
        state=state,
        team_rows=team_rows,
        person_rows=person_rows,
        today=timezone.localdate(),  # the sync's effective date
    )
    plan = work.plan
    plan.active_people = sum(1 for person in state.people.values() if person.active)

    # Adoption: rows made before provisioning get their real key from the files.
    unkeyed_by_name = {
        team.name: ext
        for ext, team in state.teams.items()
        if ext.startswith(UNKEYED_PREFIX) and ext not in team_rows
    }
    for ext, row in team_rows.items():
        if ext not in state.teams and row.name in unkeyed_by_name:
            work.adopt_teams[ext] = unkeyed_by_name.pop(row.name)
            plan.adopted.append({"kind": "team", "id": ext, "name": row.name})
    for eid, row in person_rows.items():
        if eid in state.people or row.status != ACTIVE:
            continue
        holder = state.users_by_email.get(row.email.lower())
        if holder is None:
            continue
        user_id, has_person = holder
        holder_eid = state.eid_of_user.get(user_id)
        if has_person and holder_eid.startswith(UNKEYED_PREFIX) and holder_eid not in person_rows:
            work.adopt_people[eid] = holder_eid
            plan.adopted.append({"kind": "person", "id": eid, "name": row.email})
        elif not has_person:
            work.adopt_users[eid] = user_id

    def db_team(ext: str) -> _DbTeam | None:
        return state.teams.get(work.adopt_teams.get(ext, ext))

    def db_person(eid: str) -> _DbPerson | None:
        return state.people.get(work.adopt_people.get(eid, eid))

    adopted_team_exts = set(work.adopt_teams.values())
    adopted_person_eids = set(work.adopt_people.values())

    # Teams after the sync: the file's, plus (unless full) the live ones it omits.
    for ext, row in team_rows.items():
        work.final_teams[ext] = (row.name, row.parent_team_id)
    for ext, team in state.teams.items():
        if ext in team_rows or ext in adopted_team_exts or team.removed:
            continue
        if full:
            work.removed_team_exts.add(ext)
        else:
            parent = state.team_ext.get(team.parent_pk, "") if team.parent_pk else ""
            work.final_teams[ext] = (team.name, parent)
    for ext, row in team_rows.items():
        parent = row.parent_team_id
        if parent == ext:
            errors.append(RowError(teams_name, row.line, f"team {ext!r} is its own parent."))
        elif parent and parent not in work.final_teams:
            why = "was removed" if parent in state.teams else "is not in the teams file"
            errors.append(
                RowError(teams_name, row.line, f"parent_team_id {parent!r} is unknown ({why}).")
            )
    parent_of = {ext: parent for ext, (_name, parent) in work.final_teams.items() if parent}
    parent_of = {ext: parent for ext, parent in parent_of.items() if parent != ext}
    for cycle in _cycle_members(parent_of):
        lines = [team_rows[ext].line for ext in cycle if ext in team_rows]
        errors.append(
            RowError(
                teams_name,
                min(lines) if lines else 0,
                "team cycle: "
                + " → ".join([*cycle, cycle[0]])
                + " (a team cannot be below itself).",
            )
        )

    # People after the sync.
    for eid, row in person_rows.items():
        person = db_person(eid)
        if row.status == LEAVER:
            if person is None:
                plan.unknown_leavers += 1
            elif person.active:
                work.leaver_eids.add(person.employee_id)
        else:
            work.final_active[eid] = row
    omitted_active = {
        eid: person
        for eid, person in state.people.items()
        if person.active and eid not in person_rows and eid not in adopted_person_eids
    }
    if full:
        work.leaver_eids.update(omitted_active)
    active_eids = set(work.final_active) | (set() if full else set(omitted_active))
    known_leavers = {eid for eid, person in state.people.items() if not person.active}
    known_leavers |= work.leaver_eids

    email_holder = {
        email: state.eid_of_user[user_id]
        for email, (user_id, has_person) in state.users_by_email.items()
        if has_person
    }
    for eid, row in work.final_active.items():
        if row.team_id not in work.final_teams:
            why = "was removed" if row.team_id in state.teams else "is not in the teams file"
            errors.append(
                RowError(people_name, row.line, f"team_id {row.team_id!r} is unknown ({why}).")
            )
        if row.manager_id == eid:
            errors.append(
                RowError(people_name, row.line, "manager cycle: the person is their own manager.")
            )
        elif row.manager_id and row.manager_id not in active_eids:
            why = "is a leaver" if row.manager_id in known_leavers else "is unknown"
            errors.append(
                RowError(people_name, row.line, f"manager_employee_id {row.manager_id!r} {why}.")
            )
        holder = email_holder.get(row.email.lower())
        own = db_person(eid)
        if holder and (own is None or holder != own.employee_id):
            holder_row = person_rows.get(holder)
            moves_away = holder_row is not None and (
                holder_row.status == LEAVER or holder_row.email.lower() != row.email.lower()
            )
            if not moves_away:
                errors.append(
                    RowError(
                        people_name,
                        row.line,
                        f"email {row.email!r} already belongs to employee {holder!r}.",
                    )
                )
    manager_of = {
        eid: row.manager_id
        for eid, row in work.final_active.items()
        if row.manager_id and row.manager_id != eid
    }
    for cycle in _cycle_members(manager_of):
        lines = [person_rows[eid].line for eid in cycle if eid in person_rows]
        errors.append(
            RowError(
                people_name,
                min(lines) if lines else 0,
                "manager cycle: " + " → ".join([*cycle, cycle[0]]) + ".",
            )
        )

    # Leaders: the teams file sets each listed team's person-leaders.
    for row in team_rows.values():
        for leader in row.leader_ids:
            if leader not in active_eids:
                why = "is a leaver" if leader in known_leavers else "is unknown"
                errors.append(
                    RowError(teams_name, row.line, f"leader employee id {leader!r} {why}.")
                )

    # Optional columns (tool logins): the apps that registered them check and plan them.
    columns = _plan_columns(
        person_rows=person_rows,
        db_person=db_person,
        file_name=people_name,
        effective_date=work.today,
        employee_id_of=state.person_eid,
    )
    errors.extend(columns.errors)
    plan.column_changes, plan.column_labels = columns.changes, columns.labels
    work.column_writes = columns.writes
    if errors:
        raise HrSyncRejected(errors[:MAX_ERRORS])

    _diff(work)
    report(3, 3)
    return work


def _diff(work: _Work) -> None:
    plan, state = work.plan, work.state
    team_name = {ext: name for ext, (name, _parent) in work.final_teams.items()}

    def name_of_team(ext: str) -> str:
        return team_name.get(ext) or (state.teams[ext].name if ext in state.teams else ext)

    for ext, (name, parent) in sorted(work.final_teams.items()):
        team = state.teams.get(work.adopt_teams.get(ext, ext))
        if team is None:
            plan.new_teams.append({"id": ext, "name": name, "parent": parent})
            continue
        if team.removed:
            plan.restored_teams.append({"id": ext, "name": name})
        if team.name != name:
            plan.renamed_teams.append({"id": ext, "from": team.name, "to": name})
        old_parent = state.team_ext.get(team.parent_pk, "") if team.parent_pk else ""
        old_parent = next(
            (new for new, old in work.adopt_teams.items() if old == old_parent), old_parent
        )
        if old_parent != parent:
            plan.moved_teams.append(
                {"id": ext, "name": name, "from": old_parent or "—", "to": parent or "—"}
            )
    for ext in sorted(work.removed_team_exts):
        plan.removed_teams.append({"id": ext, "name": state.teams[ext].name})

    # Leaders, as employee ids; leaders without a Person are not HR's to change.
    for ext in sorted(set(work.final_teams) | work.removed_team_exts):
        team = state.teams.get(work.adopt_teams.get(ext, ext))
        current = {
            state.eid_of_user[user_id]
            for user_id in (state.leaders.get(team.pk, set()) if team else set())
            if user_id in state.eid_of_user
        }
        if ext in work.team_rows:
            wanted = set(work.team_rows[ext].leader_ids)
        elif ext in work.removed_team_exts:
            wanted = set()
        else:
            wanted = current - work.leaver_eids
        work.leaders[ext] = wanted
        if wanted != current:
            plan.leader_changes.append(
                {
                    "id": ext,
                    "name": name_of_team(ext),
                    "added": sorted(wanted - current),
                    "removed": sorted(current - wanted),
                }
            )

    new_roles = set()
    for eid, row in sorted(work.final_active.items()):
        person = state.people.get(work.adopt_people.get(eid, eid))
        name = f"{row.first_name} {row.last_name}".strip()
        if row.job_role not in state.roles:
            new_roles.add(row.job_role)
        if person is None:
            plan.joiners.append(
                {
                    "id": eid,
                    "name": name,
                    "email": row.email,
                    "team": name_of_team(row.team_id),
                    "role": row.job_role,
                }
            )
            continue
        if not person.active:
            plan.returners.append({"id": eid, "name": name})
        old_team = state.team_ext[person.team_pk]
        old_team = next((new for new, old in work.adopt_teams.items() if old == old_team), old_team)
        if old_team != row.team_id:
            plan.movers.append(
                {
                    "id": eid,
                    "name": name,
                    "from": name_of_team(old_team),
                    "to": name_of_team(row.team_id),
                }
            )
        if state.role_name[person.role_pk] != row.job_role:
            plan.role_changes.append(
                {
                    "id": eid,
                    "name": name,
                    "from": state.role_name[person.role_pk],
                    "to": row.job_role,
                }
            )
        old_manager = state.person_eid.get(person.manager_pk, "") if person.manager_pk else ""
        if old_manager != row.manager_id:
            plan.manager_changes.append(
                {"id": eid, "name": name, "from": old_manager or "—", "to": row.manager_id or "—"}
            )
        for label, old, new in (
            ("email", person.email, row.email),
            ("first name", person.first_name, row.first_name),
            ("last name", person.last_name, row.last_name),
        ):
            if old != new:
                plan.detail_changes.append(
                    {"id": eid, "name": name, "field": label, "from": old, "to": new}
                )
    # People the files do not mention keep their manager unless the manager leaves.
    for eid, person in sorted(state.people.items()):
        if eid in work.final_active or eid in work.leaver_eids or not person.active:
            continue
        if person.manager_pk and state.person_eid[person.manager_pk] in work.leaver_eids:
            plan.manager_changes.append(
                {
                    "id": eid,
                    "name": f"{person.first_name} {person.last_name}".strip(),
                    "from": state.person_eid[person.manager_pk],
                    "to": "—",
                }
            )
    plan.new_job_roles = sorted(new_roles)
    for eid in sorted(work.leaver_eids):
        person = state.people[eid]
        plan.leavers.append(
            {
                "id": eid,
                "name": f"{person.first_name} {person.last_name}".strip(),
                "team": state.teams[state.team_ext[person.team_pk]].name,
            }
        )


def hr_sync_plan(
    *,
    teams_file: bytes | str | None = None,
    people_file: bytes | str | None = None,
    full: bool = False,
    teams_name: str = "teams",
    people_name: str = "people",
    progress: Progress | None = None,
) -> HrPlan:
    """What syncing these files would change; writes nothing. Raises HrSyncRejected."""
    return _plan(
        teams_file=teams_file,
        people_file=people_file,
        full=full,
        teams_name=teams_name,
        people_name=people_name,
        progress=progress,
    ).plan
