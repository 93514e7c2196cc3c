"""The leaders' outcome dashboard: outcome cards and charts first, attendance second, the
teams table and the employer's support delivered.

It reads WeeklyRollup only (plus the commitment fulfilment read from responsibilities).
Every figure describing fewer than MIN_GROUP_SIZE people is replaced by None here,
before any template, chart or export sees it. The queries are fixed in number whatever
the number of teams, weeks or rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.dates import MONTHS_3

from metrics.models import (
    ActivityRecord,
    OutcomeMeasure,
    OutcomeObservation,
    RollupDirtyBucket,
    RollupState,
)
from metrics.selectors.filters import DashboardFilters, team_children, team_subtree
from metrics.selectors.totals import REMAINDER, SUMMED, Sums, rollup_totals
from metrics.services.rollups import COMPLETION_METRIC
from responsibilities import selectors as responsibilities
from upskill import privacy
from upskill.models import Team

ATTENDANCE = (
    ("learning_minutes", "Learning minutes"),
    ("active_learners", "Active learners"),
    ("steps_completed", "Steps completed"),
    (COMPLETION_METRIC, "Pathway completions"),
)


def _visible(value: float | None, people: int) -> float | None:
    return None if value is None or people < settings.MIN_GROUP_SIZE else value


@dataclass
class Series:
    key: str
    title: str
    unit: str
    values: list[float | None]  # one per week, None where suppressed or missing
    people: list[int]
    kind: str = "line"
    weeks: list[dt.date] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[dt.date, float | None]]:
        return list(zip(self.weeks, self.values, strict=True))

    @property
    def table_rows(self) -> list[tuple[str, str]]:
        """The accessible table's rows as text: the week as the date filter's "j M Y",
        the value as floatformat:2 would write it ("—" where suppressed or missing).
        Formatted here because the filters, run for every cell of every chart table,
        were a fifth of the all-teams dashboard's time (bench/metrics_bench.py)."""
        return [
            (week_label(week), "—" if value is None else two_places(value))
            for week, value in self.rows
        ]


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


@dataclass
class Freshness:
    last_run_at: dt.datetime | None
    waiting_rows: int
    queued_buckets: int


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

    def chart_payload(self) -> dict:
        """What static/js/dashboard.js draws, rendered with json_script."""
        labels = [w.isoformat() for w in self.weeks]
        return {
            "labels": labels,
            "charts": [
                {"id": s.key, "title": s.title, "unit": s.unit, "kind": s.kind, "values": s.values}
                for s in self.outcome_series + self.attendance_series
            ],
        }


def _figure(sums: Sums | None, metric: str) -> tuple[float | None, int]:
    """A figure and the (summed) people behind it; (None, 0) where there are no rows."""
    return (None, 0) if sums is None else (sums.figure(metric), sums.people)


def _period_figure(sums: Sums | None, metric: str) -> tuple[float | None, int]:
    """A part's figure over the whole period: counts are totals, measures weighted means,
    people the largest weekly number behind a count (distinct people cannot be summed
    over weeks, and the largest week is a safe lower bound)."""
    if sums is None:
        return None, 0
    people = sums.largest if metric in SUMMED else sums.people
    return round(sums.figure(metric), 2), people


def dashboard(filters: DashboardFilters, teams: list[Team]) -> Dashboard:
    """Everything the page shows. Queries: measures, first completion per team, the
    rollup sums, the freshness figures (4) and the employer fulfilment (1, or 4 when
    commitments apply) = 8 (11)."""
    children = team_children(teams)
    visible_ids = {t.pk for t in teams}
    top = [t for t in teams if t.parent_id not in visible_ids]
    roots = [filters.team] if filters.team else top
    by_id = {t.pk: t for t in teams}

    # Drill-down: each child team (of the chosen team, else of the top visible teams)
    # with its whole subtree's figures over the period — teams only, never a person.
    drill_teams = [c for r in roots for c in children.get(r.pk, [])] if filters.team else roots
    drill_teams = sorted(drill_teams, key=lambda t: t.name)
    parts = {team.pk: team_subtree(team, children) for team in drill_teams}
    scope = set().union(*(team_subtree(r, children) for r in roots)) if roots else set()
    # The part of the scope no row shows (a parent team's own members): it counts as a
    # hidden part when small, so a lone hidden row can't be found by subtraction.
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
            values.append(_visible(None if value is None else round(value, 2), n))
            people.append(n)
        return Series(key, title, unit, values, people, kind, weeks)

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
                completers=_visible(after[0], after[1]),
                not_yet=_visible(before[0], before[1]),
                completers_people=after[1],
                not_yet_people=before[1],
            )
        )

    drill_metrics = [(m.key, m.name) for m in measures] + list(ATTENDANCE[:2])
    drill_periods = {
        team: {
            key: _period_figure(totals.by_part.get((team.pk, key)), key) for key, _ in drill_metrics
        }
        for team in drill_teams
    }
    hidden = {
        key: privacy.hidden_parts(
            {team: period[key][1] for team, period in drill_periods.items()},
            remainder_people=_period_figure(totals.by_part.get((REMAINDER, key)), key)[1],
        )
        for key, _ in drill_metrics
    }
    drill_rows = [
        DrillRow(
            team=team,
            figures={
                key: None if team in hidden[key] else _visible(*period[key])
                for key, _ in drill_metrics
            },
        )
        for team, period in drill_periods.items()
    ]

    support_teams = [by_id[t.pk] for t in roots]
    commitments = [
        c
        for c in responsibilities.commitments_for_teams([t.pk for t in support_teams])
        if c.party in responsibilities.EMPLOYER_PARTIES
    ]
    support_rows = responsibilities.fulfilment_rows(
        teams=support_teams, commitments=commitments, today=timezone.localdate(), count=4
    )
    return Dashboard(
        filters=filters,
        weeks=weeks,
        cards=cards,
        outcome_series=outcome_series,
        attendance_series=attendance_series,
        drill_rows=drill_rows,
        drill_metrics=drill_metrics,
        support_rows=support_rows,
        freshness=freshness(),
    )


def freshness() -> Freshness:
    """When rollups last ran and how many raw rows arrived since (four queries)."""
    state = RollupState.objects.filter(pk=1).first()
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
    )
