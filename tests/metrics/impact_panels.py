"""Generated team x week panels with a known planted effect, an organisation-wide trend
and selection of better teams into the early cohorts — the situation a before/after
comparison gets wrong. Used by the estimator's tests and bench/impact_bench.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.services.impact_did import NEVER, Panel


@dataclass(frozen=True)
class PlantedPanel:
    panel: Panel
    effect: float  # planted: added to every treated team-week
    level: np.ndarray  # each team's own level (lower = better for cycle time)


def planted_panel(
    *,
    teams: int = 40,
    weeks: int = 52,
    effect: float = -0.6,
    trend_per_week: float = -0.03,
    noise: float = 0.25,
    waves: tuple[int, ...] = (10, 18, 26, 34),
    never_share: float = 0.25,
    seed: int = 1,
) -> PlantedPanel:
    """Cycle time in days: 8 days plus the team's level, falling `trend_per_week` for
    everyone (new tooling), plus `effect` from the week a team adopts. The better a team
    (the lower its level), the earlier its wave: selection into early cohorts."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0.0, 1.0, teams)
    order = np.argsort(level + rng.normal(0, 0.3, teams))  # better teams first, roughly
    adoption = np.full(teams, NEVER)
    starting = teams - round(teams * never_share)
    for rank, team in enumerate(order[:starting]):
        adoption[team] = waves[rank * len(waves) // starting]
    week = np.arange(weeks)
    outcome = (
        8.0
        + level[:, None]
        + trend_per_week * week[None, :]
        + 0.2 * np.sin(week * 2 * np.pi / 52)[None, :]
        + effect * (week[None, :] >= adoption[:, None])
        + rng.normal(0, noise, (teams, weeks))
    )
    return PlantedPanel(Panel(outcome=outcome, adoption=adoption), effect, level)


def before_after_gap(panel: Panel) -> float:
    """The dashboard's old cohort comparison on the same panel: the mean of team-weeks
    after adoption minus the mean of team-weeks of teams not treated yet."""
    week = np.arange(panel.weeks)
    after = week[None, :] >= panel.adoption[:, None]
    return float(panel.outcome[after].mean() - panel.outcome[~after].mean())
