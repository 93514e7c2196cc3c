"""The staggered difference-in-differences on generated panels: a planted effect, an
organisation-wide trend and better teams starting first (tests/metrics/impact_panels.py)."""

import numpy as np
import pytest

from metrics.services.impact_did import (
    NEVER,
    Panel,
    estimate,
    t_critical,
    t_two_sided_p,
)
from tests.metrics.impact_panels import before_after_gap, planted_panel


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interval_covers_the_planted_effect_and_excludes_zero(seed):
    planted = planted_panel(effect=-0.6, seed=seed)

    result = estimate(planted.panel, seed=seed)

    assert result.status == "ok"
    low, high = result.ci95
    assert low <= planted.effect <= high
    assert high < 0
    assert result.p_value < 0.05
    assert result.treated_teams == 30
    assert result.comparison_teams >= 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_no_planted_effect_the_interval_covers_zero(seed):
    planted = planted_panel(effect=0.0, seed=seed)

    result = estimate(planted.panel, seed=seed)

    low, high = result.ci95
    assert low <= 0 <= high


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_before_after_cohort_comparison_reports_trend_and_selection_as_effect(seed):
    # The dashboard's descriptive comparison on the same no-effect panel: team-weeks
    # after adoption look far better than team-weeks not yet treated, because adoption
    # comes later in a falling trend and better teams start first.
    planted = planted_panel(effect=0.0, seed=seed)

    gap = before_after_gap(planted.panel)
    low, high = estimate(planted.panel, seed=seed).ci95

    assert gap < -1.0  # more than a day "saved" where nothing was planted
    assert not low <= gap <= high


def test_two_treated_teams_are_insufficient_data_with_what_is_missing():
    planted = planted_panel(teams=12, effect=-0.6, seed=4)
    adoption = np.full(12, NEVER)
    adoption[:2] = 20

    result = estimate(Panel(planted.panel.outcome, adoption))

    assert result.status == "insufficient_data"
    assert result.effect is None
    assert result.reason.startswith("needs 1 more team where at least 5 people completed")


def test_too_few_comparison_teams_says_how_many_more_have_not_started():
    planted = planted_panel(teams=8, effect=-0.6, never_share=0.0, waves=(10, 10, 10, 30), seed=4)
    adoption = np.array([10, 10, 10, 10, 10, 10, 30, 30], dtype=float)

    result = estimate(Panel(planted.panel.outcome, adoption))

    assert result.status == "insufficient_data"
    assert "needs 1 more team that has not started" in result.reason


def test_teams_treated_before_enough_weeks_of_data_leave_the_panel():
    planted = planted_panel(teams=10, effect=-0.6, seed=5)
    adoption = np.array([1, 2, 3, 20, 20, 20, NEVER, NEVER, NEVER, NEVER], dtype=float)

    result = estimate(Panel(planted.panel.outcome, adoption))

    assert result.treated_teams == 3  # the three treated in weeks 1-3 have no "before"


def test_few_teams_use_webb_weights_and_missing_weeks_are_skipped():
    planted = planted_panel(teams=10, effect=-0.8, seed=6)
    outcome = planted.panel.outcome.copy()
    outcome[0, 5:9] = np.nan  # a team's suppressed weeks

    result = estimate(Panel(outcome, planted.panel.adoption), seed=6)

    assert result.weights == "Webb six-point"
    assert result.status == "ok"
    assert result.ci95[0] <= -0.8 <= result.ci95[1]


def test_a_planted_pre_trend_fails_the_pre_trend_test():
    # Teams that will start are already improving before they start (anticipation).
    planted = planted_panel(effect=-0.6, seed=7)
    outcome = planted.panel.outcome.copy()
    weeks = np.arange(outcome.shape[1])
    for i, g in enumerate(planted.panel.adoption):
        if np.isfinite(g):
            outcome[i] += np.where(weeks < g, 0.08 * (weeks - g), 0.0)

    result = estimate(Panel(outcome, planted.panel.adoption), seed=7)

    assert result.pre_trend_p < 0.05
    assert estimate(planted.panel, seed=7).pre_trend_p > 0.05


def test_event_study_shows_no_effect_before_adoption_and_the_effect_after():
    planted = planted_panel(teams=60, effect=-0.6, seed=8)

    weeks = {row.week: row for row in estimate(planted.panel, seed=8).event_study}

    assert weeks[-1].effect == 0.0
    for k in (-6, -3, -2):
        assert weeks[k].ci95[0] <= 0 <= weeks[k].ci95[1]
    for k in (0, 4, 8):
        assert weeks[k].ci95[0] <= -0.6 <= weeks[k].ci95[1] < 0


def test_minimum_detectable_effect_is_2_8_standard_errors():
    result = estimate(planted_panel(seed=9).panel, seed=9)

    assert result.mde == pytest.approx(2.8 * result.se)


def test_student_t_matches_the_tables():
    assert t_critical(9) == pytest.approx(2.262, abs=1e-3)
    assert t_critical(30) == pytest.approx(2.042, abs=1e-3)
    assert t_two_sided_p(2.228, 10) == pytest.approx(0.05, abs=1e-3)
    assert t_two_sided_p(0.0, 3) == pytest.approx(1.0)


def test_the_same_seed_gives_the_same_interval():
    panel = planted_panel(seed=10).panel

    assert estimate(panel, seed=3).ci95 == estimate(panel, seed=3).ci95
