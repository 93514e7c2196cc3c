"""The impact job on the database: the panel read from the rollups through the privacy
rule, the estimates cached per rollup generation, the dashboard's honest states."""

import datetime as dt

import numpy as np
import pytest
from django.test import override_settings

from metrics import selectors, services
from metrics.models import ImpactEstimate, OutcomeObservation, RollupState
from tests.factories import PathwayFactory, PersonFactory, TeamFactory
from tests.metrics.impact_panels import panel_write, planted_panel
from upskill.models import OutcomeMeasure, Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

FIRST_WEEK = dt.date(2025, 1, 6)  # a Monday


def _estimate(pathway, teams):
    """The cached cycle-time estimate of `teams` at the current rollup state."""
    row = ImpactEstimate.objects.get(
        scope_key=services.scope_key(t.pk for t in teams),
        fingerprint=services.current_fingerprint(),
        pathway=pathway,
        measure__key="cycle_time_days",
    )
    return row.result


def _everyone():
    return list(Team.objects.all())


def test_rollup_queues_the_job_which_caches_an_estimate_covering_the_planted_effect(
    django_capture_on_commit_callbacks,
):
    pathway = PathwayFactory()
    planted = planted_panel(teams=24, effect=-0.6, seed=11)
    panel_write(planted, first_week=FIRST_WEEK, pathway=pathway)

    with django_capture_on_commit_callbacks(execute=True):
        services.rollup_rebuild()  # the job runs after the rollup commits

    result = _estimate(pathway, _everyone())
    assert result["status"] == "ok"
    low, high = result["estimate"]["ci95"]
    assert low <= -0.6 <= high < 0
    assert result["estimate"]["treated_teams"] == 18
    assert result["estimate"]["comparison_teams"] >= 6
    assert result["mde"] > 0
    assert {row["week"] for row in result["event_study"]} >= {-2, -1, 0, 1}
    # "Any pathway" is estimated too, and here it is the same pathway.
    assert _estimate(None, _everyone())["estimate"]["effect"] == result["estimate"]["effect"]


def test_no_planted_effect_covers_zero_while_the_dashboards_cohort_comparison_does_not(
    django_capture_on_commit_callbacks, ld_admin
):
    pathway = PathwayFactory()
    planted = planted_panel(teams=24, effect=0.0, seed=12)
    panel_write(planted, first_week=FIRST_WEEK, pathway=pathway)
    with django_capture_on_commit_callbacks(execute=True):
        services.rollup_rebuild()

    low, high = _estimate(pathway, _everyone())["estimate"]["ci95"]
    assert low <= 0 <= high

    # The descriptive before/after cohorts of the dashboard, same data, same year.
    filters, teams, _ = selectors.dashboard_filters(
        ld_admin, {"start": "2025-01-06", "end": "2025-12-29"}
    )
    card = next(
        c for c in selectors.dashboard(filters, teams).cards if c.measure.key == "cycle_time_days"
    )
    gap = card.completers - card.not_yet
    assert gap < -1.0  # reports trend and selection as more than a day saved
    assert not low <= gap <= high


def test_two_treated_teams_is_insufficient_data(django_capture_on_commit_callbacks):
    pathway = PathwayFactory()
    planted = planted_panel(teams=10, effect=-0.6, seed=13, never_share=0.8, waves=(12, 20))
    panel_write(planted, first_week=FIRST_WEEK, pathway=pathway)
    with django_capture_on_commit_callbacks(execute=True):
        services.rollup_rebuild()

    result = _estimate(pathway, _everyone())
    assert result["status"] == "insufficient_data"
    assert result["estimate"] is None
    assert "needs 1 more team where at least 5 people completed the pathway" in result["reason"]


def test_small_teams_and_small_samples_never_enter_the_panel():
    pathway = PathwayFactory()
    planted = planted_panel(teams=6, effect=-0.6, seed=14)
    teams = panel_write(planted, first_week=FIRST_WEEK, pathway=pathway)
    small = TeamFactory()
    for _ in range(4):  # one fewer than MIN_GROUP_SIZE
        PersonFactory(team=small)
    OutcomeObservation.objects.create(
        measure=OutcomeMeasure.objects.get(key="cycle_time_days"),
        team=small,
        period_start=FIRST_WEEK,
        value=1.0,
        sample_size=50,
        source="test",
        source_id="small",
    )
    # A team-week of a big team whose sample is below the threshold.
    OutcomeObservation.objects.filter(team=teams[0], period_start=FIRST_WEEK).update(sample_size=4)
    services.rollup_rebuild()

    panel, weeks = services.impact_panels(
        [t.pk for t in teams] + [small.pk],
        pathway,
        list(OutcomeMeasure.objects.filter(key="cycle_time_days")),
    )["cycle_time_days"]

    assert panel.outcome.shape == (6, 52)  # the four-person team is not a unit
    assert weeks[0] == FIRST_WEEK
    assert np.isnan(panel.outcome[0, 0])  # the small-sample week is left out
    assert np.isfinite(panel.outcome[1, 0])


def test_treatment_is_the_week_enough_people_had_completed_with_a_configurable_share():
    pathway = PathwayFactory()
    planted = planted_panel(teams=1, effect=0.0, seed=15, never_share=0.0, waves=(10,))
    (team,) = panel_write(planted, first_week=FIRST_WEEK, pathway=pathway, people_per_team=8)

    assert services.treatment_weeks({team.pk: 8}, pathway) == {
        team.pk: FIRST_WEEK + dt.timedelta(weeks=10)
    }
    with override_settings(IMPACT_TREATMENT_SHARE=1.0):
        assert services.treatment_threshold(8) == 8
    with override_settings(IMPACT_TREATMENT_SHARE=0.5):
        assert services.treatment_threshold(8) == 5  # never below MIN_GROUP_SIZE
    assert services.treatment_weeks({team.pk: 8}, PathwayFactory()) == {}


def test_a_second_job_for_the_same_state_writes_nothing_and_a_new_rollup_replaces_it(
    django_capture_on_commit_callbacks,
):
    pathway = PathwayFactory()
    panel_write(planted_panel(teams=12, seed=16), first_week=FIRST_WEEK, pathway=pathway)
    with django_capture_on_commit_callbacks(execute=True):
        services.rollup_rebuild()
    count = ImpactEstimate.objects.count()
    team_ids = [t.pk for t in _everyone()]

    assert services.impact_estimates_compute(team_ids=team_ids, pathway_id=pathway.pk) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.rollup_rebuild()
    assert RollupState.objects.get().generation == 2
    assert ImpactEstimate.objects.count() == count  # old generation dropped
    assert set(ImpactEstimate.objects.values_list("fingerprint", flat=True)) == {
        services.current_fingerprint()
    }


def test_a_catch_up_that_finds_nothing_keeps_the_cached_estimates():
    services.rollup_rebuild()
    generation = RollupState.objects.get().generation

    services.rollup_catch_up()

    assert RollupState.objects.get().generation == generation
