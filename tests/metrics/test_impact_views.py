"""The dashboard's outcome cards with impact estimates: read from the cache, never
computed by the page; honest states; the leader sees only their teams' estimate."""

import datetime as dt
import json

import pytest

from metrics import services
from metrics.models import ImpactEstimate
from tests.factories import PathwayFactory, TeamFactory, UserFactory
from tests.metrics.impact_panels import panel_write, planted_panel
from upskill.models import Team

pytestmark = pytest.mark.django_db

FIRST_WEEK = dt.date(2025, 1, 6)
RANGE = "start=2025-06-02&end=2025-12-29"


@pytest.fixture
def organisation(db):
    """24 teams of 5 under one department its leader leads; 18 start the pathway in
    four waves, cycle time falls 0.6 days when they do. Rolled up, estimates cached."""
    pathway = PathwayFactory(slug="ai-basics")
    leader = UserFactory()
    department = TeamFactory(name="Department", slug="department", leaders=[leader])
    teams = panel_write(planted_panel(teams=24, seed=31), first_week=FIRST_WEEK, pathway=pathway)
    Team.objects.filter(pk__in=[t.pk for t in teams]).update(parent=department)
    services.rollup_rebuild()
    for pathway_id in (None, pathway.pk):
        services.impact_estimates_compute(
            team_ids=[department.pk, *(t.pk for t in teams)], pathway_id=pathway_id
        )
    return leader, pathway


def test_leader_sees_the_estimate_in_words_with_its_interval_and_the_event_study(
    client, organisation
):
    leader, _ = organisation
    client.force_login(leader)

    html = client.get(f"/dashboard/?{RANGE}").content.decode()

    assert "Cycle time fell by 0." in html
    assert "(95% CI 0." in html
    assert "compared with teams that had not started yet" in html
    assert 'data-impact-chart="cycle_time_days"' in html
    assert "effect by week from adoption" in html
    charts = json.loads(html.split('id="impact-charts" type="application/json">')[1].split("<")[0])
    assert [c["id"] for c in charts["charts"]] == ["cycle_time_days"]
    # The old comparison stays, labelled as descriptive; the method is on the page.
    assert "Descriptive: before/after means" in html
    assert "at least 5 of its people" in html
    # Measures without data say so, with what is missing.
    assert "Not enough data yet: needs 3 more teams where at least 5 people" in html


def test_pathway_filter_reads_that_pathways_estimate(client, organisation):
    leader, pathway = organisation
    client.force_login(leader)

    html = client.get(f"/dashboard/?pathway={pathway.slug}&{RANGE}").content.decode()

    assert "in teams after they completed the pathway" in html
    assert "“" + pathway.title + "”" in html


def test_no_estimate_for_the_current_state_says_being_computed_and_queues_the_job(
    client, organisation, django_capture_on_commit_callbacks
):
    leader, _ = organisation
    services.rollup_rebuild()  # a new rollup generation: the cache is stale
    client.force_login(leader)

    with django_capture_on_commit_callbacks() as queued:
        html = client.get(f"/dashboard/?{RANGE}").content.decode()

    assert "Being computed" in html
    assert "fell by" not in html
    assert len(queued) == 1  # the job, sent after commit; the page computed nothing
    assert not ImpactEstimate.objects.filter(fingerprint=services.current_fingerprint()).exists()


def test_a_team_too_small_to_estimate_says_what_is_missing(client, organisation):
    leader, _ = organisation
    client.force_login(leader)
    team = Team.objects.get(slug="impact-team-0")
    services.impact_estimates_compute(team_ids=[team.pk], pathway_id=None)

    html = client.get(f"/dashboard/?team={team.slug}&{RANGE}").content.decode()

    # One team alone: no comparison team at all (and too few treated ones).
    assert "Not enough data yet: needs " in html
    assert "needs 3 more teams that have not started" in html
    assert "fell by" not in html


def test_sibling_leader_never_sees_the_departments_estimate(client, organisation):
    sibling_leader = UserFactory()
    TeamFactory(name="Sales", slug="sales", leaders=[sibling_leader])
    client.force_login(sibling_leader)

    html = client.get(f"/dashboard/?{RANGE}").content.decode()

    assert "fell by" not in html


def test_dashboard_with_estimates_runs_a_fixed_number_of_queries(
    client, organisation, django_assert_num_queries
):
    leader, pathway = organisation
    client.force_login(leader)
    # As tests/metrics/test_views.py counts the dashboard computed (16), + 1 the scope's
    # cached impact estimates (every measure in one query) = 17; nothing is computed or
    # queued.
    with django_assert_num_queries(17):
        assert client.get(f"/dashboard/?{RANGE}").status_code == 200
    # More measures' estimates, more teams' rows and another pathway: the same.
    services.impact_estimates_compute(
        team_ids=[t.pk for t in Team.objects.all()], pathway_id=pathway.pk
    )
    with django_assert_num_queries(17):  # another filter: computed, not cached
        assert client.get(f"/dashboard/?pathway={pathway.slug}&{RANGE}").status_code == 200
