"""The leaders' outcome dashboard: outcome cards and charts first, attendance second, the
teams table and the employer's support delivered.

It reads WeeklyRollup only (plus the commitment fulfilment read from responsibilities),
and of it only published cells (upskill.privacy): every figure is a sum, or a mean
weighted by people, of cells about MIN_GROUP_SIZE people or more, so no combination of
figures — across filters, date ranges, the drill-down and the CSV — determines a hidden
cell. None means no published cell (hidden or empty, told apart nowhere). The queries
are fixed in number whatever the number of teams, weeks or rows.

The figures are computed once per scope, filters and generation of their inputs and
then read from the figures cache (upskill.cache) until a rollup of one of the scope's
teams (or a full rebuild), a commitment's check-in, a change to the organisation or to
the measures moves a generation on; the freshness line is read on every request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Subquery
from django.utils import timezone
from django.utils.dates import MONTHS_3

from metrics.models import (
    ActivityRecord,
    OutcomeMeasure,
    OutcomeObservation,
    RollupDirtyBucket,
    RollupState,
    RollupTeamGeneration,
)
from metrics.selectors.filters import DashboardFilters, team_children, team_subtree
from metrics.selectors.totals import DISTINCT_PEOPLE, REMAINDER, SUMMED, Sums, rollup_totals
from metrics.services.rollups import COMPLETION_METRIC
from responsibilities import selectors as responsibilities
from upskill import cache, privacy
from upskill.models import Team

ATTENDANCE = (
    ("learning_minutes", "Learning minutes"),
    ("active_learners", "Active learners"),
    ("steps_completed", "Steps completed"),
    (COMPLETION_METRIC, "Pathway completions"),
)
# Distinct people don't add up over weeks, and distinct counts over ranges a user can
# choose could be differenced down to one person: over a period, the weekly average.
WEEKLY_AVERAGE = "active_learners_weekly_average"
WEEKLY_AVERAGE_TITLE = "Active learners per week (average)"


def figure_text(metric: str, value: float | None) -> str:
    """A figure as the page writes it: counts whole, a weekly average of people to one
    decimal, measures to two; "—" where there is no published cell."""
    if value is None:
        return "—"
    if metric in SUMMED:
        return str(round(value))
    if metric == WEEKLY_AVERAGE:
        return f"{value:.1f}"
    return two_places(value)


@dataclass
class Series:
    key: str
    title: str
    unit: str
    values: list[float | None]  # one per week, None where no cell is published
    people: list[int]
    kind: str = "line"
    weeks: list[dt.date] = field(default_factory=list)
    hidden_reason: str = ""  # said in place of the chart when no week has a figure

    @property
    def rows(self) -> list[tuple[dt.date, float | None]]:
        return list(zip(self.weeks, self.values, strict=True))

    @property
    def table_rows(self) -> list[tuple[str, str]]:
        """The accessible table's rows as text: the week as the date filter's "j M Y",
        the value as figure_text writes it. Formatted here because the filters, run for
        every cell of every chart table, were a fifth of the all-teams dashboard's time
        (bench/metrics_bench.py)."""
        return [(week_label(week), figure_text(self.key, value)) for week, value in self.rows]


_TWO_PLACES = Decimal("0.01")


def two_places(value: float) -> str:
    """floatformat:2 for a float: half-up on its shortest repr, never "-0.00"."""
    rounded = Decimal(repr(value)).quantize(_TWO_PLACES, ROUND_HALF_UP) + 0
    return f"{rounded:f}"


def week_label(day: dt.date) -> str:
    """The date filter's "j M Y" (the month's abbreviation translated as Django does)."""
    return f"{day.day} {str(MONTHS_3[day.month]).title()} {day.year}"


@dataclass
class OutcomeCard:
    measure: OutcomeMeasure
    first: float | None
    last: float | None
    completers: float | None
    not_yet: float | None
    completers_people: int
    not_yet_people: int
    hidden_reason: str = ""  # said in place of the card when it has no figure at all

    @property
    def change(self) -> float | None:
        if self.first is None or self.last is None:
            return None
        return self.last - self.first

    @property
    def improving(self) -> bool | None:
        if self.change is None or self.change == 0:
            return None
        return (self.change < 0) == (self.measure.direction == OutcomeMeasure.Direction.LOWER)


@dataclass
class DrillRow:
    team: Team
    figures: dict[str, float | None]

    @property
    def cells(self) -> list[str]:
        return [figure_text(key, value) for key, value in self.figures.items()]


@dataclass
class Freshness:
    last_run_at: dt.datetime | None
    waiting_rows: int
    queued_buckets: int
    generation: int = 0  # the rollup generation the cached impact estimates are keyed on
    # When the scope's rollup rows were last rewritten: the last full rebuild's
    # generation, and the latest incremental rollup of any of its teams'.
    rebuilt_generation: int = 0
    scope_generation: int = 0


def _chart_value(metric: str, value: float | None) -> float | int | None:
    if value is None:
        return None
    return round(value) if metric in SUMMED else round(value, 2)


@dataclass
class Dashboard:
    filters: DashboardFilters
    weeks: list[dt.date]
    cards: list[OutcomeCard]
    outcome_series: list[Series]
    attendance_series: list[Series]
    drill_rows: list[DrillRow]
    drill_metrics: list[tuple[str, str]]
    support_rows: list
    freshness: Freshness
    exclusion_note: str = ""

    def chart_payload(self) -> dict:
        """What static/js/dashboard.js draws, rendered with json_script."""
        labels = [w.isoformat() for w in self.weeks]
        return {
            "labels": labels,
            "charts": [
                {
                    "id": s.key,
                    "title": s.title,
                    "unit": s.unit,
                    "kind": s.kind,
                    "values": [_chart_value(s.key, v) for v in s.values],
                }
                for s in self.outcome_series + self.attendance_series
            ],
        }


def _figure(sums: Sums | None, metric: str) -> tuple[float | None, int]:
    """A figure and the people behind it, from published cells only; (None, 0) where
    no cell is published."""
    return (None, 0) if sums is None else (sums.figure(metric), sums.people)


def _period_figure(sums: Sums | None, metric: str, weeks: int) -> float | None:
    """A part's figure over the whole period: counts are totals, measures weighted means,
    and active learners the weekly average (the total over the period's weeks)."""
    if sums is None:
        return None
    if metric == WEEKLY_AVERAGE:
        return sums.total / weeks
    return sums.figure(metric)


_WHO = {
    "steps_completed": "completed a step in these teams in any one week",
    COMPLETION_METRIC: "completed a pathway in these teams in any one week",
}


def _hidden_reason(metric: str, filters: DashboardFilters) -> str:
    """Why a chart or card has no figure at all, said in its place."""
    if metric not in SUMMED:
        return privacy.hidden_reason("were measured in these teams in any one week")
    if filters.pathway is not None:
        return privacy.hidden_reason("took this pathway in these teams in any one week")
    return privacy.hidden_reason(_WHO.get(metric, "were active in these teams in any one week"))


def dashboard(filters: DashboardFilters, teams: list[Team]) -> Dashboard:
    """Everything the page shows, for the visible `teams`. Queries: the freshness
    figures (4, the rollup generation among them) and the other inputs' generations
    (1); then, unless the figures are cached for this scope, these filters and
    generations, measures, first completion per team, the rollup sums and the employer
    fulfilment (1, or 4 when commitments apply) = 5 cached, 9 (12) computed."""
    fresh = freshness(team_ids=None if filters.all_teams else [t.pk for t in teams])
    today = timezone.localdate()
    figures = cache.cached_figures(
        "dashboard",
        key_parts=(
            frozenset(t.pk for t in teams),
            filters.team.pk if filters.team else None,
            filters.pathway.pk if filters.pathway else None,
            filters.start,
            filters.end,
            today,  # the employer fulfilment's recent periods
        ),
        inputs=(cache.ORGANISATION, cache.MEASURES, cache.COMMITMENTS),
        # The rollups of these teams only: a rollup of other teams leaves them cached.
        generations_known={
            "rollups rebuilt": fresh.rebuilt_generation,
            "rollups of the scope": fresh.scope_generation,
        },
        compute=lambda: _board_figures(filters, teams, today),
    )
    return Dashboard(filters=filters, freshness=fresh, **figures)


def _board_figures(filters: DashboardFilters, teams: list[Team], today: dt.date) -> dict:
    """The Dashboard's figures (every field but the filters and the freshness): what
    the figures cache holds, published cells only."""
    children = team_children(teams)
    visible_ids = {t.pk for t in teams}
    top = [t for t in teams if t.parent_id not in visible_ids]
    roots = [filters.team] if filters.team else top

    # Drill-down: each child team (of the chosen team, else of the top visible teams)
    # with its whole subtree's figures over the period — teams only, never a person.
    drill_teams = [c for r in roots for c in children.get(r.pk, [])] if filters.team else roots
    drill_teams = sorted(drill_teams, key=lambda t: t.name)
    parts = {team.pk: team_subtree(team, children) for team in drill_teams}
    scope = set().union(*(team_subtree(r, children) for r in roots)) if roots else set()
    # The part of the scope no row shows (a parent team's own members): in the charts'
    # weekly sums, not in the table.
    remainder = scope - set().union(*parts.values())
    if remainder:
        parts[REMAINDER] = remainder

    measures = list(OutcomeMeasure.objects.order_by("name"))
    totals = rollup_totals(
        parts=parts, start=filters.start, end=filters.end, pathway=filters.pathway
    )

    weeks = []
    week = filters.start
    while week <= filters.end:
        weeks.append(week)
        week += dt.timedelta(days=7)

    def series(key: str, title: str, unit: str, kind: str = "line") -> Series:
        values, people = [], []
        for w in weeks:
            value, n = _figure(totals.by_week.get((w, key)), key)
            values.append(value)
            people.append(n)
        reason = "" if any(v is not None for v in values) else _hidden_reason(key, filters)
        return Series(key, title, unit, values, people, kind, weeks, reason)

    outcome_series = [series(m.key, m.name, m.unit) for m in measures]
    attendance_series = [series(key, title, "", "bar") for key, title in ATTENDANCE]

    # Cohorts: team-weeks after the team's first pathway completion vs team-weeks
    # of teams with none yet. Outcomes are measured per team, not per person.
    cards = []
    for measure, line in zip(measures, outcome_series, strict=True):
        shown = [v for v in line.values if v is not None]
        after = _figure(totals.by_cohort.get((measure.key, True)), measure.key)
        before = _figure(totals.by_cohort.get((measure.key, False)), measure.key)
        cards.append(
            OutcomeCard(
                measure=measure,
                first=shown[0] if shown else None,
                last=shown[-1] if shown else None,
                completers=after[0],
                not_yet=before[0],
                completers_people=after[1],
                not_yet_people=before[1],
                hidden_reason=line.hidden_reason,
            )
        )

    # Each team's figures are sums of its subtree's published cells, the same cells as
    # the team's own dashboard and the CSV: a parent minus its sub-teams leaves only
    # the published cells of its own members.
    drill_metrics = [
        *((m.key, m.name) for m in measures),
        ATTENDANCE[0],
        (WEEKLY_AVERAGE, WEEKLY_AVERAGE_TITLE),
    ]
    sums_of = {WEEKLY_AVERAGE: DISTINCT_PEOPLE}
    drill_rows = [
        DrillRow(
            team=team,
            figures={
                key: _period_figure(
                    totals.by_part.get((team.pk, sums_of.get(key, key))), key, len(weeks)
                )
                for key, _ in drill_metrics
            },
        )
        for team in drill_teams
    ]

    # Employer support over the whole scope: check-ins are recorded per team, so each
    # commitment is summed over the scope's teams (a department has none of its own).
    commitments = [
        c
        for c in responsibilities.commitments_for_teams(scope)
        if c.party in responsibilities.EMPLOYER_PARTIES
    ]
    support_rows = responsibilities.support_summaries(
        team_ids=scope, commitments=commitments, today=today
    )
    return {
        "weeks": weeks,
        "cards": cards,
        "outcome_series": outcome_series,
        "attendance_series": attendance_series,
        "drill_rows": drill_rows,
        "drill_metrics": drill_metrics,
        "support_rows": support_rows,
        "exclusion_note": privacy.exclusion_note(),
    }


def freshness(*, team_ids: list[int] | None) -> Freshness:
    """When rollups last ran, how many raw rows arrived since, and when the rollup rows
    of `team_ids` (None: of any team) were last rewritten (four queries)."""
    generations = RollupTeamGeneration.objects.all()
    if team_ids is not None:
        generations = generations.filter(team_id__in=team_ids)
    latest_of_scope = generations.order_by("-generation").values("generation")[:1]
    state = (
        RollupState.objects.filter(pk=1)
        .annotate(scope_generation=Subquery(latest_of_scope))
        .first()
    )
    last = state.last_run_at if state else None
    activity = ActivityRecord.objects.all()
    observations = OutcomeObservation.objects.all()
    if last is not None:
        activity = activity.filter(created_at__gt=last)
        observations = observations.filter(created_at__gt=last)
    waiting = activity.aggregate(n=Count("id"))["n"] + observations.aggregate(n=Count("id"))["n"]
    return Freshness(
        last_run_at=last,
        waiting_rows=waiting,
        queued_buckets=RollupDirtyBucket.objects.count(),
        generation=state.generation if state else 0,
        rebuilt_generation=state.rebuilt_generation if state else 0,
        scope_generation=(state.scope_generation or 0) if state else 0,
    )
