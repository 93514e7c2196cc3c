"""The organisation from the HR system: two CSV files, a plan, then all of it or nothing.

Files (UTF-8, header row; a BOM and CRLF line ends are accepted; extra columns ignored):
- teams:  team_id,name,parent_team_id,leader_employee_ids   (leaders separated by `;`)
- people: employee_id,email,first_name,last_name,team_id,job_role,manager_employee_id,status

People and teams are keyed on their immutable HR ids (`Person.employee_id`,
`Team.external_id`), never on email: an email change keeps the same person. A row made
before provisioning (an `unkeyed-…` placeholder id) is adopted by email (people) or name
(teams) the first time the files name it.

`hr_sync_plan` reads the files against the database and returns what would change;
`hr_sync_apply` computes the same plan inside one transaction and writes it. Any bad row —
a missing required field, a bad status or email, a duplicate employee id or email in the
file, an email already held by another employee id, an unknown team, parent or manager id,
a team cycle, a manager cycle — is reported with its file and line number, and nothing is
written. Re-applying the same files changes nothing.

`full=True` is Canvas's "full batch": people missing from the people file become leavers
and teams missing from the teams file are removed (kept for history, emptied of leaders).
A sync that would make more than HR_SYNC_MAX_LEAVER_SHARE (default 10%) of active people
leavers is refused unless `allow_mass_leavers=True`.

Leavers: the user is deactivated (cannot sign in; pickers, assignments, reviews and nudges
list active users only) and stops leading teams; the Person, its team and all its history
stay, so dashboards keep counting their past activity for the team they were in. Movers:
a person's history follows their current team (the rollups group activity by the
person's team when they are computed).

Cost: a constant number of queries per batch of 1,000 rows (state is loaded in a few
set-based reads, writes are bulk_create/bulk_update), never a query per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from upskill.access import LEADERS_GROUP
from upskill.models import EXTERNAL_KEY_LENGTH, UNKEYED_PREFIX, JobRole, Person, Team
from upskill.services.provisioning_hooks import people_provisioned_notify

TEAM_COLUMNS = ("team_id", "name", "parent_team_id", "leader_employee_ids")
PEOPLE_COLUMNS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "team_id",
    "job_role",
    "manager_employee_id",
    "status",
)
HR_SYNC_FILES = {"teams": TEAM_COLUMNS, "people": PEOPLE_COLUMNS}
ACTIVE, LEAVER = "active", "leaver"
BATCH = 1_000
CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit
MAX_ERRORS = 500  # reported; the file is refused whatever the number

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    file: str  # "teams" or "people" (or the uploaded file's name)
    line: int  # 1 is the header; 0 means the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class HrSyncRejected(ValidationError):
    """Nothing was written. `.errors` lists every problem with its file and line."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__([str(error) for error in errors[:50]])


