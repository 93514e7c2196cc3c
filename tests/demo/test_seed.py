"""`manage.py seed_demo`: the demo organisation the README's quick start and the browser
tests rely on. A default seed takes well under a second on SQLite, so each test seeds
its own database rather than sharing one (sharing would stop the size tests from
starting empty).
"""

import datetime as dt
import io
import re
import statistics

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.test import RequestFactory
from django.utils import timezone

from demo.organisation import organisation_plan
from metrics.models import ActivityRecord, OutcomeObservation, WeeklyRollup
from pathways.models import (
    Enrollment,
    Pathway,
    Product,
    Recognition,
    RoleRubric,
    Stage,
    Step,
    StepFeedback,
    StepProgress,
)
from responsibilities.models import (
    AlignmentAnswer,
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    OwnerSide,
)
from upskill import access, cache
from upskill.models import JobRole, Person, Team

User = get_user_model()

# Every table the seed writes, including the many-to-many ones.
SEEDED_TABLES = [
    User,
    User.groups.through,
    Team,
    Team.leaders.through,
    JobRole,
    Person,
    Product,
    RoleRubric,
    Pathway,
    Pathway.products.through,
    Pathway.target_roles.through,
    Stage,
    Step,
    Step.prerequisites.through,
    Enrollment,
    StepProgress,
    StepFeedback,
    Recognition,
    Commitment,
    CommitmentCheckIn,
    AlignmentSurvey,
    AlignmentAnswer,
    ActivityRecord,
    OutcomeObservation,
    WeeklyRollup,
]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in SEEDED_TABLES}


def printed_logins(output: str) -> tuple[str, list[str]]:
    """The password and usernames from the command's "Demo logins" block."""
    password = re.search(r"Demo logins \(password for all: (\S+)\)", output).group(1)
    block = output.split("Demo logins", 1)[1].splitlines()[1:]
    usernames = [m.group(1) for line in block if (m := re.match(r"^  (\S+)  ", line))]
    return password, usernames


@pytest.fixture
def seeded(db) -> str:
    """A freshly seeded default demo; the value is what the command printed."""
    return seed()


def test_seed_builds_about_150_people_in_about_10_teams_under_three_leaders(seeded):
    working_teams = Team.objects.filter(children__isnull=True)
    departments = Team.objects.filter(parent__isnull=False, children__isnull=False).distinct()

    assert Person.objects.count() == 150
    assert 8 <= working_teams.count() <= 12
    assert all(team.members.count() >= 6 for team in working_teams)
    assert departments.count() == 3
    for department in departments:
        (leader,) = department.leaders.all()
        assert leader.groups.filter(name=access.LEADERS_GROUP).exists()
        assert Person.objects.filter(user=leader, team=department).exists()
    assert 4 <= JobRole.objects.count() <= 5
    assert set(Product.objects.values_list("kind", flat=True)) == {"product", "service", "process"}
    # A rubric for every job role x competency, in real words.
    assert RoleRubric.objects.count() == JobRole.objects.count() * 4
    assert not RoleRubric.objects.filter(
        Q(level_1="") | Q(level_4="") | Q(ethical_considerations="") | Q(decision_boundaries="")
    ).exists()


def test_seed_publishes_three_pathways_from_foundation_through_practice_to_coaching(
    seeded,
):
    pathways = Pathway.objects.published()

    assert pathways.count() == 3
    for pathway in pathways:
        kinds = list(pathway.stages.order_by("position").values_list("kind", "position"))
        assert kinds == [("foundation", 1), ("practice", 2), ("coaching", 3)]
        for stage in pathway.stages.annotate(steps_in_stage=Count("steps")):
            assert 2 <= stage.steps_in_stage <= 4
        assert pathway.targeted_measures.exists()
        assert pathway.steps.filter(evidence_required=True).exists()
        assert pathway.steps.filter(prerequisites__isnull=False).exists()
    practice_steps = Step.objects.filter(stage__kind=Stage.Kind.PRACTICE)
    assert practice_steps.exists()
    assert not practice_steps.filter(product__isnull=True).exists()
    assert not Step.objects.exclude(pathway=F("stage__pathway")).exists()
    assert not Step.objects.filter(
        Q(competency__isnull=True) | Q(target_level__isnull=True)
    ).exists()


def test_running_the_seed_twice_adds_nothing(seeded):
    first = table_counts()

    seed()

    assert table_counts() == first


