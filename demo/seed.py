"""The one write that builds the demo organisation, start to finish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from demo import commitments, content, learning, organisation, organisation_write, outcomes
from demo.catalogue import EMAIL_DOMAIN, ROLES
from demo.organisation import (
    ADMIN_NAME,
    ADMIN_USERNAME,
    DEFAULT_PEOPLE,
    EMPLOYEE_USERNAME,
    LEADER_USERNAME,
    MANAGER_USERNAME,
    MIN_PEOPLE,
    OrganisationPlan,
)
from demo.timeline import timeline_for_seed
from metrics.models import ActivityRecord, OutcomeObservation, ToolLogin, WeeklyRollup
from metrics.services import commitment_check_ins_compute, rollup_rebuild
from metrics.services.connectors import SINCE_ALWAYS
from pathways.models import Enrollment, Pathway, Recognition, Step, StepProgress
from responsibilities.models import AlignmentAnswer, Commitment, CommitmentCheckIn
from upskill import cache
from upskill.models import Person, Team

DEMO_PASSWORD = "upskill-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str


@dataclass(frozen=True)
class DemoSeedResult:
    anchor: dt.date  # the Monday the demo year runs up to
    counts: dict[str, int]
    logins: list[DemoLogin]
    password: str = DEMO_PASSWORD


def _logins(plan: OrganisationPlan) -> list[DemoLogin]:
    people = plan.people_by_username
    teams = {team.slug: team for team in plan.all_teams}

    def name(username: str) -> str:
        return f"{people[username].first_name} {people[username].last_name}"

    employee = people[EMPLOYEE_USERNAME]
    leader_team = teams[people[LEADER_USERNAME].team_slug]
    employee_team = teams[employee.team_slug]
    led_teams = sum(1 for team in plan.teams if team.parent_slug == leader_team.slug)
    return [
        DemoLogin(
            ADMIN_USERNAME,
            " ".join(ADMIN_NAME),
            "L&D admin: pathways, rubrics, commitments; Django admin too",
        ),
        DemoLogin(
            LEADER_USERNAME,
            name(LEADER_USERNAME),
            f"leads {leader_team.name} ({led_teams} teams)",
        ),
        DemoLogin(
            MANAGER_USERNAME,
            name(MANAGER_USERNAME),
            f"leads {employee_team.name}; reviews the employee's evidence",
        ),
        DemoLogin(
            EMPLOYEE_USERNAME,
            name(EMPLOYEE_USERNAME),
            f"{employee.job_role.lower()}, mid-pathway, evidence waiting for review",
        ),
    ]


def _counts() -> dict[str, int]:
    enrollments = Enrollment.objects.all()
    completed = enrollments.filter(completed_at__isnull=False).count()
    not_started = enrollments.filter(completed_at__isnull=True, progress__isnull=True).count()
    total = enrollments.count()
    return {
        "people": Person.objects.count(),
        "teams": Team.objects.count(),
        "working_teams": Team.objects.filter(children__isnull=True).count(),
        "departments": Team.objects.filter(parent__isnull=False, children__isnull=False)
        .distinct()
        .count(),
        "levels": _tree_levels(),
        "leaders": Team.leaders.through.objects.values("user_id").distinct().count(),
        "pathways": Pathway.objects.published().count(),
        "steps": Step.objects.count(),
        "enrollments": total,
        "enrollments_completed": completed,
        "enrollments_in_progress": total - completed - not_started,
        "enrollments_not_started": not_started,
        "step_progress": StepProgress.objects.count(),
        "waiting_for_review": StepProgress.objects.filter(
            status=StepProgress.Status.SUBMITTED
        ).count(),
        "commitments": Commitment.objects.count(),
        "check_ins": CommitmentCheckIn.objects.count(),
        "recognitions": Recognition.objects.count(),
        "pulse_answers": AlignmentAnswer.objects.count(),
        "activity_records": ActivityRecord.objects.count(),
        "observations": OutcomeObservation.objects.count(),
        "rollups": WeeklyRollup.objects.count(),
    }


def _tree_levels() -> int:
    """How many levels deep the team tree is (the company counts as the first)."""
    parent_of = dict(Team.objects.values_list("id", "parent_id"))
    depth: dict[int, int] = {}

    def depth_of(team_id: int) -> int:
        if team_id not in depth:
            parent_id = parent_of[team_id]
            depth[team_id] = 1 if parent_id is None else depth_of(parent_id) + 1
        return depth[team_id]

    return max(map(depth_of, parent_of), default=0)


@transaction.atomic
def _tool_logins_write(*, person_ids: dict[str, int]) -> None:
    """Everyone's GitHub login in the identity map (`<username>-gh`), so the upload
    page's sample GitHub file is recognised; Jira's sample is matched by email."""
    ToolLogin.objects.bulk_create(
        [
            ToolLogin(person_id=person_id, system=ToolLogin.System.GITHUB,
                      login=f"{username}-gh".lower(), valid_from=SINCE_ALWAYS)
            for username, person_id in person_ids.items()
        ],
        batch_size=2_000,
        ignore_conflicts=True,
    )  # fmt: skip


def demo_organisation_seed(*, people: int = DEFAULT_PEOPLE) -> DemoSeedResult:
    """Create (or find) the demo organisation: about `people` people, ~25 to a team.

    Safe to re-run: every row is found by its natural key or source_id, and the demo
    year stays anchored where the first run put it.
    """
    if people < MIN_PEOPLE:
        raise ValidationError(f"A demo organisation needs at least {MIN_PEOPLE} people.")
    timeline = timeline_for_seed()
    plan = organisation.organisation_plan(people=people, anchor=timeline.anchor)
    existing = Person.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count()
    if existing and existing != len(plan.people):
        raise ValidationError(
            f"This database already holds a demo organisation of {existing} people. Seed "
            f"{len(plan.people)} people into a fresh database instead (migrate an empty one)."
        )

    password_hash = make_password(DEMO_PASSWORD)  # once: hashing is slow on purpose
    role_ids = organisation_write.job_roles_write(roles=ROLES)
    team_ids = organisation_write.teams_write(plan)
    admin_id = organisation_write.admin_write(password_hash=password_hash)
    user_ids = organisation_write.users_write(people=plan.people, password_hash=password_hash)
    person_ids = organisation_write.people_write(
        plan=plan, user_ids=user_ids, team_ids=team_ids, role_ids=role_ids
    )
    organisation_write.leaders_write(plan=plan, user_ids=user_ids, team_ids=team_ids)
    _tool_logins_write(person_ids=person_ids)

    catalogue_ids = content.catalogue_write(role_ids=role_ids)
    content_ids = content.pathways_write(
        role_ids=role_ids, catalogue_ids=catalogue_ids, published_at=timeline.moment(0.5)
    )

    enrollments = learning.learning_plan(organisation=plan)
    enrollment_ids = learning.enrollments_write(
        enrollments=enrollments,
        timeline=timeline,
        person_ids=person_ids,
        pathway_ids=content_ids.pathways,
        assigned_by_id=admin_id,
    )
    learning.progress_write(
        enrollments=enrollments,
        timeline=timeline,
        enrollment_ids=enrollment_ids,
        step_ids=content_ids.steps,
        person_ids=person_ids,
    )
    learning.feedback_write(
        enrollments=enrollments, person_ids=person_ids, step_ids=content_ids.steps
    )
    learning.recognitions_write(organisation=plan, person_ids=person_ids, timeline=timeline)

    commitments.commitments_write(
        organisation=plan, team_ids=team_ids, user_ids=user_ids, timeline=timeline
    )
    commitments.alignment_pulse_write(
        organisation=plan, person_ids=person_ids, created_by_id=admin_id, timeline=timeline
    )

    outcomes.activity_write(
        enrollments=enrollments,
        timeline=timeline,
        person_ids=person_ids,
        pathway_ids=content_ids.pathways,
        step_ids=content_ids.steps,
    )
    outcomes.observations_write(
        organisation=plan, enrollments=enrollments, timeline=timeline, team_ids=team_ids
    )
    rollup_rebuild()
    commitment_check_ins_compute(today=timeline.anchor - dt.timedelta(days=1))
    # Written around the services: every figure cached before the seed is stale.
    cache.inputs_changed(*cache.INPUTS)
    return DemoSeedResult(anchor=timeline.anchor, counts=_counts(), logins=_logins(plan))