@dataclass
class HrPlan:
    """What a sync would change, as plain strings and numbers (stored as JSON)."""

    full: bool = False
    active_people: int = 0
    new_teams: list[dict] = field(default_factory=list)
    renamed_teams: list[dict] = field(default_factory=list)
    moved_teams: list[dict] = field(default_factory=list)
    restored_teams: list[dict] = field(default_factory=list)
    removed_teams: list[dict] = field(default_factory=list)
    leader_changes: list[dict] = field(default_factory=list)
    new_job_roles: list[str] = field(default_factory=list)
    joiners: list[dict] = field(default_factory=list)
    returners: list[dict] = field(default_factory=list)
    movers: list[dict] = field(default_factory=list)
    role_changes: list[dict] = field(default_factory=list)
    manager_changes: list[dict] = field(default_factory=list)
    detail_changes: list[dict] = field(default_factory=list)
    leavers: list[dict] = field(default_factory=list)
    adopted: list[dict] = field(default_factory=list)
    unknown_leavers: int = 0

    SECTIONS = (
        ("new_teams", "New teams"),
        ("renamed_teams", "Renamed teams"),
        ("moved_teams", "Moved teams"),
        ("restored_teams", "Teams back in the files"),
        ("removed_teams", "Removed teams"),
        ("leader_changes", "Leader changes"),
        ("new_job_roles", "New job roles"),
        ("joiners", "Joiners"),
        ("returners", "Returning people"),
        ("movers", "Movers"),
        ("role_changes", "Job role changes"),
        ("manager_changes", "Manager changes"),
        ("detail_changes", "Name and email changes"),
        ("leavers", "Leavers"),
        ("adopted", "Existing records given their HR id"),
    )

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name, _label in self.SECTIONS}

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())

    @property
    def leaver_share(self) -> float:
        return len(self.leavers) / self.active_people if self.active_people else 0.0

    @property
    def is_mass_leaving(self) -> bool:
        """A full sync whose omissions would make too many people leavers at once (a
        truncated export, the wrong file); leaver rows named one by one are deliberate."""
        return (
            self.full
            and bool(self.leavers)
            and self.leaver_share > settings.HR_SYNC_MAX_LEAVER_SHARE
        )

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> HrPlan:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in values.items() if key in known})

    def summary_lines(self) -> list[str]:
        lines = [f"{label}: {len(getattr(self, name))}" for name, label in self.SECTIONS]
        if self.unknown_leavers:
            lines.append(f"Leaver rows for unknown employee ids (ignored): {self.unknown_leavers}")
        return lines


# --- Reading the files ------------------------------------------------------------------


def _decode(content: bytes | str, *, file_name: str, errors: list[RowError]) -> str | None:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            RowError(file_name, 0, f"is not UTF-8 (byte {exc.start + 1}); export it as UTF-8.")
        )
        return None


def _rows(
    content: bytes | str, *, file_name: str, columns: tuple[str, ...], errors: list[RowError]
) -> list[tuple[int, dict[str, str]]]:
    text = _decode(content, file_name=file_name, errors=errors)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        errors.append(RowError(file_name, 1, f"cannot be read as CSV ({exc})."))
        return []
    missing = [column for column in columns if column not in header]
    if missing:
        errors.append(
            RowError(
                file_name,
                1,
                f"the header lacks {', '.join(missing)}; expected {','.join(columns)}.",
            )
        )
        return []
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            values = {
                column: (row.get(column) or "").strip()
                for column in columns  # a short row reads as empty cells
            }
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        errors.append(RowError(file_name, reader.line_num, f"cannot be read as CSV ({exc})."))
    return rows


@dataclass
class _TeamRow:
    line: int
    team_id: str
    name: str
    parent_team_id: str
    leader_ids: list[str]


@dataclass
class _PersonRow:
    line: int
    employee_id: str
    email: str
    first_name: str
    last_name: str
    team_id: str
    job_role: str
    manager_id: str
    status: str


def _too_long(value: str, limit: int) -> bool:
    return len(value) > limit


def _team_rows(content, *, file_name: str, errors: list[RowError]) -> dict[str, _TeamRow]:
    name_limit = Team._meta.get_field("name").max_length
    teams: dict[str, _TeamRow] = {}
    for line, values in _rows(content, file_name=file_name, columns=TEAM_COLUMNS, errors=errors):
        team_id, name = values["team_id"], values["name"]
        problems = [
            f"{column} is required." for column in ("team_id", "name") if not values[column]
        ]
        if _too_long(team_id, EXTERNAL_KEY_LENGTH):
            problems.append(f"team_id is longer than {EXTERNAL_KEY_LENGTH} characters.")
        if _too_long(name, name_limit):
            problems.append(f"name is longer than {name_limit} characters.")
        if team_id in teams:
            problems.append(
                f"team_id {team_id!r} appears twice (first on line {teams[team_id].line})."
            )
        errors.extend(RowError(file_name, line, problem) for problem in problems)
        if problems:
            continue
        leader_ids = [part.strip() for part in values["leader_employee_ids"].split(";")]
        teams[team_id] = _TeamRow(
            line=line,
            team_id=team_id,
            name=name,
            parent_team_id=values["parent_team_id"],
            leader_ids=[leader for leader in dict.fromkeys(leader_ids) if leader],
        )
    return teams


