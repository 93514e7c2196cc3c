"""Reads for the leaders' outcome dashboard and the rollup export.

Dashboards read WeeklyRollup only (plus the commitment fulfilment read from
responsibilities). Every figure describing fewer than MIN_GROUP_SIZE people is replaced
by None here, before any template, chart or export sees it. Each function runs a fixed
number of queries whatever the number of teams, weeks or rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from metrics.models import (
    ActivityRecord,
    ImportRun,
    OutcomeMeasure,
    OutcomeObservation,
    RollupDirtyBucket,
    RollupState,
    WeeklyRollup,
    XapiKey,
)
from metrics.services.rollups import COMPLETION_METRIC
from pathways.models import Pathway
from responsibilities import selectors as responsibilities
from upskill import access, privacy
from upskill.models import Team

SUMMED = ("learning_minutes", "active_learners", "steps_completed", COMPLETION_METRIC)
ATTENDANCE = (
    ("learning_minutes", "Learning minutes"),
    ("active_learners", "Active learners"),
    ("steps_completed", "Steps completed"),
    (COMPLETION_METRIC, "Pathway completions"),
)
DEFAULT_WEEKS = 26
MAX_WEEKS = 156


def _visible(value: float | None, people: int) -> float | None:
    return None if value is None or people < settings.MIN_GROUP_SIZE else value


# --- Filters ------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    team = forms.SlugField(required=False)
    pathway = forms.SlugField(required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args, teams: dict[str, Team], pathways: dict[str, Pathway], **kwargs):
        super().__init__(*args, **kwargs)
        self.teams, self.pathways = teams, pathways

    def clean_team(self):
        slug = self.cleaned_data["team"]
        if slug and slug not in self.teams:
            raise forms.ValidationError(
                f"There is no team {slug!r} among the teams you can see; showing all of them."
            )
        return self.teams.get(slug)

    def clean_pathway(self):
        slug = self.cleaned_data["pathway"]
        if slug and slug not in self.pathways:
            raise forms.ValidationError(f"There is no pathway {slug!r}; showing all pathways.")
        return self.pathways.get(slug)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date; swap them.")
        if start and end and (end - start).days > MAX_WEEKS * 7:
            raise forms.ValidationError(f"Choose a range of at most {MAX_WEEKS} weeks.")
        return data


@dataclass
class DashboardFilters:
    team: Team | None
    pathway: Pathway | None
    start: dt.date
    end: dt.date
    errors: list[str] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team:
            params["team"] = self.team.slug
        if self.pathway:
            params["pathway"] = self.pathway.slug
        return params


def dashboard_filters(user, params) -> tuple[DashboardFilters, list[Team], list[Pathway]]:
    """Parse the URL's filters against what the user may see. Bad values give a message
    and fall back to the default, never an error page. Two queries: teams, pathways."""
    visible = access.visible_team_ids(user)
    teams = list(Team.objects.filter(id__in=visible).order_by("name"))
    pathways = list(Pathway.objects.exclude(status=Pathway.Status.DRAFT).order_by("title"))
    form = DashboardFilterForm(
        params,
        teams={t.slug: t for t in teams},
        pathways={p.slug: p for p in pathways},
    )
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    errors = [message for messages in form.errors.values() for message in messages]
    today = timezone.localdate()
    end = data.get("end") if "__all__" not in form.errors else None
    start = data.get("start") if "__all__" not in form.errors else None
    end = end or today
    start = start or end - dt.timedelta(weeks=DEFAULT_WEEKS)
    filters = DashboardFilters(
        team=data.get("team"),
        pathway=data.get("pathway"),
        start=start - dt.timedelta(days=start.weekday()),
        end=end,
        errors=errors,
    )
    return filters, teams, pathways


# --- The dashboard ------------------------------------------------------------------------


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


def _children(teams: list[Team]) -> dict[int | None, list[Team]]:
    children: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team)
    return children


def _subtree(root: Team, children: dict[int | None, list[Team]]) -> set[int]:
    ids = {parent: [team.pk for team in kids] for parent, kids in children.items()}
    return set(access.descendants([root.pk], ids))


def _combine(rows: Iterable[tuple[str, float, int]]) -> dict[str, tuple[float, int]]:
    """Roll per-team values up to one figure per metric: counts add up; measures are
    means weighted by the people (sample sizes) behind them. Teams are disjoint, so the
    summed people are distinct people."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for metric, value, people in rows:
        weight = 1 if metric in SUMMED else people
        totals[metric][0] += value * weight
        totals[metric][1] += people
    return {
        metric: (total if metric in SUMMED else (total / people if people else 0.0), people)
        for metric, (total, people) in totals.items()
    }


