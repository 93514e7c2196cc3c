"""The dashboard's rollup totals, added up by the database.

The dashboard shows one figure per week and metric (the charts), per drill-down part and
metric over the whole period (the teams table), and per metric for the team-weeks after
the team's first pathway completion and those before it (the outcome cards). For an L&D
admin that is tens of thousands of rollup rows; the database reads them once and adds
them up by (week, metric, cohort) and by (part, metric), so Python only combines a few
hundred sums, whatever the number of rows.

Only published cells are read (upskill.privacy: rows about MIN_GROUP_SIZE people or
more); a hidden cell contributes to no sum. How figures combine (the same rule for every
grouping): counts add up; outcome measures are means weighted by the people (sample
sizes) behind them. "All pathways" is the sum of the disjoint pathway and no-pathway
cells, except for active_learners, whose distinct people don't add up across pathways:
there the team-week as a whole is the cell. Teams are disjoint, so active learners add
up over teams; over weeks they don't (the dashboard shows a weekly average).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, Case, IntegerField, Min, Q, Value, When

from metrics.models import WeeklyRollup
from metrics.services.rollups import COMPLETION_METRIC
from pathways.models import Pathway
from upskill import privacy

SUMMED = ("learning_minutes", "active_learners", "steps_completed", COMPLETION_METRIC)
DISTINCT_PEOPLE = "active_learners"  # adds up over teams, not over pathways or weeks
REMAINDER = 0  # the part of a team the drill-down rows don't show: its own members


@dataclass
class Sums:
    """Rollup rows added up: enough to combine them again, in any grouping."""

    total: float = 0.0  # sum of value
    weighted: float = 0.0  # sum of value x people
    people: int = 0  # sum of people

    def add(self, total: float, weighted: float, people: int) -> None:
        self.total += total
        self.weighted += weighted
        self.people += people

    def figure(self, metric: str) -> float:
        """A count's total, or a measure's mean weighted by people."""
        if metric in SUMMED:
            return self.total
        return self.weighted / self.people if self.people else 0.0


@dataclass
class RollupTotals:
    by_week: dict[tuple[dt.date, str], Sums] = field(default_factory=dict)
    by_part: dict[tuple[int, str], Sums] = field(default_factory=dict)
    # (measure, True) = team-weeks on or after the team's first pathway completion;
    # counts are never split (their rows are all under False)
    by_cohort: dict[tuple[str, bool], Sums] = field(default_factory=dict)


def pathway_cells(cells, pathway: Pathway | None):
    """The cells of one pathway, or those adding up to "all pathways" (None): every
    disjoint cell, and for active_learners the team-week as a whole."""
    if pathway is not None:
        return cells.filter(pathway=pathway)
    return cells.exclude(metric=DISTINCT_PEOPLE, pathway__isnull=False)


def _first_completion_weeks(team_ids: Iterable[int]) -> dict[int, dt.date]:
    """Each team's first week with a published pathway completion cell, ever (one
    query): a hidden cell must not decide a cohort either."""
    return dict(
        WeeklyRollup.objects.filter(team_id__in=team_ids, metric=COMPLETION_METRIC)
        .filter(privacy.published_q())
        .values("team_id")
        .annotate(first=Min("week_start"))
        .order_by()
        .values_list("team_id", "first")
    )


def _part_of_team(parts: list[tuple[int, set[int]]]):
    """SQL for the part each row's team belongs to: a constant for one part (the admin's
    usual view, the whole organisation), else a binary search over halves of the parts,
    so a row costs log2(parts) set lookups rather than one per part."""
    if len(parts) == 1:
        return Value(parts[0][0], output_field=IntegerField())
    half = len(parts) // 2
    first, rest = parts[:half], parts[half:]
    return Case(
        When(team_id__in=sorted(t for _, ids in first for t in ids), then=_part_of_team(first)),
        default=_part_of_team(rest),
        output_field=IntegerField(),
    )


def _after_first_completion(first: Mapping[int, dt.date], start: dt.date, end: dt.date):
    """SQL for "this measure's team-week is on or after the team's first pathway
    completion" (always false for counts: cohorts compare outcome measures only).

    Built from the first-completion weeks rather than joined to them: without planner
    statistics (a freshly rebuilt rollup table) PostgreSQL nests that join into a loop
    over every row, and a window over each team's rows costs a second sort. Teams that
    completed before the range are after for every week in it and teams first completing
    after it never are, so per-week tests are left only for teams first completing
    inside the range, grouped by that week."""
    always = sorted(team for team, week in first.items() if week <= start)
    completing: dict[dt.date, list[int]] = defaultdict(list)
    for team, week in first.items():
        if start < week <= end:
            completing[week].append(team)
    whens = [When(metric__in=SUMMED, then=Value(False))]
    if always:
        whens.append(When(team_id__in=always, then=Value(True)))
    if completing:
        first_week = Case(
            *(
                When(team_id__in=sorted(teams), then=Value(week))
                for week, teams in sorted(completing.items())
            )
        )
        # One set lookup for all of them first: most rows are of other teams.
        in_range = sorted(team for teams in completing.values() for team in teams)
        whens.append(
            When(Q(team_id__in=in_range) & Q(week_start__gte=first_week), then=Value(True))
        )
    return Case(*whens, default=Value(False), output_field=BooleanField())


# The rows in range are read once (the CTE) and added up by week, metric and cohort for
# the charts and cards and, when the teams table has several parts, by part and metric
# too (PostgreSQL then materialises the CTE rather than scan twice; with one part, its
# sums are the weeks' sums added up). One grouping by all four would hand Python
# weeks x parts x metrics rows. The ORM has no CTE: the shell is SQL around the ORM's
# own query.
_SUMS_BY_WEEK = """
SELECT 'week', week_start, NULL, metric, after_completion,
       SUM("value"), SUM("value" * people), SUM(people)
  FROM scoped GROUP BY week_start, metric, after_completion"""
_SUMS_BY_PART = """
SELECT 'part', NULL, part, metric, NULL,
       SUM("value"), SUM("value" * people), SUM(people)
  FROM scoped GROUP BY part, metric"""


def _sums_sql(scoped: str, by_part: bool) -> str:
    union = f"\nUNION ALL{_SUMS_BY_PART}" if by_part else ""
    return f"WITH scoped AS ({scoped}){_SUMS_BY_WEEK}{union}"


def _as_date(value: dt.date | str) -> dt.date:
    # SQLite hands a raw cursor dates as ISO text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _add(grouping: dict, key, sums: tuple[float, float, int]) -> None:
    if key in grouping:
        grouping[key].add(*sums)
    else:
        grouping[key] = Sums(*sums)


def rollup_totals(
    *,
    parts: Mapping[int, set[int]],
    start: dt.date,
    end: dt.date,
    pathway: Pathway | None,
) -> RollupTotals:
    """The published rollup cells of the teams in `parts` (part key -> its team ids; the
    parts are disjoint) for weeks starting in [start, end] and the pathway (None = all
    pathways), added up by week, by part and by cohort. Two queries: the teams' first
    completions, then the sums; none when there are no teams."""
    scope = set().union(*parts.values())
    totals = RollupTotals()
    if not scope:
        return totals
    first = _first_completion_weeks(sorted(scope))
    cells = WeeklyRollup.objects.filter(
        privacy.published_q(),
        team_id__in=sorted(scope),
        week_start__gte=start,
        week_start__lte=end,
    )
    scoped = (
        pathway_cells(cells, pathway)
        .annotate(
            part=_part_of_team(sorted(parts.items())),
            after_completion=_after_first_completion(first, start, end),
        )
        .order_by()
        .values("week_start", "metric", "value", "people", "part", "after_completion")
    )
    sql, params = scoped.query.sql_with_params()
    only_part = next(iter(parts)) if len(parts) == 1 else None
    with connections[scoped.db].cursor() as cursor:
        cursor.execute(_sums_sql(sql, by_part=only_part is None), params)
        rows = cursor.fetchall()
    for by, week, part, metric, after, *sums in rows:
        if by == "week":
            _add(totals.by_week, (_as_date(week), metric), sums)
            _add(totals.by_cohort, (metric, bool(after)), sums)
            if only_part is not None:
                _add(totals.by_part, (only_part, metric), sums)
        else:
            _add(totals.by_part, (part, metric), sums)
    return totals