def _people_rows(content, *, file_name: str, errors: list[RowError]) -> dict[str, _PersonRow]:
    User = get_user_model()
    limits = {
        "email": User._meta.get_field("email").max_length,
        "first_name": User._meta.get_field("first_name").max_length,
        "last_name": User._meta.get_field("last_name").max_length,
        "job_role": JobRole._meta.get_field("name").max_length,
        "employee_id": EXTERNAL_KEY_LENGTH,
    }
    people: dict[str, _PersonRow] = {}
    email_lines: dict[str, int] = {}
    for line, values in _rows(content, file_name=file_name, columns=PEOPLE_COLUMNS, errors=errors):
        status = values["status"].lower()
        problems = []
        if status not in (ACTIVE, LEAVER):
            problems.append(f"status {values['status']!r} is not one of: active, leaver.")
        required = ("employee_id",) if status == LEAVER else (
            "employee_id", "email", "first_name", "team_id", "job_role"
        )  # fmt: skip
        problems += [f"{column} is required." for column in required if not values[column]]
        problems += [
            f"{column} is longer than {limit} characters."
            for column, limit in limits.items()
            if _too_long(values[column], limit)
        ]
        employee_id, email = values["employee_id"], values["email"]
        if employee_id and employee_id in people:
            problems.append(
                f"employee_id {employee_id!r} appears twice "
                f"(first on line {people[employee_id].line})."
            )
        if email and status == ACTIVE:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"email {email!r} is not an email address.")
            if email.lower() in email_lines:
                problems.append(
                    f"email {email!r} appears twice (first on line {email_lines[email.lower()]})."
                )
            else:
                email_lines[email.lower()] = line
        errors.extend(RowError(file_name, line, problem) for problem in problems)
        if problems:
            continue
        people[employee_id] = _PersonRow(
            line=line,
            employee_id=employee_id,
            email=email,
            first_name=values["first_name"],
            last_name=values["last_name"],
            team_id=values["team_id"],
            job_role=values["job_role"],
            manager_id=values["manager_employee_id"],
            status=status,
        )
    return people


# --- The database as it is ----------------------------------------------------------------


@dataclass
class _DbTeam:
    pk: int
    external_id: str
    name: str
    parent_pk: int | None
    removed: bool


@dataclass
class _DbPerson:
    pk: int
    employee_id: str
    user_id: int
    email: str
    first_name: str
    last_name: str
    active: bool
    team_pk: int
    role_pk: int
    manager_pk: int | None


@dataclass
class _State:
    teams: dict[str, _DbTeam]  # by external id
    team_ext: dict[int, str]  # pk -> external id
    people: dict[str, _DbPerson]  # by employee id
    person_eid: dict[int, str]  # pk -> employee id
    eid_of_user: dict[int, str]  # user id -> employee id
    roles: dict[str, int]  # name -> pk
    role_name: dict[int, str]
    leaders: dict[int, set[int]]  # team pk -> leader user ids
    users_by_email: dict[str, tuple[int, bool]]  # lower email -> (user id, has a person)
    usernames: set[str]


def _state() -> _State:
    """Everything the plan compares against, in six set-based reads."""
    teams, team_ext = {}, {}
    for pk, ext, name, parent_pk, removed_on in Team.objects.values_list(
        "pk", "external_id", "name", "parent_id", "removed_on"
    ):
        teams[ext] = _DbTeam(pk, ext, name, parent_pk, removed_on is not None)
        team_ext[pk] = ext
    people, person_eid, eid_of_user = {}, {}, {}
    for row in Person.objects.values_list(
        "pk",
        "employee_id",
        "user_id",
        "user__email",
        "user__first_name",
        "user__last_name",
        "user__is_active",
        "team_id",
        "job_role_id",
        "manager_id",
    ).order_by():
        person = _DbPerson(*row)
        people[person.employee_id] = person
        person_eid[person.pk] = person.employee_id
        eid_of_user[person.user_id] = person.employee_id
    roles = dict(JobRole.objects.values_list("name", "pk"))
    leaders: dict[int, set[int]] = {}
    for team_pk, user_id in Team.leaders.through.objects.values_list("team_id", "user_id"):
        leaders.setdefault(team_pk, set()).add(user_id)
    users_by_email, usernames = {}, set()
    for user_id, username, email in get_user_model().objects.values_list("pk", "username", "email"):
        usernames.add(username.lower())
        if email:
            users_by_email.setdefault(email.lower(), (user_id, user_id in eid_of_user))
    return _State(
        teams=teams,
        team_ext=team_ext,
        people=people,
        person_eid=person_eid,
        eid_of_user=eid_of_user,
        roles=roles,
        role_name={pk: name for name, pk in roles.items()},
        leaders=leaders,
        users_by_email=users_by_email,
        usernames=usernames,
    )


