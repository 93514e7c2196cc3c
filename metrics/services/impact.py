"""The impact job: builds the team x week panel from the rollups, runs the staggered
difference-in-differences (metrics.services.impact_did) and caches the result per
measure, pathway, team scope and rollup state (ImpactEstimate). Pages never compute an
estimate: they read the cache, and when it has nothing for the current rollup state
they ask for the job (`impact_estimates_request`) and say "being computed".

The panel (`impact_panel`):
- units are teams of the scope with at least MIN_GROUP_SIZE active people; a smaller
  team never enters as a unit of its own;
- a team-week enters with the rollup's value for the measure (the observations' mean
  weighted by sample size, plus confidence ratings) only when it is *published*: its
  people (the summed sample sizes) are at least MIN_GROUP_SIZE — the privacy layer's
  rule for a cell (`upskill.privacy.is_published`), the same as every page's; every
  team counts equally in the estimate;
- treatment: the team's first ISO week in which at least MIN_GROUP_SIZE of its people
  (and at least IMPACT_TREATMENT_SHARE of them) had completed the pathway — any
  pathway when none is chosen. Teams that never get there are never treated.

What leaves the job describes whole teams of at least MIN_GROUP_SIZE people each, and
at least MIN_TREATED_TEAMS treated and MIN_COMPARISON_TEAMS comparison teams, or it is
"insufficient_data" with what is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from metrics import enqueue
from metrics.models import ImpactEstimate, OutcomeMeasure, RollupState, WeeklyRollup
from metrics.services import impact_did
from pathways.models import Enrollment, Pathway
from upskill import privacy
from upskill.models import Person, Team

ESTIMATOR_VERSION = "cs-4"
COMPARISON = "teams that had not started yet (not-yet-treated and never-treated teams)"


def scope_key(team_ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(set(team_ids)))).encode()).hexdigest()


def impact_fingerprint(generation: int) -> str:
    """The rollup state (its generation) and every setting the estimate depends on;
    a new fingerprint means the cached estimates are stale."""
    parts = [
        ESTIMATOR_VERSION,
        str(generation),
        str(settings.MIN_GROUP_SIZE),
        str(settings.IMPACT_TREATMENT_SHARE),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def current_fingerprint() -> str:
    state = RollupState.objects.filter(pk=1).first()
    return impact_fingerprint(state.generation if state else 0)


def treatment_threshold(team_people: int) -> int:
    share = math.ceil(settings.IMPACT_TREATMENT_SHARE * team_people - 1e-9)
    return max(settings.MIN_GROUP_SIZE, share)


def _monday(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date()
    return day - dt.timedelta(days=day.weekday())


def team_sizes(team_ids: Iterable[int]) -> dict[int, int]:
    """Active people per team (one query)."""
    return dict(
        Person.objects.filter(team_id__in=list(team_ids), user__is_active=True)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("team_id", "n")
    )


def treatment_weeks(sizes: dict[int, int], pathway: Pathway | None) -> dict[int, dt.date]:
    """Each team's first week with enough of its people through the pathway (one query:
    each person's first completion)."""
    completions = Enrollment.objects.filter(
        completed_at__isnull=False, person__team_id__in=list(sizes), person__user__is_active=True
    )
    if pathway is not None:
        completions = completions.filter(pathway=pathway)
    firsts: dict[int, list[dt.datetime]] = defaultdict(list)
    for team_id, first in (
        completions.values("person_id", "person__team_id")
        .annotate(first=Min("completed_at"))
        .order_by()
        .values_list("person__team_id", "first")
    ):
        firsts[team_id].append(first)
    weeks = {}
    for team_id, moments in firsts.items():
        needed = treatment_threshold(sizes[team_id])
        if len(moments) >= needed:
            weeks[team_id] = _monday(sorted(moments)[needed - 1])
    return weeks


@dataclass
class ScopeOutcomes:
    """A scope's units (teams with at least MIN_GROUP_SIZE people, and their sizes) and
    the published team-week figures of each measure: the same for every pathway."""

    sizes: dict[int, int]
    cells: dict[str, dict[tuple[int, dt.date], float]]


def scope_outcomes(team_ids: Iterable[int], measures: list[OutcomeMeasure]) -> ScopeOutcomes:
    """Two queries: the teams' active people, their rollup figures."""
    sizes = {t: n for t, n in team_sizes(team_ids).items() if privacy.is_published(n)}
    cells: dict[str, dict[tuple[int, dt.date], float]] = defaultdict(dict)
    for team_id, week, metric, value, people in WeeklyRollup.objects.filter(
        team_id__in=list(sizes), pathway__isnull=True, metric__in=[m.key for m in measures]
    ).values_list("team_id", "week_start", "metric", "value", "people"):
        if privacy.is_published(people):
            cells[metric][(team_id, week)] = value
    return ScopeOutcomes(sizes, cells)


