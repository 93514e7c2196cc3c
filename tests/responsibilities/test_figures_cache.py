"""The fulfilment overview, the standoff table and a pulse's results from the figures
cache (upskill/cache.py): computed once per scope and input generations, every check-in,
pulse answer and move of people or teams on the very next request, and viewers with
different scopes never sharing an entry. The pinned counts of a team's fulfilment, the
standoff and pulse results, computed and cached, are in test_fulfilment.py,
test_standoff.py and test_pulse.py; the overview's are here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from responsibilities import periods, services
from responsibilities.models import CommitmentCheckIn, ResponsibilityArea
from tests.factories import PersonFactory, TeamFactory, UserFactory
from tests.hr_files import organisation_sync

pytestmark = pytest.mark.django_db

THIS_WEEK = periods.period_start(timezone.localdate(), "week")
LAST_WEEK = THIS_WEEK - dt.timedelta(weeks=1)


def overview(client) -> dict[str, list[str]]:
    """Each team's row of the fulfilment overview: its cells' states."""
    response = client.get("/responsibilities/fulfilment/")
    assert response.status_code == 200
    return {
        row.team.name: [cell.state if cell else "n/a" for cell in row.cells]
        for row in response.context["overview"]
    }


def standoff(client) -> dict[str, list]:
    """Each team's scores: (perception gap, employer shortfall) per pulse."""
    response = client.get("/responsibilities/standoff/")
    assert response.status_code == 200
    return {
        team.name: [(s.perception_gap, s.employer_shortfall) for s in scores]
        for team, scores in response.context["series"]
    }


def results(client, survey):
    response = client.get(f"/responsibilities/pulse/{survey.pk}/results/")
    assert response.status_code == 200
    return response.context["results"]


def answers(owner: str) -> dict[int, tuple[str, int]]:
    return {area.pk: (owner, 3) for area in ResponsibilityArea.objects.all()}


def agreeing(agree: bool) -> dict[int, tuple[str, int]]:
    flip = {"employer": "employee", "employee": "employer", "shared": "employer"}
    return {
        area.pk: (area.owner_side if agree else flip[area.owner_side], 3)
        for area in ResponsibilityArea.objects.all()
    }


@pytest.fixture
def survey():
    return services.survey_open(title="Pulse", closes_at=timezone.now() + dt.timedelta(days=7))


@pytest.fixture
def org(learning_time):
    """Engineering (led by `boss`) over Checkout; Sales (led by `rival`) beside them."""
    boss, rival = UserFactory(), UserFactory()
    parent = TeamFactory(name="Engineering", leaders=[boss])
    child = TeamFactory(name="Checkout", parent=parent)
    sibling = TeamFactory(name="Sales", leaders=[rival])
    return {"boss": boss, "rival": rival, "parent": parent, "child": child, "sibling": sibling}


def test_the_overview_is_computed_once_then_served_from_the_cache(
    client, org, django_assert_num_queries
):
    client.force_login(org["boss"])
    # session + user + groups + led teams and the teams below them + person + teams + the
    # figure inputs' generations (the figures cache's key) + commitments + their teams
    # + check-ins + team sizes = 11
    with django_assert_num_queries(11):
        client.get("/responsibilities/fulfilment/")
    # Again: from the cache, without commitments, their teams, check-ins, sizes = 7.
    with django_assert_num_queries(7):
        client.get("/responsibilities/fulfilment/")
    for _ in range(6):
        TeamFactory(parent=org["child"])
    # Six more teams in the scope: a new entry, the same 11, then the same 7.
    with django_assert_num_queries(11):
        assert len(client.get("/responsibilities/fulfilment/").context["overview"]) == 8
    with django_assert_num_queries(7):
        client.get("/responsibilities/fulfilment/")


def test_a_check_in_is_on_the_overview_and_the_teams_rows_on_the_very_next_request(
    client, org, learning_time
):
    client.force_login(org["boss"])
    assert overview(client)["Checkout"] == ["missing"]
    team_page = f"/responsibilities/fulfilment/?team={org['child'].slug}"
    assert "75%" not in client.get(team_page).text

    services.check_in_record(
        commitment=learning_time, team=org["child"], period_start=THIS_WEEK, value=Decimal(3)
    )

    assert overview(client)["Checkout"] == ["partial"]
    assert "75%" in client.get(team_page).text


def test_leaders_of_different_teams_never_share_an_overview(client, org, learning_time):
    TeamFactory(name="Sales EMEA", parent=org["sibling"])
    services.check_in_record(
        commitment=learning_time, team=org["sibling"], period_start=THIS_WEEK, value=Decimal(4)
    )
    client.force_login(org["boss"])
    assert overview(client) == {"Checkout": ["missing"], "Engineering": ["missing"]}
    client.force_login(org["rival"])  # the same URL and generations
    assert overview(client) == {"Sales": ["met"], "Sales EMEA": ["missing"]}
    client.force_login(org["boss"])
    assert overview(client) == {"Checkout": ["missing"], "Engineering": ["missing"]}


