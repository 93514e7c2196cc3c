"""The organisation as the database holds it, in a few set-based reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from upskill.models import JobRole, Person, Team


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
