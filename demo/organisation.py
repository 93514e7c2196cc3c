"""The demo organisation: a team tree, the people in it, and who manages whom.

The plan is pure data computed from a seeded random generator, keyed by natural keys
(team slug, username), so that writing it twice finds every row already there. Teams and
people also get the ids an HR system would give them ("T-payments", "E00042"), so the
demo can be kept in step by HR sync (`seed_demo --export-hr DIR` writes the files).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from functools import cached_property

from demo.catalogue import (
    ANALYST,
    COMPANY,
    DESIGNER,
    EMAIL_DOMAIN,
    ENGINEER,
    PRODUCT_MANAGER,
    SUPPORT,
)
from demo.names import FIRST_NAMES, LAST_NAMES
from upskill.models import EXTERNAL_KEY_LENGTH

DEFAULT_PEOPLE = 150
MIN_PEOPLE = 60
BASE_TEAM_COUNT = 9
PEOPLE_PER_TEAM_AT_SCALE = 25
SMALLEST_TEAM = 6
# A large organisation is deeper, as a real one is: above this many departments (about
# 6,000 people) departments sit in divisions of up to 9, and divisions in regions of up
# to 5, so 50,000 people make 2,000 teams five levels deep (the company, 5 regions, 25
# divisions, 225 departments, the teams). Smaller seeds keep the company -> departments
# -> teams tree (and so every figure they had).
DEPARTMENTS_BEFORE_DIVISIONS = 27
DEPARTMENTS_PER_DIVISION = 9
DIVISIONS_PER_REGION = 5
REGION_NAMES = ("Europe", "North America", "Asia Pacific", "Latin America", "Middle East & Africa")

ADMIN_USERNAME = "admin"
LEADER_USERNAME = "leader"
MANAGER_USERNAME = "manager"
EMPLOYEE_USERNAME = "employee"


@dataclass(frozen=True)
class DepartmentTemplate:
    name: str
    lead_role: str


@dataclass(frozen=True)
class TeamTemplate:
    name: str
    department: int
    kind: str  # "support", "engineering", "design", "analytics": sets outcome baselines
    roles: tuple[tuple[str, int], ...]  # job role and weight; the first is the lead's role
    adoption: float  # 0..1: how readily the team takes up its pathways


DEPARTMENTS = (
    DepartmentTemplate("Customer Operations", SUPPORT),
    DepartmentTemplate("Product & Engineering", ENGINEER),
    DepartmentTemplate("Data & Design", ANALYST),
)

TEAM_TEMPLATES = (
    TeamTemplate("Help Centre Support", 0, "support", ((SUPPORT, 85), (ANALYST, 15)), 0.85),
    TeamTemplate("Billing Support", 0, "support", ((SUPPORT, 90), (ANALYST, 10)), 0.55),
    TeamTemplate(
        "Customer Success",
        0,
        "support",
        ((SUPPORT, 70), (ANALYST, 15), (PRODUCT_MANAGER, 15)),
        0.15,
    ),
    TeamTemplate(
        "Help Centre Squad",
        1,
        "engineering",
        ((ENGINEER, 60), (PRODUCT_MANAGER, 10), (DESIGNER, 20), (ANALYST, 10)),
        0.8,
    ),
    TeamTemplate(
        "Invoicing Squad",
        1,
        "engineering",
        ((ENGINEER, 65), (PRODUCT_MANAGER, 10), (DESIGNER, 10), (ANALYST, 15)),
        0.5,
    ),
    TeamTemplate(
        "Release Engineering", 1, "engineering", ((ENGINEER, 90), (PRODUCT_MANAGER, 10)), 0.12
    ),
    TeamTemplate("Product Design", 2, "design", ((DESIGNER, 80), (PRODUCT_MANAGER, 20)), 0.6),
    TeamTemplate("Analytics", 2, "analytics", ((ANALYST, 85), (PRODUCT_MANAGER, 15)), 0.9),
    TeamTemplate(
        "Finance Systems",
        2,
        "analytics",
        ((ENGINEER, 40), (ANALYST, 40), (PRODUCT_MANAGER, 20)),
        0.1,
    ),
)

# The demo logins, with names and places fixed so the README and browser tests can rely
# on them: the employee works in Help Centre Support, managed by its team lead, whose
# department is led by the leader.
NAMED_PEOPLE = {
    LEADER_USERNAME: ("Priya", "Shah"),
    MANAGER_USERNAME: ("Tom", "Okafor"),
    EMPLOYEE_USERNAME: ("Sam", "Rivera"),
}
ADMIN_NAME = ("Alex", "Morgan")


@dataclass
class TeamPlan:
    slug: str
    name: str
    parent_slug: str | None
    template: TeamTemplate | None = None  # None for the root and departments
    adoption: float = 0.0
    leader_usernames: list[str] = field(default_factory=list)
    member_usernames: list[str] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        """The team's id in the (imagined) HR system, e.g. "T-payments"."""
        return f"T-{self.slug}"[:EXTERNAL_KEY_LENGTH]


