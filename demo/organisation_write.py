"""Writing the organisation plan (`demo.organisation`): job roles, the team tree, users,
people and leaders, each found by its natural key first so a second run adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from demo.catalogue import EMAIL_DOMAIN, RoleEntry
from demo.organisation import (
    ADMIN_NAME,
    ADMIN_USERNAME,
    NAMED_PEOPLE,
    OrganisationPlan,
    PersonPlan,
    TeamPlan,
)
from upskill.access import LD_ADMINS_GROUP, LEADERS_GROUP
from upskill.models import UNKEYED_PREFIX, JobRole, Person, Team


def _in_chunks(values: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def job_roles_write(*, roles: Iterable[RoleEntry]) -> dict[str, int]:
    ids = {}
    for entry in roles:
        role, _ = JobRole.objects.get_or_create(
            name=entry.name, defaults={"description": entry.description}
        )
        ids[entry.name] = role.pk
    return ids


def teams_write(plan: OrganisationPlan) -> dict[str, int]:
    """Teams level by level (one INSERT per 1,000 of a level), so each parent exists
    before its children point at it; teams already there are found by slug."""
    ids: dict[str, int] = {}
    levels: list[list[TeamPlan]] = []
    depth: dict[str, int] = {}
    for team in plan.all_teams:  # parents come first
        depth[team.slug] = 0 if team.parent_slug is None else depth[team.parent_slug] + 1
        if depth[team.slug] == len(levels):
            levels.append([])
        levels[depth[team.slug]].append(team)
    for level in levels:
        slugs = [team.slug for team in level]
        found = _team_rows(slugs)
        Team.objects.bulk_create(
            [
                Team(
                    slug=team.slug,
                    name=team.name,
                    parent_id=ids.get(team.parent_slug),
                    external_id=team.external_id,
                )
                for team in level
                if team.slug not in found
            ],
            batch_size=1_000,
        )
        found = _team_rows(slugs)
        unkeyed = [  # a demo seeded before HR ids
            Team(pk=pk, external_id=team.external_id)
            for team in level
            for pk, external_id in [found[team.slug]]
            if external_id.startswith(UNKEYED_PREFIX)
        ]
        Team.objects.bulk_update(unkeyed, ["external_id"], batch_size=1_000)
        ids.update({slug: pk for slug, (pk, _) in found.items()})
    return ids


def _team_rows(slugs: list[str]) -> dict[str, tuple[int, str]]:
    """slug -> (id, external id) of the teams that exist."""
    rows: dict[str, tuple[int, str]] = {}
    for chunk in _in_chunks(slugs):
        for pk, slug, external_id in Team.objects.filter(slug__in=chunk).values_list(
            "pk", "slug", "external_id"
        ):
            rows[slug] = (pk, external_id)
    return rows


def _user_ids(usernames: list[str]) -> dict[str, int]:
    User = get_user_model()
    ids: dict[str, int] = {}
    for chunk in _in_chunks(usernames):
        ids.update(User.objects.filter(username__in=chunk).values_list("username", "id"))
    return ids


def users_write(*, people: list[PersonPlan], password_hash: str) -> dict[str, int]:
    """Every demo user, with one precomputed password hash (hashing is slow by design)."""
    User = get_user_model()
    usernames = [person.username for person in people]
    existing = _user_ids(usernames)
    User.objects.bulk_create(
        [
            User(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                password=password_hash,
            )
            for person in people
            if person.username not in existing
        ],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    # The named logins get the demo password back on every run, so what the command
    # prints always works.
    User.objects.filter(username__in=list(NAMED_PEOPLE)).update(
        password=password_hash, is_active=True
    )
    return _user_ids(usernames)


def admin_write(*, password_hash: str) -> int:
    """The L&D admin: group member and staff (for the Django admin), no Person record."""
    User = get_user_model()
    admin, _ = User.objects.update_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "first_name": ADMIN_NAME[0],
            "last_name": ADMIN_NAME[1],
            "email": f"{ADMIN_USERNAME}@{EMAIL_DOMAIN}",
            "password": password_hash,
            "is_staff": True,
            "is_active": True,
        },
    )
    admin.groups.add(Group.objects.get(name=LD_ADMINS_GROUP))
    return admin.pk


def _person_ids(user_ids: dict[str, int]) -> dict[str, int]:
    username_of = {user_id: username for username, user_id in user_ids.items()}
    ids: dict[str, int] = {}
    for chunk in _in_chunks(list(username_of)):
        for user_id, person_id in Person.objects.filter(user_id__in=chunk).values_list(
            "user_id", "id"
        ):
            ids[username_of[user_id]] = person_id
    return ids


def people_write(
    *,
    plan: OrganisationPlan,
    user_ids: dict[str, int],
    team_ids: dict[str, int],
    role_ids: dict[str, int],
) -> dict[str, int]:
    """People level by level of the management chain (heads, then those they manage...),
    so every manager exists before their reports point at them."""
    depth: dict[str, int] = {}
    for person in plan.people:  # every manager comes before the people they manage
        manager = person.manager_username
        depth[person.username] = 0 if manager is None else depth[manager] + 1
    person_ids = _person_ids(user_ids)
    for level in range(max(depth.values()) + 1):
        Person.objects.bulk_create(
            [
                Person(
                    user_id=user_ids[person.username],
                    employee_id=plan.employee_ids[person.username],
                    team_id=team_ids[person.team_slug],
                    job_role_id=role_ids[person.job_role],
                    manager_id=person_ids.get(person.manager_username),
                    joined_on=person.joined_on,
                )
                for person in plan.people
                if depth[person.username] == level and person.username not in person_ids
            ],
            batch_size=1_000,
            ignore_conflicts=True,
        )
        person_ids = _person_ids(user_ids)
    # A demo seeded before HR ids: give its people theirs (one UPDATE per 1,000).
    unkeyed = list(
        Person.objects.filter(
            user__email__endswith=f"@{EMAIL_DOMAIN}", employee_id__startswith=UNKEYED_PREFIX
        ).select_related("user")
    )
    for row in unkeyed:
        row.employee_id = plan.employee_ids.get(row.user.username, row.employee_id)
    Person.objects.bulk_update(unkeyed, ["employee_id"], batch_size=1_000)
    return person_ids


def leaders_write(*, plan: OrganisationPlan, user_ids: dict[str, int], team_ids: dict[str, int]):
    """Team.leaders for every team, at every level; everyone who leads joins "Leaders"."""
    Through = Team.leaders.through
    Through.objects.bulk_create(
        [
            Through(team_id=team_ids[team.slug], user_id=user_ids[username])
            for team in plan.all_teams
            for username in team.leader_usernames
        ],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    group = Group.objects.get(name=LEADERS_GROUP)
    GroupThrough = get_user_model().groups.through
    GroupThrough.objects.bulk_create(
        [
            GroupThrough(group_id=group.pk, user_id=user_ids[username])
            for team in plan.all_teams
            for username in team.leader_usernames
        ],
        batch_size=1_000,
        ignore_conflicts=True,
    )