def dashboard(user, filters: DashboardFilters, teams: list[Team]) -> Dashboard:
    """Everything the page shows. Queries: measures, rollups in range, first completion
    per team, the freshness figures (3) and the employer fulfilment (4) = 10."""
    children = _children(teams)
    visible_ids = {t.pk for t in teams}
    top = [t for t in teams if t.parent_id not in visible_ids]
    roots = [filters.team] if filters.team else top
    scope = set().union(*(_subtree(r, children) for r in roots)) if roots else set()
    by_id = {t.pk: t for t in teams}

    measures = list(OutcomeMeasure.objects.order_by("name"))
    rollups = list(
        WeeklyRollup.objects.filter(
            team_id__in=scope,
            week_start__gte=filters.start,
            week_start__lte=filters.end,
            pathway=filters.pathway,
        ).values_list("team_id", "week_start", "metric", "value", "people")
    )
    first_completion = dict(
        WeeklyRollup.objects.filter(
            team_id__in=scope, metric=COMPLETION_METRIC, pathway__isnull=True
        )
        .values("team_id")
        .annotate(first=Min("week_start"))
        .values_list("team_id", "first")
    )

    weeks = []
    week = filters.start
    while week <= filters.end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    by_week: dict[dt.date, list] = defaultdict(list)
    for _team_id, week_start, metric, value, people in rollups:
        by_week[week_start].append((metric, value, people))
    per_week = {w: _combine(rows) for w, rows in by_week.items()}

    def series(key: str, title: str, unit: str, kind: str = "line") -> Series:
        values, people = [], []
        for w in weeks:
            value, n = per_week.get(w, {}).get(key, (None, 0))
            values.append(_visible(None if value is None else round(value, 2), n))
            people.append(n)
        return Series(key, title, unit, values, people, kind, weeks)

    outcome_series = [series(m.key, m.name, m.unit) for m in measures]
    attendance_series = [series(key, title, "", "bar") for key, title in ATTENDANCE]

    # Cohorts: team-weeks after the team's first pathway completion vs team-weeks
    # of teams with none yet. Outcomes are measured per team, not per person.
    cohort: dict[tuple[str, bool], list] = defaultdict(list)
    for team_id, week_start, metric, value, people in rollups:
        if metric in SUMMED:
            continue
        first = first_completion.get(team_id)
        cohort[(metric, first is not None and week_start >= first)].append((metric, value, people))
    cards = []
    for measure, line in zip(measures, outcome_series, strict=True):
        shown = [v for v in line.values if v is not None]
        after = _combine(cohort[(measure.key, True)]).get(measure.key, (None, 0))
        before = _combine(cohort[(measure.key, False)]).get(measure.key, (None, 0))
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

    # Drill-down: each child team (of the chosen team, else of the top visible teams)
    # with its whole subtree's figures over the period — teams only, never a person.
    drill_teams = [c for r in roots for c in children.get(r.pk, [])] if filters.team else roots
    per_team: dict[int, list] = defaultdict(list)
    for team_id, _week, metric, value, people in rollups:
        per_team[team_id].append((metric, value, people))
    drill_metrics = [(m.key, m.name) for m in measures] + list(ATTENDANCE[:2])
    drill_periods = {}
    covered: set[int] = set()
    for team in sorted(drill_teams, key=lambda t: t.name):
        subtree = _subtree(team, children)
        covered |= subtree
        drill_periods[team] = _period_figures([r for tid in subtree for r in per_team.get(tid, [])])
    # The part of the scope no row shows (a parent team's own members): it counts as a
    # hidden part when small, so a lone hidden row can't be found by subtraction.
    remainder = _period_figures([r for tid in scope - covered for r in per_team.get(tid, [])])
    hidden = {
        key: privacy.hidden_parts(
            {team: period.get(key, (None, 0))[1] for team, period in drill_periods.items()},
            remainder_people=remainder.get(key, (None, 0))[1],
        )
        for key, _ in drill_metrics
    }
    drill_rows = [
        DrillRow(
            team=team,
            figures={
                key: None if team in hidden[key] else _visible(*period.get(key, (None, 0)))
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


def _period_figures(rows: list[tuple[str, float, int]]) -> dict[str, tuple[float, int]]:
    """A team's figure over the whole period: counts are totals, measures weighted means,
    people the largest weekly number behind it (distinct people cannot be summed over
    weeks, and the largest week is a safe lower bound)."""
    totals = _combine(rows)
    most: dict[str, int] = defaultdict(int)
    for metric, _value, people in rows:
        most[metric] = max(most[metric], people)
    return {
        metric: (round(value, 2), most[metric] if metric in SUMMED else people)
        for metric, (value, people) in totals.items()
    }


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


def scope_team_ids(filters: DashboardFilters, teams: list[Team]) -> set[int]:
    """The chosen team's subtree among the visible teams, else every visible team."""
    if filters.team is None:
        return {t.pk for t in teams}
    return _subtree(filters.team, _children(teams))


# --- Export -------------------------------------------------------------------------------

EXPORT_HEADER = ("team", "week_start", "pathway", "metric", "value", "people", "note")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates: a leading ' disarms it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rollup_export_lines(team_ids: Iterable[int] | None, filters: DashboardFilters | None = None):
    """CSV lines (header first) of the rollups of the given teams (None = all), with
    figures for fewer than MIN_GROUP_SIZE people blanked and noted. One query, streamed."""
    rows = WeeklyRollup.objects.order_by("team__slug", "week_start", "pathway__slug", "metric")
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    if filters is not None:
        rows = rows.filter(week_start__gte=filters.start, week_start__lte=filters.end)
        if filters.pathway:
            rows = rows.filter(pathway=filters.pathway)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_safe(str(v)) for v in values])
        return buffer.getvalue()

    def lines() -> Iterator[str]:
        yield line(EXPORT_HEADER)
        for team, week, pathway, metric, value, people in rows.values_list(
            "team__slug", "week_start", "pathway__slug", "metric", "value", "people"
        ).iterator(chunk_size=5_000):
            suppressed = people < settings.MIN_GROUP_SIZE
            shown = "" if suppressed else f"{value:g}"
            yield line(
                (
                    team,
                    week.isoformat(),
                    pathway or "",
                    metric,
                    shown,
                    people,
                    "suppressed" if suppressed else "",
                )
            )

    return lines()


# --- Imports ------------------------------------------------------------------------------

RECENT_IMPORT_RUNS = 20
SHOWN_ROW_ERRORS = 100


def import_runs_recent(limit: int = RECENT_IMPORT_RUNS):
    """The latest import runs, newest first, with who started them (one query)."""
    return ImportRun.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]


def import_run_errors_shown(import_run) -> tuple[list[dict], int]:
    """The bad rows to list on the page, and how many more there are."""
    shown = import_run.row_errors[:SHOWN_ROW_ERRORS]
    return shown, import_run.rows_invalid - len(shown)


def xapi_keys():
    return XapiKey.objects.select_related("created_by").order_by("-created_at", "-pk")
