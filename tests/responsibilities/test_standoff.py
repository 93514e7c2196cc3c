"""The standoff score: perception gap and both sides' fulfilment, per team and pulse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from responsibilities import periods, selectors, services
from responsibilities.models import AlignmentSurvey, ResponsibilityArea
from tests.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _agreed_answers(matching_areas: int):
    """Answers agreeing with the matrix on the first `matching_areas` areas, not after."""
    flip = {"employer": "employee", "employee": "employer", "shared": "employer"}
    return {
        area.pk: (area.owner_side if n < matching_areas else flip[area.owner_side], 3)
        for n, area in enumerate(ResponsibilityArea.objects.order_by("position"))
    }


def _commitment(party, title, target="4"):
    area = ResponsibilityArea.objects.get(key="learning-infrastructure")
    return services.commitment_create(
        area=area, party=party, title=title, target=Decimal(target), unit="units", period="week"
    )


@pytest.fixture
def team_with_pulse(settings):
    settings.MIN_GROUP_SIZE = 5
    team = TeamFactory(name="Support")
    people = PersonFactory.create_batch(5, team=team)
    survey = services.survey_open(title="Pulse 1", closes_at=timezone.now() + dt.timedelta(days=1))
    for person in people:
        # 6 of 8 areas agree with the matrix: perception gap 25
        services.pulse_answer(survey=survey, person=person, answers=_agreed_answers(6))
    return team, survey


def test_the_score_averages_perception_gap_and_both_sides_shortfall(team_with_pulse):
    team, survey = team_with_pulse
    this_week = periods.period_start(timezone.localdate(), "week")
    employer = _commitment("manager", "Protected hours")
    employee = _commitment("employee", "Practice sessions", target="2")
    services.check_in_record(
        commitment=employer, team=team, period_start=this_week, value=Decimal(3)
    )
    services.check_in_record(
        commitment=employee, team=team, period_start=this_week, value=Decimal(3)
    )
    [score] = selectors.standoff_scores(teams=[team], surveys=[survey])[team.pk]
    assert score.perception_gap == 25
    assert score.employer_shortfall == 25  # delivered 3 of 4
    assert score.employee_shortfall == 0  # 150% is capped at 100%
    assert score.score == round((25 + 25 + 0) / 3)
    assert score.missing == []


def test_missing_check_ins_leave_a_part_out_instead_of_counting_zero(team_with_pulse):
    team, survey = team_with_pulse
    _commitment("manager", "Protected hours")
    [score] = selectors.standoff_scores(teams=[team], surveys=[survey])[team.pk]
    assert score.employer_shortfall is None
    assert score.employee_shortfall is None
    assert score.score == 25
    assert any("employer fulfilment" in part for part in score.missing)


def test_a_team_with_too_few_respondents_shows_no_perception_gap(settings):
    settings.MIN_GROUP_SIZE = 5
    team = TeamFactory()
    survey = services.survey_open(title="P", closes_at=timezone.now() + dt.timedelta(days=1))
    for person in PersonFactory.create_batch(4, team=team):
        services.pulse_answer(survey=survey, person=person, answers=_agreed_answers(0))
    [score] = selectors.standoff_scores(teams=[team], surveys=[survey])[team.pk]
    assert score.perception_gap is None
    assert score.score is None


def test_the_score_is_trended_over_pulses(team_with_pulse):
    team, first = team_with_pulse
    services.survey_close(survey=first)
    second = services.survey_open(title="Pulse 2", closes_at=timezone.now() + dt.timedelta(days=1))
    for person in team.members.all():
        services.pulse_answer(survey=second, person=person, answers=_agreed_answers(8))
    series = selectors.standoff_scores(teams=[team], surveys=[first, second])[team.pk]
    assert [s.perception_gap for s in series] == [25, 0]


def test_the_standoff_page_shows_a_leaders_teams_only(client, team_with_pulse):
    team, _ = team_with_pulse
    boss, rival = UserFactory(), UserFactory()
    team.leaders.add(boss)
    TeamFactory(name="Rivals", leaders=[rival])
    client.force_login(boss)
    page = client.get("/responsibilities/standoff/")
    assert page.status_code == 200
    assert "Support" in page.text
    assert "Rivals" not in page.text
    assert "How the score works" in page.text
    client.force_login(team.members.first().user)
    assert client.get("/responsibilities/standoff/").status_code == 403


def test_standoff_page_query_count_does_not_grow(
    client, team_with_pulse, ld_admin, django_assert_num_queries
):
    client.force_login(ld_admin)
    _commitment("ld", "Commitment before")  # so the check-in read runs from the start
    # session + user + groups (admin check) + all team ids (visible teams) + teams
    # + surveys + the figure inputs' generations (the figures cache's key) + agreed
    # areas + answer tallies + respondents + team sizes + commitments + their teams
    # (prefetch) + check-ins + person (navigation) = 15
    with django_assert_num_queries(15):
        client.get("/responsibilities/standoff/")
    # Again, nothing changed: the scores come from the cache, without the seven reads
    # behind them = 8.
    with django_assert_num_queries(8):
        client.get("/responsibilities/standoff/")
    team, survey = team_with_pulse
    for n in range(5):
        other = TeamFactory()
        for person in PersonFactory.create_batch(5, team=other):
            services.pulse_answer(survey=survey, person=person, answers=_agreed_answers(n))
        _commitment("ld", f"Commitment {n}")
    assert AlignmentSurvey.objects.count() == 1
    # The same 15 with six teams, 30 respondents and six commitments (computed: the
    # answers and commitments moved the generations on).
    with django_assert_num_queries(15):
        client.get("/responsibilities/standoff/")


def test_the_standoff_page_shows_a_page_of_teams_found_by_name(
    client, team_with_pulse, ld_admin, django_assert_num_queries
):
    _commitment("ld", "Learning hours")
    for n in range(60):
        TeamFactory(name=f"Squad {n:02d}")
    client.force_login(ld_admin)

    with django_assert_num_queries(15):
        first = client.get("/responsibilities/standoff/")
    assert first.text.count('<th scope="row">') == 50  # 61 teams: 50, then 11
    assert "Page 1 of 2" in first.text
    assert '<input type="search" name="q"' in first.text
    with django_assert_num_queries(15):
        second = client.get("/responsibilities/standoff/?page=2")
    assert second.text.count('<th scope="row">') == 11
    found = client.get("/responsibilities/standoff/?q=support")
    assert [team.name for team, _ in found.context["series"]] == ["Support"]
    assert "1 team whose name contains “support”" in found.text