# --- Planning -------------------------------------------------------------------------------


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
        _people_rows(people_file, file_name=people_name, errors=errors)
        if people_file is not None
        else {}
    )
    report(1, 3)
    state = _state()
    report(2, 3)
    work = _Work(plan=HrPlan(full=full), state=state, team_rows=team_rows, person_rows=person_rows)
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


# --- Applying -------------------------------------------------------------------------------


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _bulk_set(objs: list, fields: list[str]) -> None:
    """bulk_update, one query per BATCH rows. On PostgreSQL as `UPDATE … FROM (VALUES …)`:
    Django's CASE WHEN form costs ~1 s per 1,000 rows there (every row is compared with
    every branch), this form a few milliseconds."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=BATCH)
        return
    columns = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(column.column) for column in columns]
    casts = [f"%s::{column.db_type(connection)}" for column in columns]
    row_sql = "(" + ", ".join([f"%s::{pk.db_type(connection)}", *casts]) + ")"
    assignments = ", ".join(f"{name} = v.{name}" for name in quoted)
    pk_column = connection.ops.quote_name(pk.column)
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, BATCH):
            params = []
            for obj in chunk:
                params.append(obj.pk)
                params += [getattr(obj, column.attname) for column in columns]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM (VALUES "
                + ", ".join([row_sql] * len(chunk))
                + f") AS v(pk, {', '.join(quoted)}) WHERE t.{pk_column} = v.pk",
                params,
            )


def _unique_slug(name: str, taken: set[str]) -> str:
    limit = Team._meta.get_field("slug").max_length
    base = (slugify(name) or "team")[: limit - 8]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _write(work: _Work) -> list[int]:
    """Write the plan; returns the people whose team or role is new to them (for hooks)."""
    plan, state = work.plan, work.state
    User = get_user_model()
    today = timezone.localdate()

    # Job roles, created by name.
    JobRole.objects.bulk_create(
        [JobRole(name=name) for name in plan.new_job_roles], batch_size=BATCH, ignore_conflicts=True
    )
    roles = dict(JobRole.objects.values_list("name", "pk")) if plan.new_job_roles else state.roles

    # Teams: adopt keys, create the new ones, then set names, parents and removal.
    team_pk = {ext: team.pk for ext, team in state.teams.items()}
    for new_ext, old_ext in work.adopt_teams.items():
        team_pk[new_ext] = team_pk.pop(old_ext)
    if plan.new_teams:
        taken = set(Team.objects.values_list("slug", flat=True))
        Team.objects.bulk_create(
            [
                Team(
                    external_id=team["id"],
                    name=team["name"],
                    slug=_unique_slug(team["name"], taken),
                )
                for team in plan.new_teams
            ],
            batch_size=BATCH,
        )
        new_exts = [team["id"] for team in plan.new_teams]
        for chunk in _chunks(new_exts):
            team_pk.update(
                Team.objects.filter(external_id__in=chunk).values_list("external_id", "pk")
            )
    changed_teams = []
    for ext, (name, parent) in work.final_teams.items():
        old = state.teams.get(work.adopt_teams.get(ext, ext))
        parent_pk = team_pk[parent] if parent else None
        if old and (old.name, old.parent_pk, old.removed, old.external_id) == (
            name,
            parent_pk,
            False,
            ext,
        ):
            continue
        if old is None and parent_pk is None:
            continue  # created as a root just now
        changed_teams.append(
            Team(pk=team_pk[ext], external_id=ext, name=name, parent_id=parent_pk, removed_on=None)
        )
    changed_teams += [
        Team(
            pk=state.teams[ext].pk,
            external_id=ext,
            name=state.teams[ext].name,
            parent_id=state.teams[ext].parent_pk,
            removed_on=today,
        )
        for ext in work.removed_team_exts
    ]
    _bulk_set(changed_teams, ["external_id", "name", "parent", "removed_on"])

    # Users: joiners get an account (signing in through the company's identity
    # provider: no usable password); details change; leavers are deactivated.
    person_of = {eid: state.people[old] for eid, old in work.adopt_people.items()}
    person_of.update(
        (eid, person) for eid, person in state.people.items() if eid not in work.adopt_people
    )
    joiner_rows = [work.final_active[joiner["id"]] for joiner in plan.joiners]
    username_of: dict[str, str] = {}
    new_users = []
    for row in joiner_rows:
        if row.employee_id in work.adopt_users:
            continue
        username = row.email.lower()
        if username in state.usernames:
            username = f"{row.employee_id}.{username}"[:150]
        state.usernames.add(username)
        username_of[row.employee_id] = username
        new_users.append(
            User(
                username=username,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
                password=make_password(None),
            )
        )
    User.objects.bulk_create(new_users, batch_size=BATCH)
    user_id_of = dict(work.adopt_users)
    by_username = {username: eid for eid, username in username_of.items()}
    for chunk in _chunks(list(by_username)):
        for pk, username in User.objects.filter(username__in=chunk).values_list("pk", "username"):
            user_id_of[by_username[username]] = pk

    changed_users = []
    for eid, row in work.final_active.items():
        person = person_of.get(eid)
        if person is None:
            if eid in work.adopt_users:
                changed_users.append(
                    User(
                        pk=work.adopt_users[eid],
                        email=row.email,
                        first_name=row.first_name,
                        last_name=row.last_name,
                        is_active=True,
                    )
                )
            continue
        if (person.email, person.first_name, person.last_name, person.active) != (
            row.email,
            row.first_name,
            row.last_name,
            True,
        ):
            changed_users.append(
                User(
                    pk=person.user_id,
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    is_active=True,
                )
            )
    _bulk_set(changed_users, ["email", "first_name", "last_name", "is_active"])
    leaver_user_ids = [state.people[eid].user_id for eid in work.leaver_eids]
    for chunk in _chunks(leaver_user_ids):
        User.objects.filter(pk__in=chunk).update(is_active=False)

    # People: create joiners, then team, role, key, leaving date and manager.
    Person.objects.bulk_create(
        [
            Person(
                user_id=user_id_of[row.employee_id],
                employee_id=row.employee_id,
                team_id=team_pk[row.team_id],
                job_role_id=roles[row.job_role],
                joined_on=today,
            )
            for row in joiner_rows
        ],
        batch_size=BATCH,
    )
    person_pk = {eid: person.pk for eid, person in person_of.items()}
    for chunk in _chunks([row.employee_id for row in joiner_rows]):
        person_pk.update(
            Person.objects.filter(employee_id__in=chunk).values_list("employee_id", "pk")
        )
    provisioned: list[int] = [person_pk[row.employee_id] for row in joiner_rows]
    changed_people = []
    for eid, row in work.final_active.items():
        person = person_of.get(eid)
        manager_pk = person_pk[row.manager_id] if row.manager_id else None
        if person is None:
            if manager_pk is not None:
                changed_people.append(
                    Person(
                        pk=person_pk[eid],
                        employee_id=eid,
                        team_id=team_pk[row.team_id],
                        job_role_id=roles[row.job_role],
                        manager_id=manager_pk,
                        left_on=None,
                    )
                )
            continue
        wanted = (eid, team_pk[row.team_id], roles[row.job_role], manager_pk, True)
        if (
            person.employee_id,
            person.team_pk,
            person.role_pk,
            person.manager_pk,
            person.active,
        ) == wanted:
            continue
        if (person.team_pk, person.role_pk, person.active) != wanted[1:3] + (True,):
            provisioned.append(person.pk)
        changed_people.append(
            Person(
                pk=person.pk,
                employee_id=eid,
                team_id=wanted[1],
                job_role_id=wanted[2],
                manager_id=manager_pk,
                left_on=None,
            )
        )
    _bulk_set(changed_people, ["employee_id", "team", "job_role", "manager", "left_on"])
    leaver_pks = [state.people[eid].pk for eid in work.leaver_eids]
    for chunk in _chunks(leaver_pks):
        Person.objects.filter(pk__in=chunk).update(left_on=today)
    # Their reports the files do not mention lose a manager who has gone.
    unmentioned_reports = [
        person.pk
        for eid, person in state.people.items()
        if eid not in work.final_active
        and eid not in work.leaver_eids
        and person.active
        and person.manager_pk
        and state.person_eid[person.manager_pk] in work.leaver_eids
    ]
    for chunk in _chunks(unmentioned_reports):
        Person.objects.filter(pk__in=chunk).update(manager=None)

    _write_leaders(work, team_pk=team_pk, person_of=person_of, user_id_of=user_id_of)
    return provisioned


def _write_leaders(work: _Work, *, team_pk, person_of, user_id_of) -> None:
    Through = Team.leaders.through

    def user_of(eid: str) -> int:
        return person_of[eid].user_id if eid in person_of else user_id_of[eid]

    removals, additions = [], []
    for change in work.plan.leader_changes:
        pk = team_pk[change["id"]]
        removals += [(pk, user_of(eid)) for eid in change["removed"]]
        additions += [Through(team_id=pk, user_id=user_of(eid)) for eid in change["added"]]
    by_team: dict[int, list[int]] = {}
    for pk, user_id in removals:
        by_team.setdefault(pk, []).append(user_id)
    for pk, user_ids in by_team.items():  # one query per team that loses leaders
        Through.objects.filter(team_id=pk, user_id__in=user_ids).delete()
    Through.objects.bulk_create(additions, batch_size=BATCH, ignore_conflicts=True)
    if not (removals or additions):
        return
    # The "Leaders" access group follows who leads a team.
    group = Group.objects.get(name=LEADERS_GROUP)
    leading = set(Through.objects.values_list("user_id", flat=True))
    GroupThrough = get_user_model().groups.through
    GroupThrough.objects.bulk_create(
        [GroupThrough(group_id=group.pk, user_id=user_id) for _pk, user_id in
         ((a.team_id, a.user_id) for a in additions)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )  # fmt: skip
    gone = [user_id for _pk, user_id in removals if user_id not in leading]
    for chunk in _chunks(gone):
        GroupThrough.objects.filter(group_id=group.pk, user_id__in=chunk).delete()


def hr_sync_apply(
    *,
    teams_file: bytes | str | None = None,
    people_file: bytes | str | None = None,
    full: bool = False,
    allow_mass_leavers: bool = False,
    teams_name: str = "teams",
    people_name: str = "people",
) -> HrPlan:
    """Plan and write in one transaction: all of it, or (HrSyncRejected) nothing."""
    with transaction.atomic():
        work = _plan(
            teams_file=teams_file,
            people_file=people_file,
            full=full,
            teams_name=teams_name,
            people_name=people_name,
        )
        plan = work.plan
        if plan.is_mass_leaving and not allow_mass_leavers:
            raise HrSyncRejected(
                [
                    RowError(
                        people_name,
                        0,
                        f"this sync would make {len(plan.leavers)} of {plan.active_people} "
                        f"active people leavers ({plan.leaver_share:.0%}, more than "
                        f"{settings.HR_SYNC_MAX_LEAVER_SHARE:.0%}); confirm the mass leaving "
                        "explicitly if it is right.",
                    )
                ]
            )
        if plan.is_empty:
            return plan
        provisioned = _write(work)
        people_provisioned_notify(person_ids=provisioned)
    return plan
