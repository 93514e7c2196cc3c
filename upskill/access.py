"""The one access policy: what a user may see or change.

- L&D admins (group "L&D admins", or superusers) configure everything and may see
  every team and person.
- Leaders see the teams they lead and every team below them, and the people in them.
- Everyone with a Person record sees their own records: views read and change a
  person's progress, evidence, ratings and answers only for `person_of(request.user)`,
  so ownership holds by construction (nobody's records are addressed by another's id,
  except evidence under review, which `can_review` guards).
- Anyone else (anonymous, a user without a Person) sees nothing.

Views and selectors ask these functions; no view filters by hand. A leader's teams are
their part of the team tree, read in one recursive query per request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet

from upskill.models import Person, Team

LD_ADMINS_GROUP = "L&D admins"
LEADERS_GROUP = "Leaders"

User = AbstractBaseUser | AnonymousUser


def _cached(user, name: str, compute):
    """Memoise a policy answer on the user object for the length of one request."""
    cache = user.__dict__.setdefault("_upskill_access", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def _group_names(user) -> frozenset[str]:
    return _cached(user, "groups", lambda: frozenset(user.groups.values_list("name", flat=True)))


def is_ld_admin(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or LD_ADMINS_GROUP in _group_names(user)


def _led_tree(user) -> dict[int, tuple[bool, bool]]:
    """The teams the user leads and every team below them, each with whether the user
    leads it and whether anyone but the user is a member of it: one recursive query,
    once per request. It answers "leader?", the led subtree and, mostly, "reviewer?",
    and reads only the user's own part of the tree (not all 2,000 teams of a
    50,000-person organisation). UNION, not UNION ALL: a team reached twice is walked
    once, so the walk ends even on a loop in the tree. "Anyone else in it?" is a scalar
    subquery with LIMIT 1, not EXISTS: PostgreSQL would answer an EXISTS for the few
    hundred rows it expects of a recursive query with a hash of every person (50,000 at
    the scale bench's size), an index probe per team is what it needs. Nobody's for an
    inactive user."""
    if not user.is_authenticated or not user.is_active:
        return {}

    def load():
        # The database the ORM would read teams from: the replica on the read-only
        # pages when DATABASE_REPLICA_URL is set (upskill/replica.py), like every read.
        database = connections[router.db_for_read(Team)]
        leaders = database.ops.quote_name(Team.leaders.through._meta.db_table)
        teams = database.ops.quote_name(Team._meta.db_table)
        people = database.ops.quote_name(Person._meta.db_table)
        with database.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE subtree(id, led) AS ("
                f" SELECT team_id, 1 FROM {leaders} WHERE user_id = %s"
                f" UNION SELECT t.id, 0 FROM {teams} t JOIN subtree s ON t.parent_id = s.id)"
                f" SELECT s.id, s.led, (SELECT 1 FROM {people} p"
                f" WHERE p.team_id = s.id AND p.user_id <> %s LIMIT 1) IS NOT NULL"
                f" FROM subtree s",
                [user.pk, user.pk],
            )
            found: dict[int, tuple[bool, bool]] = {}
            for team_id, led, others in cursor:
                # A led team below another led team comes twice: led, and reached.
                found[team_id] = (bool(led) or found.get(team_id, (False, False))[0], bool(others))
            return found

    return _cached(user, "led_tree", load)


def led_team_ids(user: User) -> frozenset[int]:
    led = _led_tree(user)  # {} for an anonymous or inactive user
    return _cached(
        user, "led_ids", lambda: frozenset(t for t, (is_led, _) in led.items() if is_led)
    )


def is_leader(user: User) -> bool:
    return bool(led_team_ids(user))


def person_of(user: User) -> Person | None:
    if not user.is_authenticated or not user.is_active:
        return None
    # `has_reports` rides on this query (asked on every page for the navigation) so that
    # "is a reviewer?" costs nothing more for a manager.
    reports = Person.objects.filter(manager=OuterRef("pk")).exclude(pk=OuterRef("pk"))
    return _cached(
        user,
        "person",
        lambda: (
            Person.objects.select_related("user", "team", "job_role")
            .annotate(has_reports=Exists(reports))
            .filter(user=user)
            .first()
        ),
    )


def descendants(
    root_ids: Iterable[int], children: Mapping[int | None, Iterable[int]]
) -> frozenset[int]:
    """The given teams and every team below them, in a parent -> child ids map."""
    seen: set[int] = set()
    stack = list(root_ids)
    while stack:
        team_id = stack.pop()
        if team_id in seen:
            continue
        seen.add(team_id)
        stack.extend(children.get(team_id, ()))
    return frozenset(seen)


def subtree_team_ids(root_ids: Iterable[int]) -> frozenset[int]:
    """The given teams and every team below them (one query over the team tree)."""
    roots = set(root_ids)
    if not roots:
        return frozenset()
    children: dict[int | None, list[int]] = defaultdict(list)
    for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
        children[parent_id].append(team_id)
    return descendants(roots, children)


def _led_subtree(user) -> frozenset[int]:
    """The teams the user leads and every team below them."""
    led = _led_tree(user)
    return _cached(user, "led_subtree", lambda: frozenset(led))


def visible_team_ids(user: User) -> frozenset[int]:
    """Teams whose people and aggregates the user may see."""
    if is_ld_admin(user):
        return _cached(
            user, "all_teams", lambda: frozenset(Team.objects.values_list("id", flat=True))
        )
    return _led_subtree(user)


def visible_teams(user: User) -> QuerySet[Team]:
    """The teams of `visible_team_ids`. An L&D admin's are all of them: the queryset
    then names no ids (2,000 of them spelled out in every query, at 50,000 people)."""
    if is_ld_admin(user):
        return Team.objects.all()
    return Team.objects.filter(id__in=visible_team_ids(user))


def can_review(user: User, person: Person) -> bool:
    """The person's manager, or a leader of a team above them, reviews their evidence —
    never the person themselves."""
    own = person_of(user)
    if own is not None and own.pk == person.pk:
        return False
    if own is not None and person.manager_id == own.pk:
        return True
    return person.team_id in _led_subtree(user)


def reviewable_people(user: User) -> QuerySet[Person]:
    """People whose evidence the user reviews: their reports and everyone in the teams
    they lead and below (as `can_review`), never themselves, never leavers (their
    evidence waiting for review leaves the queue with them; it stays on their record)."""
    return Person.objects.filter(reviewable_person_filter(user))


def reviewable_person_filter(user: User, *, through: str = "") -> Q:
    """`reviewable_people` as a condition on a person reached through `through` (e.g.
    "enrollment__person__" from step progress): a query over their records then filters
    the person it joins instead of matching a subquery of people, which PostgreSQL
    planned as a scan of every person and user (50,000 at the scale bench's size)."""
    own = person_of(user)
    condition = Q(**{f"{through}team_id__in": _led_subtree(user)})
    if own is not None:
        condition |= Q(**{f"{through}manager": own})
    condition &= Q(**{f"{through}user__is_active": True})
    if own is not None:
        condition &= ~Q(**{f"{through}pk": own.pk})
    return condition


def is_reviewer(user: User) -> bool:
    """Whether the user has anyone's evidence to review (the one meaning of "reviewer":
    the navigation's Reviews link, the learning sub-nav's tab and the review queue's
    gate all ask this)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _cached(user, "reviewer", lambda: _has_someone_to_review(user))


def _has_someone_to_review(user) -> bool:
    """`reviewable_people(user).exists()`, answered from what every page loads anyway:
    the Person with `has_reports` (for the navigation) and the led subtree with whether
    anyone else is in each of its teams."""
    own = person_of(user)
    if own is not None and getattr(own, "has_reports", False):
        return True
    return any(others for _led, others in _led_tree(user).values())


def can_act_for_team(user: User, team: Team) -> bool:
    """Record things on a team's behalf (e.g. commitment check-ins): L&D admins for any
    team, leaders for the teams they lead and those below them."""
    return team.pk in visible_team_ids(user)


def leader_user_ids() -> frozenset[int]:
    """Users who lead at least one team: the "leaders" respondent group in aggregates."""
    return frozenset(Team.leaders.through.objects.values_list("user_id", flat=True).distinct())


def leaders_by_team() -> dict[int, list[int]]:
    """Each team's active leaders (user ids), by team id: one query. Who a team-level
    nudge goes to (check-ins, the digest) and who reviews when there is no manager."""
    leaders: dict[int, list[int]] = {}
    for team_id, user_id in (
        Team.leaders.through.objects.filter(user__is_active=True)
        .order_by("team_id", "user_id")
        .values_list("team_id", "user_id")
    ):
        leaders.setdefault(team_id, []).append(user_id)
    return leaders


def ld_admin_user_ids() -> list[int]:
    """Active L&D admins (the group, or superusers), as is_ld_admin decides: one query."""
    return list(
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=LD_ADMINS_GROUP), is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def can_configure(user: User) -> bool:
    """Products, rubrics, pathways, the responsibility matrix, commitments and imports."""
    return is_ld_admin(user)


def can_view_dashboard(user: User) -> bool:
    return is_ld_admin(user) or is_leader(user)


def home_url_name(user: User) -> str:
    """Where a user lands after signing in: admins build, leaders read, employees learn."""
    if is_ld_admin(user):
        return "pathways:list"
    if is_leader(user):
        return "metrics:dashboard"
    return "pathways:my_learning"