def test_a_seed_moves_every_figure_input_on_so_nothing_cached_before_it_is_served(seeded):
    """The seed writes around the services: it moves every input's generation itself
    (upskill/cache.py), again on a re-run."""
    first = cache.generations(*cache.INPUTS)
    assert all(first.values())

    seed()

    again = cache.generations(*cache.INPUTS)
    assert all(again[name] > first[name] for name in cache.INPUTS)


def test_rerunning_the_seed_weeks_later_keeps_the_demo_year_where_it_was(seeded, monkeypatch):
    first = table_counts()
    last_week = OutcomeObservation.objects.latest("period_start").period_start
    later = timezone.localdate() + dt.timedelta(weeks=5)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)

    seed()

    assert table_counts() == first
    assert OutcomeObservation.objects.latest("period_start").period_start == last_week


def test_printed_logins_sign_in_with_the_roles_they_describe(seeded):
    password, usernames = printed_logins(seeded)
    assert usernames == ["admin", "leader", "manager", "employee"]
    admin, leader, manager, employee = (
        # django-axes (login throttling) needs the request that is signing in
        authenticate(RequestFactory().post("/login/"), username=username, password=password)
        for username in usernames
    )

    assert access.is_ld_admin(admin)
    assert admin.is_staff
    assert access.is_leader(leader)
    assert not access.is_ld_admin(leader)
    assert leader.groups.filter(name=access.LEADERS_GROUP).exists()
    assert access.person_of(leader) is not None
    employee_person = access.person_of(employee)
    assert employee_person is not None
    assert not access.is_leader(employee)
    assert not access.is_ld_admin(employee)
    # The employee's manager can review their evidence, and sits in the leader's tree.
    assert employee_person.manager == access.person_of(manager)
    assert access.can_review(manager, employee_person)
    assert employee_person.team_id in access.visible_team_ids(leader)
    assert StepProgress.objects.filter(
        enrollment__person=employee_person, status=StepProgress.Status.SUBMITTED
    ).exists()
    assert Enrollment.objects.filter(person=employee_person, completed_at__isnull=True).exists()


def test_nobody_manages_themselves_and_everyone_below_the_leaders_has_a_manager(seeded):
    leader_ids = set(
        Team.objects.filter(children__isnull=False, parent__isnull=False).values_list(
            "leaders", flat=True
        )
    )

    assert not Person.objects.filter(manager=F("pk")).exists()
    assert not (
        Person.objects.exclude(user_id__in=leader_ids).filter(manager__isnull=True).exists()
    )
    # A team member's manager leads the same team; a team lead's manager leads its department.
    for person in Person.objects.filter(manager__isnull=False).select_related(
        "team", "manager__team"
    ):
        manager_team = person.manager.team
        assert manager_team == person.team or manager_team == person.team.parent
        assert manager_team.leaders.filter(pk=person.manager.user_id).exists()


def test_progress_tells_a_consistent_story(seeded):
    completed = Enrollment.objects.filter(completed_at__isnull=False)
    reviewed = StepProgress.objects.filter(reviewer__isnull=False)

    assert completed.exists()
    for enrollment in completed.annotate(
        steps=Count("pathway__steps", distinct=True),
        approved=Count("progress", filter=Q(progress__status="approved"), distinct=True),
    ):
        assert enrollment.approved == enrollment.steps
    assert Enrollment.objects.filter(completed_at__isnull=True, progress__isnull=False).exists()
    assert Enrollment.objects.filter(progress__isnull=True).exists()  # not started yet
    assert StepProgress.objects.filter(status=StepProgress.Status.SUBMITTED).count() >= 3
    assert not reviewed.exclude(reviewer=F("enrollment__person__manager")).exists()
    assert not reviewed.filter(status="approved", rubric_level__isnull=True).exists()
    assert not StepProgress.objects.filter(
        status=StepProgress.Status.SUBMITTED, submitted_at__isnull=True
    ).exists()
    now = timezone.now()
    assert not StepProgress.objects.filter(
        Q(started_at__gt=now) | Q(submitted_at__gt=now) | Q(completed_at__gt=now)
    ).exists()
    assert not ActivityRecord.objects.filter(occurred_at__gt=now).exists()


