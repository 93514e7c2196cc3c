"""The impact estimates a page shows: read from the cache the impact job writes
(ImpactEstimate), never computed here. One query for every measure of a scope.

An estimate is shown in one of three honest states: being computed (no estimate for
the current rollup state yet; the page asks for the job), not enough data yet (with
what is missing), or the effect with its 95% interval in plain words, a warning when
the pre-trend test fails, and the event study (chart and table).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from metrics.models import ImpactEstimate, OutcomeMeasure, RollupState
from metrics.selectors.outcome_dashboard import two_places
from metrics.services.impact import (
    COMPARISON,
    impact_fingerprint,
    scope_key,
    team_sizes,
    treatment_weeks,
)
from pathways.models import Pathway
from upskill.models import Team

PRE_TREND_ALPHA = 0.05


def _number(value: float) -> str:
    return two_places(value)


@dataclass
class ImpactView:
    measure: OutcomeMeasure
    pathway: Pathway | None
    result: dict | None  # None: being computed

    @property
    def state(self) -> str:
        return "computing" if self.result is None else self.result["status"]

    @property
    def estimate(self) -> dict | None:
        return self.result and self.result.get("estimate")

    @property
    def reason(self) -> str:
        return self.result["reason"] if self.result else ""

    @property
    def treated_what(self) -> str:
        return "the pathway" if self.pathway else "a pathway"

    @property
    def sentence(self) -> str:
        """e.g. "Cycle time fell by 0.60 days (95% CI 0.40 to 0.80) in teams after they
        completed the pathway, compared with teams that had not started yet." """
        estimate = self.estimate
        if not estimate:
            return ""
        effect, (low, high) = estimate["effect"], estimate["ci95"]
        unit = f" {self.measure.unit}" if self.measure.unit else ""
        where = (
            f"in teams after they completed {self.treated_what}, "
            "compared with teams that had not started yet"
        )
        if low > 0 or high < 0:  # the interval excludes no change
            verb = "fell" if effect < 0 else "rose"
            near, far = sorted((abs(low), abs(high)))
            return (
                f"{self.measure.name} {verb} by {_number(abs(effect))}{unit} "
                f"(95% CI {_number(near)} to {_number(far)}) {where}."
            )
        return (
            f"{self.measure.name} changed by {_number(effect)}{unit} "
            f"(95% CI {_number(low)} to {_number(high)}) {where}: the interval includes "
            "no change, so this is no evidence of an effect either way."
        )

    @property
    def effect_text(self) -> str:
        return _number(self.estimate["effect"]) if self.estimate else ""

    @property
    def interval_text(self) -> str:
        if not self.estimate:
            return ""
        low, high = self.estimate["ci95"]
        return f"{_number(low)} to {_number(high)}"

    @property
    def relative_text(self) -> str:
        relative = self.estimate and self.estimate.get("relative")
        return f"{relative * 100:+.1f}%" if relative else ""

    @property
    def mde_text(self) -> str:
        mde = self.result and self.result.get("mde")
        return _number(mde) if mde is not None else ""

    @property
    def pre_trend_text(self) -> str:
        p = self.estimate and self.estimate.get("pre_trend_p")
        return f"{p:.3f}" if p is not None else ""

    @property
    def pre_trend_failed(self) -> bool:
        estimate = self.estimate
        return bool(
            estimate
            and estimate["pre_trend_p"] is not None
            and estimate["pre_trend_p"] < PRE_TREND_ALPHA
        )

    @property
    def event_rows(self) -> list[tuple[str, str, str, str]]:
        """The accessible table: week from adoption, effect, interval bounds (text)."""
        return [
            (
                f"{row['week']:+d}" if row["week"] else "0",
                _number(row["effect"]),
                _number(row["ci95"][0]),
                _number(row["ci95"][1]),
            )
            for row in (self.result or {}).get("event_study", [])
        ]

    @property
    def chart(self) -> dict:
        rows = (self.result or {}).get("event_study", [])
        return {
            "id": self.measure.key,
            "title": f"{self.measure.name}: effect by week from adoption",
            "weeks": [row["week"] for row in rows],
            "effect": [row["effect"] for row in rows],
            "low": [row["ci95"][0] for row in rows],
            "high": [row["ci95"][1] for row in rows],
        }


@dataclass
class ImpactEstimates:
    views: dict[str, ImpactView]
    team_ids: list[int]
    pathway: Pathway | None
    comparison: str = COMPARISON

    @property
    def missing(self) -> bool:
        return any(view.result is None for view in self.views.values())

    @property
    def treatment_people(self) -> int:
        return settings.MIN_GROUP_SIZE

    @property
    def treatment_share(self) -> float:
        return settings.IMPACT_TREATMENT_SHARE

    def chart_payload(self) -> dict:
        """What static/js/impact.js draws, rendered with json_script."""
        return {"charts": [v.chart for v in self.views.values() if v.state == "ok"]}


