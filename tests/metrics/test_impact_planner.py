"""The impact planner: the smallest detectable effect per measure for the teams and
weeks at hand, and a randomised rollout order (table and CSV) for an assignment wave."""

import csv
import datetime as dt
import io

import pytest

from metrics import selectors, services
from tests.factories import PathwayFactory, PersonFactory, TeamFactory
from tests.metrics.impact_panels import panel_write, planted_panel

pytestmark = pytest.mark.django_db

FIRST_WEEK = dt.date(2025, 1, 6)
URL = "/dashboard/impact-planner/"


@pytest.fixture
def history():
    """12 teams of 5 with a year of cycle time; none has started (the wave to plan)."""
    pathway = PathwayFactory(slug="ai-basics")
    planted = planted_panel(teams=12, effect=0.0, never_share=1.0, seed=41)
    panel_write(planted, first_week=FIRST_WEEK, pathway=pathway)
    services.rollup_rebuild()
    services.impact_estimates_refresh()
    return pathway


def test_admin_sees_the_detectable_effect_and_a_shuffled_order_of_waiting_teams(
    client, ld_admin, history
):
    client.force_login(ld_admin)

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    cycle = next(r for r in response.context["rows"] if r.measure.key == "cycle_time_days")
    assert cycle.teams == 12
    assert cycle.weeks == 52
    assert float(cycle.planned_mde_text) > 0
    assert "not enough data yet: needs 3 more teams where" in html  # nobody started yet
    order = response.context["order"]
    assert sorted(name for _, name, _ in order) == sorted(f"Impact team {i}" for i in range(12))
    assert {wave for _, _, wave in order} == {1, 2, 3, 4}
    assert "staggering" in html


def test_the_same_seed_gives_the_same_order_and_another_seed_another(client, ld_admin, history):
    client.force_login(ld_admin)

    first = client.get(f"{URL}?seed=7").context["order"]
    again = client.get(f"{URL}?seed=7").context["order"]
    other = client.get(f"{URL}?seed=8").context["order"]

    assert first == again
    assert first != other


def test_the_order_downloads_as_csv(client, ld_admin, history):
    client.force_login(ld_admin)

    response = client.get(f"{URL}?seed=7&pathway=ai-basics&format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"] == 'attachment; filename="upskill-rollout-order.csv"'
    assert rows[0] == ["position", "team", "wave"]
    assert [tuple(r) for r in rows[1:]] == [
        (str(p), name, str(w)) for p, name, w in client.get(f"{URL}?seed=7").context["order"]
    ]


def test_teams_already_through_the_pathway_or_too_small_are_not_shuffled(ld_admin, history):
    small = TeamFactory(name="Tiny")
    PersonFactory(team=small)

    names = selectors.rollout_candidates(team_ids=selectors.all_team_ids(), pathway=history)

    assert "Tiny" not in names
    assert len(names) == 12


@pytest.mark.parametrize("query", ["seed=-1", "seed=abc", "pathway=nope", "seed=99999999999"])
def test_bad_input_gets_a_message_and_changes_nothing(client, ld_admin, history, query):
    client.force_login(ld_admin)

    response = client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert len(response.context["order"]) == 12  # the default order, seed 1


def test_planner_runs_a_fixed_number_of_queries(
    client, ld_admin, history, django_assert_num_queries
):
    client.force_login(ld_admin)
    # 1 session + 1 user + 1 groups (L&D admin?) + 1 every team id + 1 measures + 1 the
    # rollup generation + 1 the cached estimates + 1 active people per team + 1 first
    # completions per person + 1 the waiting teams' names + 1 their Person for the
    # navigation + 1 the pathways of the form's select = 12; + 1 the chosen pathway
    # (the form's lookup) = 13.
    with django_assert_num_queries(12):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(13):
        assert client.get(f"{URL}?pathway=ai-basics&seed=3").status_code == 200
    for _ in range(5):
        team = TeamFactory()
        for _ in range(5):
            PersonFactory(team=team)
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert len(response.context["order"]) == 17


def test_a_long_rollout_order_is_a_page_of_the_table_and_the_whole_of_the_csv(
    client, ld_admin, history, django_assert_num_queries
):
    for n in range(100):  # 112 teams waiting: two pages of the table
        team = TeamFactory(name=f"Wave team {n:03d}")
        for _ in range(5):
            PersonFactory(team=team)
    client.force_login(ld_admin)

    with django_assert_num_queries(12):
        first = client.get(f"{URL}?seed=5")
    with django_assert_num_queries(12):
        second = client.get(f"{URL}?seed=5&page=2")
    order = first.context["order"]
    assert len(order) == 112
    assert first.text.count("<tr><td>") == 100
    assert second.text.count("<tr><td>") == 12
    assert 'href="?seed=5&amp;page=2#rollout-order"' in first.text
    assert list(first.context["order_page"]) + list(second.context["order_page"]) == order
    rows = list(csv.reader(io.StringIO(client.get(f"{URL}?seed=5&format=csv").text)))
    assert len(rows) == 1 + 112