def test_commitments_recognitions_and_two_closed_alignment_pulses(seeded):
    titles = set(Commitment.objects.values_list("title", flat=True))
    first, second = AlignmentSurvey.objects.order_by("opens_at")
    leaders = Team.leaders.through.objects.values("user_id")
    leader_answers = AlignmentAnswer.objects.filter(survey=first, person__user_id__in=leaders)
    employee_answers = AlignmentAnswer.objects.filter(survey=first).exclude(
        person__user_id__in=leaders
    )

    assert "4 hours of protected learning time per person per week" in titles
    assert "One practice project on your own product per stage" in titles
    assert CommitmentCheckIn.objects.values("team").distinct().count() >= 8
    # the employee commitments the app measures get computed check-ins, not typed ones
    computed = CommitmentCheckIn.objects.filter(commitment__computed_from__gt="")
    assert computed.exists()
    assert set(computed.values_list("source", flat=True)) == {CommitmentCheckIn.Source.COMPUTED}
    assert Recognition.objects.exists()
    assert {first.status, second.status} == {AlignmentSurvey.Status.CLOSED}
    # The standoff the product exists to resolve: each side says the other owns it.
    assert statistics.mode(leader_answers.values_list("believed_owner", flat=True)) == (
        OwnerSide.EMPLOYEE
    )
    assert statistics.mode(employee_answers.values_list("believed_owner", flat=True)) == (
        OwnerSide.EMPLOYER
    )


def _cycle_time_change(team: Team) -> float:
    """Mean cycle time over the last 8 weeks relative to the first 8 (-0.2 = 20% faster)."""
    values = list(
        OutcomeObservation.objects.filter(team=team, measure__key="cycle_time_days")
        .order_by("period_start")
        .values_list("value", flat=True)
    )
    assert len(values) == 52
    return statistics.mean(values[-8:]) / statistics.mean(values[:8]) - 1


def test_teams_that_complete_pathways_cut_their_cycle_time_and_the_others_stay_flat(
    seeded,
):
    teams = list(
        Team.objects.filter(children__isnull=True).annotate(
            completions=Count(
                "members__enrollments",
                filter=Q(members__enrollments__completed_at__isnull=False),
            )
        )
    )
    most_completing = max(teams, key=lambda team: team.completions)
    not_completing = [team for team in teams if team.completions == 0]
    assert not_completing

    improvement = _cycle_time_change(most_completing)

    assert improvement < -0.15
    for team in not_completing:
        assert _cycle_time_change(team) > improvement + 0.1
    assert OutcomeObservation.objects.filter(source="demo", sample_size__lt=1).count() == 0
    assert WeeklyRollup.objects.exists()


def test_people_option_scales_the_organisation(db):
    output = seed("--people", "300")

    assert Person.objects.count() == 300
    assert Team.objects.filter(children__isnull=True).count() == 12
    assert "300 people in 12 teams" in output


def test_seeding_a_different_size_into_an_existing_demo_is_refused(seeded):
    with pytest.raises(CommandError, match="already holds a demo organisation of 150"):
        seed("--people", "300")

    assert Person.objects.count() == 150


def test_a_50000_person_plan_is_about_2000_teams_five_levels_deep():
    """The scale seed's tree (planned in memory; seeding it is bench/scale_bench.py's
    job): the company, regions, divisions, departments and the teams people work in,
    every team below the company led by someone in it, and everyone but the regions'
    heads managed by a leader of their own team or the team above."""
    plan = organisation_plan(people=50_000, anchor=dt.date(2025, 1, 6))
    parent_of = {team.slug: team.parent_slug for team in plan.all_teams}

    def depth(slug):
        return 1 if parent_of[slug] is None else depth(parent_of[slug]) + 1

    assert len(plan.people) == 50_000
    assert len(plan.teams) == 2_000
    assert {depth(team.slug) for team in plan.teams} == {5}
    assert max(depth(slug) for slug in parent_of) == 5
    assert len(plan.all_teams) == len(parent_of)  # slugs are unique
    leaders_of = {team.slug: team.leader_usernames for team in plan.all_teams}
    assert all(leaders_of[team.slug] for team in plan.all_teams[1:])
    heads = [p for p in plan.people if p.manager_username is None]
    assert {p.team_slug for p in heads} == {t.slug for t in plan.all_teams if depth(t.slug) == 2}
    for person in plan.people:
        if person.manager_username is not None:
            manager = plan.people_by_username[person.manager_username]
            assert manager.team_slug in (person.team_slug, parent_of[person.team_slug])
            assert manager.username in leaders_of[manager.team_slug]


def test_smaller_plans_keep_the_company_departments_teams_tree():
    plan = organisation_plan(people=5_000, anchor=dt.date(2025, 1, 6))

    assert not plan.groupings
    assert {team.parent_slug for team in plan.departments} == {plan.root.slug}
    assert len(plan.teams) == 200