@dataclass
class PersonPlan:
    username: str
    first_name: str
    last_name: str
    team_slug: str
    job_role: str
    manager_username: str | None
    joined_on: dt.date
    tier: int  # 0 department leader, 1 team lead, 2 team member: the order of writing
    engagement: float = 0.0

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


@dataclass
class OrganisationPlan:
    root: TeamPlan
    departments: list[TeamPlan]
    teams: list[TeamPlan]  # the teams people work in
    people: list[PersonPlan]
    # Regions, then divisions, between the company and the departments (large seeds only).
    groupings: list[TeamPlan] = field(default_factory=list)

    @property
    def all_teams(self) -> list[TeamPlan]:
        """Every team, each after its parent."""
        return [self.root, *self.groupings, *self.departments, *self.teams]

    @cached_property
    def people_by_username(self) -> dict[str, PersonPlan]:
        return {person.username: person for person in self.people}

    @cached_property
    def employee_ids(self) -> dict[str, str]:
        """username -> the person's HR employee id ("E00042"), by their place in the
        plan (which a seed makes the same every time)."""
        return {person.username: f"E{n:05d}" for n, person in enumerate(self.people, 1)}


def _slugify(name: str) -> str:
    return "-".join(name.lower().replace("&", " ").split())


def _team_sizes(rng: random.Random, member_count: int, team_count: int) -> list[int]:
    weights = [rng.uniform(0.75, 1.25) for _ in range(team_count)]
    spare = member_count - SMALLEST_TEAM * team_count
    sizes = [SMALLEST_TEAM + int(spare * w / sum(weights)) for w in weights]
    for index in range(member_count - sum(sizes)):
        sizes[index % team_count] += 1
    return sizes


