"""Applying: the plan written in one transaction, a constant number of queries per batch."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from upskill import cache
from upskill.access import LEADERS_GROUP
from upskill.models import JobRole, Person, Team
from upskill.services.hr_sync.columns import _apply_columns
from upskill.services.hr_sync.plan import _plan, _Work
from upskill.services.hr_sync.report import BATCH, CHUNK, HrPlan, HrSyncRejected, RowError
from upskill.services.provisioning_hooks import people_provisioned_notify


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _bulk_set(objs: list, fields: list[str]) -> None:
    """bulk_update. On PostgreSQL four statements whatever the number of rows: the new
    values are COPYed into a temporary table and set with one `UPDATE … FROM` it.
    Django's CASE WHEN form costs ~1 s per 1,000 rows there (every row is compared with
    every branch), and even `UPDATE … FROM (VALUES …)` per 1,000 rows spent most of a
    50,000-person apply building and parsing the statements."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=BATCH)
        return
    columns = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    temp = quote(f"hr_sync_set_{model._meta.db_table}")
    quoted = [quote(column.column) for column in columns]
    definition = ", ".join(
        [f"pk {pk.db_type(connection)}"]
        + [
            f"{name} {column.db_type(connection)}"
            for name, column in zip(quoted, columns, strict=True)
        ]
    )
    assignments = ", ".join(f"{name} = v.{name}" for name in quoted)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({definition}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([obj.pk, *(getattr(obj, column.attname) for column in columns)])
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temp} AS v "
            f"WHERE t.{quote(pk.column)} = v.pk"
        )
        cursor.execute(f"DROP TABLE {temp}")


def rows_insert(model, names: list[str], rows: list[tuple]) -> None:
    """Insert many new rows, given as tuples of the `names` fields' values. On PostgreSQL
    one COPY: no model instances and no SQL to compile, which was most of a 50,000-person
    apply's time with bulk_create. Columns left out take NULL (the models set no database
    defaults), so `names` lists every non-null column without a database default
    (`auto_now_add` fields included). Public because the apps' HR sync columns
    (`columns.HrSyncColumns.apply`) write through it too, in the same transaction."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip((f.attname for f in fields), row, strict=True))) for row in rows],
            batch_size=BATCH,
        )
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _unique_slug(name: str, taken: set[str]) -> str:
    limit = Team._meta.get_field("slug").max_length
    base = (slugify(name) or "team")[: limit - 8]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _write(work: _Work) -> tuple[list[int], dict[str, int]]:
    """Write the plan; returns the people whose team or role is new to them (for hooks),
    and every person's pk by employee id (joiners included)."""
    plan, state = work.plan, work.state
    User = get_user_model()
    today, now = work.today, timezone.now()

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
    # One unusable password for the whole run ("!" and random characters: no password
    # matches it). Per row it cost a quarter of a 50,000-person apply; sharing it gives
    # nothing away (it is not a hash of anything, and reset tokens also mix in the pk).
    unusable_password = make_password(None)
    for row in joiner_rows:
        if row.employee_id in work.adopt_users:
            continue
        username = row.email.lower()
        if username in state.usernames:
            username = f"{row.employee_id}.{username}"[:150]
        state.usernames.add(username)
        username_of[row.employee_id] = username
        new_users.append(
            (username, row.email, row.first_name, row.last_name, unusable_password)
            + (False, False, True, now)
        )
    rows_insert(
        User,
        ["username", "email", "first_name", "last_name", "password"]
        + ["is_staff", "is_superuser", "is_active", "date_joined"],
        new_users,
    )
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
    rows_insert(
        Person,
        ["user", "employee_id", "team", "job_role", "joined_on"],
        [
            (
                user_id_of[row.employee_id],
                row.employee_id,
                team_pk[row.team_id],
                roles[row.job_role],
                today,
            )
            for row in joiner_rows
        ],
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
    return provisioned, person_pk


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
        provisioned, person_pk = _write(work)
        _apply_columns(writes=work.column_writes, person_ids=person_pk, effective_date=work.today)
        people_provisioned_notify(person_ids=provisioned)
        # Teams, their tree and leaders, people's teams: the cached figures are stale.
        cache.inputs_changed(cache.ORGANISATION)
    return plan