def impact_panels(
    team_ids: Iterable[int],
    pathway: Pathway | None,
    measures: list[OutcomeMeasure],
    outcomes: ScopeOutcomes | None = None,
) -> dict[str, tuple[impact_did.Panel, list[dt.date]]]:
    """Per measure: the panel of published team-weeks, and its weeks (three queries, one
    when the scope's outcomes are given)."""
    outcomes = outcomes or scope_outcomes(team_ids, measures)
    adopted = treatment_weeks(outcomes.sizes, pathway)
    cells = outcomes.cells
    panels = {}
    for measure in measures:
        figures = cells.get(measure.key, {})
        units = sorted({team for team, _week in figures})
        if figures:
            first = min(week for _team, week in figures)
            last = max(week for _team, week in figures)
            weeks = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
        else:
            weeks = []
        row = {team: i for i, team in enumerate(units)}
        outcome = np.full((len(units), len(weeks)), np.nan)
        for (team, week), value in figures.items():
            outcome[row[team], (week - weeks[0]).days // 7] = value
        adoption = np.array(
            [
                (adopted[team] - weeks[0]).days // 7 if team in adopted else impact_did.NEVER
                for team in units
            ],
            dtype=float,
        )
        panels[measure.key] = (impact_did.Panel(outcome=outcome, adoption=adoption), weeks)
    return panels


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def impact_result(
    measure: OutcomeMeasure,
    panel: impact_did.Panel,
    weeks: list[dt.date],
    *,
    seed: int = 0,
    planned: bool = True,
) -> dict:
    """The JSON of one estimate (the shape of `impact_report --json`, plus what pages
    show besides). `planned`: also the planner's MDE of a staggered rollout (the same
    for every pathway of a scope, so worked out for "any pathway" only)."""
    did = impact_did.estimate(panel, seed=seed, min_group_size=settings.MIN_GROUP_SIZE)
    result = {
        "measure": measure.key,
        "status": did.status,
        "estimate": None,
        "event_study": [],
        "mde": _round(did.mde),
        "reason": did.reason,
        "weeks": [weeks[0].isoformat(), weeks[-1].isoformat()] if weeks else None,
        "teams": int(panel.outcome.shape[0]),
        "planned_mde": _round(
            impact_did.planned_mde(panel, seed=seed, min_group_size=settings.MIN_GROUP_SIZE)
        )
        if planned
        else None,
    }
    if did.status == "ok":
        result["estimate"] = {
            "effect": _round(did.effect),
            "ci95": [_round(did.ci95[0]), _round(did.ci95[1])],
            "relative": _round(did.relative),
            "p_value": _round(did.p_value),
            "method": (
                "Callaway-Sant'Anna staggered difference-in-differences, "
                f"team-clustered wild bootstrap ({did.weights} weights)"
            ),
            "treated_teams": did.treated_teams,
            "comparison_teams": did.comparison_teams,
            "pre_trend_p": _round(did.pre_trend_p),
            "se": _round(did.se),
            "comparison": COMPARISON,
        }
        result["event_study"] = [
            {
                "week": e.week,
                "effect": _round(e.effect),
                "ci95": [_round(e.ci95[0]), _round(e.ci95[1])],
                "teams": e.treated_teams,
            }
            for e in did.event_study
        ]
    return result


def impact_estimates_compute(
    *, team_ids: list[int], pathway_id: int | None, outcomes: ScopeOutcomes | None = None
) -> int:
    """Compute and cache the estimates of every measure for one scope and pathway at the
    current rollup state; returns how many were written. Idempotent: a second run for
    the same state finds them cached and does nothing. `outcomes`: the scope's, when
    already read (a refresh reads them once for all its pathways)."""
    fingerprint = current_fingerprint()
    key = scope_key(team_ids)
    pathway = Pathway.objects.filter(pk=pathway_id).first() if pathway_id else None
    if pathway_id and pathway is None:
        return 0  # the pathway was deleted since the job was queued
    cached = ImpactEstimate.objects.filter(scope_key=key, fingerprint=fingerprint, pathway=pathway)
    measures = list(OutcomeMeasure.objects.order_by("key"))
    if cached.count() >= len(measures):
        return 0
    panels = impact_panels(team_ids, pathway, measures, outcomes)
    rows = [
        ImpactEstimate(
            scope_key=key,
            team_ids=sorted(set(team_ids)),
            pathway=pathway,
            measure=measure,
            fingerprint=fingerprint,
            result=impact_result(measure, *panels[measure.key], planned=pathway is None),
        )
        for measure in measures
    ]
    with transaction.atomic():
        ImpactEstimate.objects.filter(scope_key=key, pathway=pathway).exclude(
            fingerprint=fingerprint
        ).delete()
        ImpactEstimate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def impact_scopes() -> list[tuple[list[int], int | None]]:
    """What a refresh recomputes: every team and every pathway choice (None and each
    published or archived pathway) for the whole organisation, plus every scope and
    pathway a page has asked for before."""
    everyone = sorted(Team.objects.values_list("id", flat=True))
    pathways = [
        None,
        *Pathway.objects.exclude(status=Pathway.Status.DRAFT).values_list("id", flat=True),
    ]
    scopes = {(scope_key(everyone), p): (everyone, p) for p in pathways}
    for key, team_ids, pathway_id in ImpactEstimate.objects.values_list(
        "scope_key", "team_ids", "pathway_id"
    ).distinct():
        scopes.setdefault((key, pathway_id), (team_ids, pathway_id))
    return list(scopes.values())


def impact_estimates_refresh() -> int:
    """After rollups: recompute every known scope at the new rollup state, reading each
    scope's outcomes once for all its pathways."""
    measures = list(OutcomeMeasure.objects.order_by("key"))
    outcomes: dict[str, ScopeOutcomes] = {}
    written = 0
    for team_ids, pathway_id in impact_scopes():
        key = scope_key(team_ids)
        if key not in outcomes:
            outcomes[key] = scope_outcomes(team_ids, measures)
        written += impact_estimates_compute(
            team_ids=team_ids, pathway_id=pathway_id, outcomes=outcomes[key]
        )
    return written


def impact_estimates_request(*, team_ids: Iterable[int], pathway: Pathway | None) -> None:
    """A page found no estimate for the current state: queue the job for its scope."""
    enqueue.impact_estimates_compute(
        team_ids=sorted(set(team_ids)), pathway_id=pathway.pk if pathway else None
    )