class _NameSource:
    """Realistic, unique usernames (first.last, with a number on a rare clash)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken = {ADMIN_USERNAME, *NAMED_PEOPLE}

    def next(self) -> tuple[str, str, str]:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        base = f"{first}.{last}".lower().replace("'", "")
        username, suffix = base, 1
        while username in self.taken:
            suffix += 1
            username = f"{base}{suffix}"
        self.taken.add(username)
        return username, first, last


def organisation_plan(*, people: int, anchor: dt.date) -> OrganisationPlan:
    """Departments of teams sized so the organisation holds `people` people in all."""
    rng = random.Random(f"upskill-demo:organisation:{people}")
    names = _NameSource(rng)
    team_count = max(BASE_TEAM_COUNT, round(people / PEOPLE_PER_TEAM_AT_SCALE))
    # Each "copy" of the three departments holds up to 27 teams (three of each template).
    department_copies = math.ceil(team_count / (3 * BASE_TEAM_COUNT))
    root = TeamPlan(slug=_slugify(COMPANY), name=COMPANY, parent_slug=None)

    leaders: list[PersonPlan] = []

    def led_unit(
        slug: str, name: str, parent: TeamPlan, lead_role: str, username: str | None = None
    ) -> TeamPlan:
        """A team above the working teams, with its head (a leader working in it)."""
        unit = TeamPlan(slug=slug, name=name, parent_slug=parent.slug)
        if username is None:
            username, first, last = names.next()
        else:
            first, last = NAMED_PEOPLE[username]
        unit.leader_usernames.append(username)
        unit.member_usernames.append(username)
        leaders.append(
            PersonPlan(
                username=username,
                first_name=first,
                last_name=last,
                team_slug=unit.slug,
                job_role=lead_role,
                manager_username=parent.leader_usernames[0] if parent.leader_usernames else None,
                joined_on=anchor - dt.timedelta(days=rng.randint(4 * 365, 12 * 365)),
                tier=0,
            )
        )
        return unit

    department_count = 3 * department_copies
    groupings: list[TeamPlan] = []
    division_of_department: list[TeamPlan] = []  # by department index, when there are any
    if department_count > DEPARTMENTS_BEFORE_DIVISIONS:
        division_count = math.ceil(department_count / DEPARTMENTS_PER_DIVISION)
        region_count = math.ceil(division_count / DIVISIONS_PER_REGION)
        regions = []
        for n in range(region_count):
            base = REGION_NAMES[n % len(REGION_NAMES)]
            name = base if n < len(REGION_NAMES) else f"{base} {n // len(REGION_NAMES) + 1}"
            regions.append(led_unit(_slugify(name), name, root, PRODUCT_MANAGER))
        divisions = []
        for n in range(division_count):
            region = regions[n // DIVISIONS_PER_REGION]
            name = f"{region.name} Division {n % DIVISIONS_PER_REGION + 1}"
            divisions.append(led_unit(_slugify(name), name, region, PRODUCT_MANAGER))
        groupings = regions + divisions
        division_of_department = [
            divisions[index // DEPARTMENTS_PER_DIVISION] for index in range(department_count)
        ]

    departments: list[TeamPlan] = []
    for copy in range(department_copies):
        for index, template in enumerate(DEPARTMENTS):
            name = template.name if copy == 0 else f"{template.name} {copy + 1}"
            position = 3 * copy + index
            parent = division_of_department[position] if division_of_department else root
            named = LEADER_USERNAME if position == 0 else None
            departments.append(led_unit(_slugify(name), name, parent, template.lead_role, named))

    teams: list[TeamPlan] = []
    members: list[PersonPlan] = []
    sizes = _team_sizes(rng, people - len(leaders), team_count)
    for index, size in enumerate(sizes):
        template = TEAM_TEMPLATES[index % BASE_TEAM_COUNT]
        copy = index // BASE_TEAM_COUNT
        department = departments[template.department + 3 * (copy % department_copies)]
        name = template.name if copy == 0 else f"{template.name} {copy + 1}"
        adoption = template.adoption
        if copy:
            adoption = min(0.95, max(0.05, adoption + rng.uniform(-0.15, 0.15)))
        team = TeamPlan(
            slug=_slugify(name),
            name=name,
            parent_slug=department.slug,
            template=template,
            adoption=adoption,
        )
        roles, weights = zip(*template.roles, strict=True)
        lead_username = None
        for position in range(size):
            is_lead = position == 0
            if index == 0 and position in (0, 1):
                # Help Centre Support: the manager leads it, the employee works in it.
                username = MANAGER_USERNAME if is_lead else EMPLOYEE_USERNAME
                first, last = NAMED_PEOPLE[username]
            else:
                username, first, last = names.next()
            if username == EMPLOYEE_USERNAME:
                role, joined_on = roles[0], anchor - dt.timedelta(weeks=8)
            else:
                role = roles[0] if is_lead else rng.choices(roles, weights)[0]
                joined_on = anchor - dt.timedelta(days=rng.randint(60, 9 * 365))
            person = PersonPlan(
                username=username,
                first_name=first,
                last_name=last,
                team_slug=team.slug,
                job_role=role,
                manager_username=department.leader_usernames[0] if is_lead else lead_username,
                joined_on=joined_on,
                tier=1 if is_lead else 2,
                engagement=min(1.0, max(0.03, adoption * rng.uniform(0.6, 1.4))),
            )
            if is_lead:
                lead_username = username
                team.leader_usernames.append(username)
            team.member_usernames.append(username)
            members.append(person)
        teams.append(team)
    return OrganisationPlan(
        root=root,
        departments=departments,
        teams=teams,
        people=leaders + members,
        groupings=groupings,
    )