REPORT_ESTIMATE_KEYS = (
    "effect",
    "ci95",
    "relative",
    "p_value",
    "method",
    "treated_teams",
    "comparison_teams",
    "pre_trend_p",
)


def impact_report_json(result: dict) -> dict:
    """A cached result in exactly the shape `impact_report --json` documents."""
    estimate = result.get("estimate")
    return {
        "measure": result["measure"],
        "status": result["status"],
        "estimate": {key: estimate[key] for key in REPORT_ESTIMATE_KEYS} if estimate else None,
        "event_study": [
            {"week": row["week"], "effect": row["effect"], "ci95": row["ci95"]}
            for row in result.get("event_study", [])
        ],
        "mde": result.get("mde"),
        "reason": result.get("reason", ""),
    }


def impact_estimates(
    *,
    team_ids: set[int],
    pathway: Pathway | None,
    measures: list[OutcomeMeasure],
    generation: int,
) -> ImpactEstimates:
    """The cached estimates of `measures` for a scope at rollup `generation` (one query)."""
    rows = ImpactEstimate.objects.filter(
        scope_key=scope_key(team_ids),
        fingerprint=impact_fingerprint(generation),
        pathway=pathway,
    ).values_list("measure_id", "result")
    results = dict(rows)
    return ImpactEstimates(
        views={m.key: ImpactView(m, pathway, results.get(m.pk)) for m in measures},
        team_ids=sorted(team_ids),
        pathway=pathway,
    )


@dataclass
class PlannerRow:
    measure: OutcomeMeasure
    result: dict | None  # the all-teams, any-pathway estimate; None: being computed

    @property
    def planned_mde_text(self) -> str:
        mde = self.result and self.result.get("planned_mde")
        return _number(mde) if mde is not None else ""

    @property
    def current_mde_text(self) -> str:
        mde = self.result and self.result.get("mde")
        return _number(mde) if mde is not None else ""

    @property
    def teams(self) -> int | None:
        return self.result and self.result.get("teams")

    @property
    def weeks(self) -> int | None:
        span = self.result and self.result.get("weeks")
        if not span:
            return None
        first, last = (dt.date.fromisoformat(day) for day in span)
        return (last - first).days // 7 + 1


def impact_planner(*, team_ids: set[int], measures: list[OutcomeMeasure], generation: int):
    """The planner's rows: per measure, teams and weeks of history and the MDEs, from
    the cached all-teams estimates (one query)."""
    estimates = impact_estimates(
        team_ids=team_ids, pathway=None, measures=measures, generation=generation
    )
    rows = [PlannerRow(view.measure, view.result) for view in estimates.views.values()]
    return rows, estimates.missing


def rollout_candidates(*, team_ids: set[int], pathway: Pathway | None) -> list[str]:
    """Teams of `team_ids` that could join an assignment wave: at least MIN_GROUP_SIZE
    active people and not yet treated for the pathway (any pathway when none), by name
    (three queries: sizes, first completions, names)."""
    sizes = {team: n for team, n in team_sizes(team_ids).items() if n >= settings.MIN_GROUP_SIZE}
    treated = treatment_weeks(sizes, pathway)
    return list(
        Team.objects.filter(pk__in=[t for t in sizes if t not in treated])
        .order_by("name")
        .values_list("name", flat=True)
    )


ROLLOUT_WAVES = 4


def rollout_order(*, team_names: list[str], seed: int) -> list[tuple[int, str, int]]:
    """A randomised rollout order for an assignment wave: (position, team, wave) from a
    seeded shuffle — the same seed gives the same order, so it can be checked later —
    split into up to ROLLOUT_WAVES waves of equal size."""
    rng = np.random.default_rng(seed)
    order = [team_names[i] for i in rng.permutation(len(team_names))]
    waves = max(1, min(ROLLOUT_WAVES, len(order) // 3))
    return [(i + 1, name, i * waves // len(order) + 1) for i, name in enumerate(order)]


def all_team_ids() -> set[int]:
    """Every team: the L&D admin's scope (one query)."""
    return set(Team.objects.values_list("id", flat=True))


def outcome_measures() -> list[OutcomeMeasure]:
    return list(OutcomeMeasure.objects.order_by("name"))


def rollup_generation() -> int:
    """The rollup generation cached estimates are keyed on (one query)."""
    state = RollupState.objects.filter(pk=1).only("generation").first()
    return state.generation if state else 0