def test_people_moved_by_hr_sync_change_what_is_hidden_on_the_very_next_request(
    client, infrastructure, settings
):
    """A computed (employee) figure is hidden for a team under MIN_GROUP_SIZE people. The
    same teams in view, people moved between them: only the organisation's generation
    tells the cached overview is stale."""
    settings.MIN_GROUP_SIZE = 5
    tree = {"T1": ("Operations", "", "E0"), "T2": ("Support", "T1", ""), "T3": ("Sales", "T1", "")}
    staff = {"E0": "T1", **{f"S{n}": "T2" for n in range(5)}, **{f"A{n}": "T3" for n in range(4)}}
    teams, people = organisation_sync(teams=tree, people=staff)
    practice = services.commitment_create(
        area=infrastructure,
        party="employee",
        title="Practice evidence",
        target=Decimal("1"),
        unit="submissions per person",
        period="week",
        computed_from="practice_submissions",
    )
    for key in ("T2", "T3"):
        CommitmentCheckIn.objects.create(
            commitment=practice, team=teams[key], period_start=THIS_WEEK, value=Decimal("1")
        )
    client.force_login(people["E0"].user)
    # Operations has one person (E0): always hidden; Sales four, Support five.
    assert overview(client) == {
        "Operations": ["suppressed"],
        "Sales": ["suppressed"],
        "Support": ["met"],
    }

    organisation_sync(teams=tree, people={**staff, "S4": "T3"})

    assert overview(client) == {
        "Operations": ["suppressed"],
        "Sales": ["met"],
        "Support": ["suppressed"],
    }


def test_a_pulse_answer_is_on_the_standoff_and_the_results_on_the_very_next_request(
    client, survey, ld_admin, settings
):
    settings.MIN_GROUP_SIZE = 5
    team = TeamFactory(name="Support")
    people = PersonFactory.create_batch(5, team=team)
    for person in people[:4]:
        services.pulse_answer(survey=survey, person=person, answers=agreeing(True))
    client.force_login(ld_admin)
    assert standoff(client) == {"Support": [(None, None)]}  # four respondents: hidden
    assert results(client, survey).overall["employees"].suppressed

    services.pulse_answer(survey=survey, person=people[4], answers=agreeing(False))

    assert standoff(client) == {"Support": [(20, None)]}  # one in five disagrees
    employees = results(client, survey).overall["employees"]
    assert (employees.suppressed, employees.respondents) == (False, 5)


def test_a_check_in_is_on_the_standoff_on_the_very_next_request(
    client, survey, ld_admin, learning_time
):
    team = TeamFactory(name="Support")
    client.force_login(ld_admin)
    assert standoff(client) == {"Support": [(None, None)]}

    services.check_in_record(
        commitment=learning_time, team=team, period_start=LAST_WEEK, value=Decimal(2)
    )

    assert standoff(client) == {"Support": [(None, 50)]}  # 2 of 4 hours: half short


def test_a_person_moved_by_hr_sync_takes_their_answers_to_the_new_teams_standoff(
    client, survey, settings
):
    settings.MIN_GROUP_SIZE = 5
    tree = {"T1": ("Operations", "", "E0"), "T2": ("Support", "T1", ""), "T3": ("Sales", "T1", "")}
    staff = {"E0": "T1", **{f"S{n}": "T2" for n in range(5)}, **{f"A{n}": "T3" for n in range(4)}}
    _teams, people = organisation_sync(teams=tree, people=staff)
    for eid in staff:
        if eid != "E0":
            services.pulse_answer(survey=survey, person=people[eid], answers=agreeing(True))
    client.force_login(people["E0"].user)
    assert standoff(client) == {
        "Operations": [(None, None)],
        "Sales": [(None, None)],
        "Support": [(0, None)],
    }

    organisation_sync(teams=tree, people={**staff, "S4": "T3"})

    assert standoff(client) == {
        "Operations": [(None, None)],
        "Sales": [(0, None)],
        "Support": [(None, None)],
    }


def test_leaders_of_different_teams_never_share_a_standoff_table(client, survey, settings):
    settings.MIN_GROUP_SIZE = 1
    boss, rival = UserFactory(), UserFactory()
    mine = TeamFactory(name="Support", leaders=[boss])
    theirs = TeamFactory(name="Sales", leaders=[rival])
    services.pulse_answer(survey=survey, person=PersonFactory(team=mine), answers=agreeing(True))
    services.pulse_answer(survey=survey, person=PersonFactory(team=theirs), answers=agreeing(False))

    client.force_login(boss)
    assert standoff(client) == {"Support": [(0, None)]}
    client.force_login(rival)  # the same URL and generations
    assert standoff(client) == {"Sales": [(100, None)]}


def test_a_respondent_made_a_leader_by_hr_sync_moves_group_on_the_very_next_request(
    client, survey, settings
):
    settings.MIN_GROUP_SIZE = 1
    tree = {"T1": ("Operations", "", ""), "T2": ("Support", "T1", "")}
    _teams, people = organisation_sync(teams=tree, people={"E1": "T1", "E2": "T2"})
    for person in people.values():
        services.pulse_answer(survey=survey, person=person, answers=answers("employer"))
    client.force_login(people["E1"].user)
    before = results(client, survey).overall
    assert (before["leaders"].respondents, before["employees"].respondents) == (0, 2)

    organisation_sync(teams={**tree, "T1": ("Operations", "", "E1")}, people={})

    after = results(client, survey).overall
    assert (after["leaders"].respondents, after["employees"].respondents) == (1, 1)


def test_a_new_area_of_the_matrix_is_on_the_results_on_the_very_next_request(
    client, survey, ld_admin
):
    client.force_login(ld_admin)
    assert "Sandboxes" not in [a.area.name for a in results(client, survey).areas]

    services.area_create(
        name="Sandboxes",
        description="",
        owner_side="employer",
        letters={"ld": "A", "manager": "R"},
    )

    assert "Sandboxes" in [a.area.name for a in results(client, survey).areas]
