"""Writes for metrics: the weekly rollups that dashboards read.

A rollup row is one metric for one (team, ISO week in the site time zone, pathway or
"no pathway") — a *cell* of the privacy layer (upskill.privacy): the cells of a
team-week are disjoint, so "all pathways" is their sum. Distinct people
(active_learners) don't add up across pathways, so for them the pathway-NULL row is the
team-week as a whole; outcome measures are not split by pathway (pathway NULL).
Aggregation happens in SQL, grouped by team, week and pathway: on PostgreSQL one INSERT
... SELECT computes and writes every row (rollup_sql); on SQLite the ORM aggregates and
only the aggregated rows pass through Python (_compute, the portable twin the tests hold
to the same figures). A bucket's rows are replaced as a whole (delete, then insert, in
one transaction), which is the upsert:
a bucket whose raw rows disappeared disappears too.

Which buckets to recompute:
- importers (and any other writer that calls `dirty_buckets_mark`) queue the (team,
  week) buckets they touched in the same transaction as their rows, so the queue can
  never lag behind committed data. The rollup deletes exactly the markers it read, by
  id: a marker committed by an overlapping import after the rollup's snapshot survives
  for the next run. No watermark on auto-increment ids is involved, so two imports
  committing out of id order cannot make a row be skipped.
- the catch-up (beat) additionally scans rows *created* since its last scan minus
  SCAN_LAG, as a safety net for writers that do not queue buckets (the app's own
  completions, the admin): it may recompute a bucket twice, never miss one whose
  transaction committed within SCAN_LAG of stamping its rows.
- people who moved team since the last rollup: historical activity, ratings and
  completions belong to the person's *current* team (a dashboard shows the team as it
  is now), so every run compares each person's team with the team their rows were last
  rolled up under (RollupAttribution) and recomputes the weeks of both teams.

Runs are serialised by a PostgreSQL advisory lock held to the end of the transaction
(SQLite serialises writers itself), so two rollups at once give the same rows as one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, F, FloatField, OuterRef, Q, Sum
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone

from metrics import enqueue
from metrics.models import (
    ActivityRecord,
    OutcomeObservation,
    RollupAttribution,
    RollupDirtyBucket,
    RollupState,
    RollupTeamGeneration,
    WeeklyRollup,
)
from metrics.services import rollup_sql
from pathways.models import ConfidenceRating, Enrollment
from upskill.models import Person

ACTIVITY_METRICS = ("learning_minutes", "active_learners", "steps_completed")
COMPLETION_METRIC = "pathway_completions"
CONFIDENCE_MEASURE = "confidence"
SCAN_LAG = dt.timedelta(minutes=15)
ADVISORY_LOCK_KEY = 0x5570_6B69  # "Upki": any constant shared by every rollup
_CHUNK = 5_000

_Bucket = tuple[int, dt.date]  # (team, week_start)
_Rows = dict[tuple[int, dt.date, int | None, str], tuple[float, int]]


@dataclass(frozen=True)
class RollupResult:
    rows_written: int
    buckets: int


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _week_bounds(weeks: Iterable[dt.date]) -> tuple[dt.datetime, dt.datetime]:
    site_tz = ZoneInfo(settings.TIME_ZONE)
    weeks = list(weeks)
    first, last = min(weeks), max(weeks) + dt.timedelta(days=7)
    return (
        dt.datetime(first.year, first.month, first.day, tzinfo=site_tz),
        dt.datetime(last.year, last.month, last.day, tzinfo=site_tz),
    )


def _in_scope(queryset, scope: set[_Bucket] | None, team_path: str, moment: str | None):
    """Narrow a raw-row query to the scope's teams and weeks (rows outside the exact
    buckets are dropped after aggregation, where they are few)."""
    if scope is None:
        return queryset
    start, end = _week_bounds(week for _team, week in scope)
    queryset = queryset.filter(**{f"{team_path}__in": {team for team, _week in scope}})
    if moment is None:  # a date column that already holds Mondays
        return queryset.filter(period_start__gte=start.date(), period_start__lt=end.date())
    return queryset.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})


def _compute(scope: set[_Bucket] | None) -> _Rows:
    rows: _Rows = {}

    def keep(team: int, week: dt.date) -> bool:
        return scope is None or (team, week) in scope

    records = _in_scope(ActivityRecord.objects.all(), scope, "person__team_id", "occurred_at")
    completed = Q(kind=ActivityRecord.Kind.COMPLETED, step__isnull=False)
    # Disjoint cells: one per pathway and one for activity on no pathway (or on a pathway
    # that no longer exists: ActivityRecord has no database foreign keys), so "all
    # pathways" is their sum. Distinct people don't add up across pathways, so
    # active_learners also gets the team-week as a whole (pathway NULL).
    groupings = (
        ("all", records, ["person__team_id", "week"]),
        ("pathway", records.filter(pathway__slug__isnull=False), None),
        ("none", records.filter(pathway__slug__isnull=True), ["person__team_id", "week"]),
    )
    for cell, rows_of, group in groupings:
        group = group or ["person__team_id", "week", "pathway_id"]
        aggregates = (
            rows_of.annotate(week=TruncWeek("occurred_at", output_field=DateField()))
            .values(*group)
            .annotate(
                learning_minutes=Sum("minutes"),
                active_learners=Count("person", distinct=True),
                steps_completed=Count("id", filter=completed),
                completers=Count("person", filter=completed, distinct=True),
            )
            .order_by()
        )
        for bucket in aggregates:
            team, week = bucket["person__team_id"], bucket["week"]
            if not keep(team, week):
                continue
            pathway = bucket["pathway_id"] if cell == "pathway" else None
            learners = bucket["active_learners"]
            if cell != "none":
                rows[(team, week, pathway, "active_learners")] = (float(learners), learners)
            if cell == "all":
                continue
            rows[(team, week, pathway, "learning_minutes")] = (
                float(bucket["learning_minutes"] or 0),
                learners,
            )
            rows[(team, week, pathway, "steps_completed")] = (
                float(bucket["steps_completed"]),
                bucket["completers"],
            )

    # A pathway completion is the app's record of a completed enrolment, always on a
    # pathway: one cell per pathway, "all pathways" is their sum.
    enrollments = _in_scope(
        Enrollment.objects.filter(completed_at__isnull=False),
        scope,
        "person__team_id",
        "completed_at",
    ).annotate(week=TruncWeek("completed_at", output_field=DateField()))
    for bucket in (
        enrollments.values("person__team_id", "week", "pathway_id")
        .annotate(n=Count("id"), people=Count("person", distinct=True))
        .order_by()
    ):
        team, week = bucket["person__team_id"], bucket["week"]
        if keep(team, week):
            rows[(team, week, bucket["pathway_id"], COMPLETION_METRIC)] = (
                float(bucket["n"]),
                bucket["people"],
            )

    # Outcome measures: the mean weighted by sample size; people = the summed people
    # counts (a tool connector's distinct people; an uploaded row's sample size).
    sums: dict[tuple[int, dt.date, str], list[float]] = defaultdict(lambda: [0.0, 0, 0])
    observations = _in_scope(OutcomeObservation.objects.all(), scope, "team_id", None)
    for bucket in (
        observations.values("team_id", "period_start", "measure__key")
        .annotate(
            weighted=Sum(F("value") * Cast("sample_size", FloatField())),
            samples=Sum("sample_size"),
            people=Sum(Coalesce("people", "sample_size")),
        )
        .order_by()
    ):
        key = (bucket["team_id"], bucket["period_start"], bucket["measure__key"])
        sums[key][0] += bucket["weighted"]
        sums[key][1] += bucket["samples"]
        sums[key][2] += bucket["people"]
    # Confidence also comes from learners' own 1-5 ratings: each rating weighs one, and
    # the people behind it are the distinct raters.
    ratings = _in_scope(
        ConfidenceRating.objects.all(), scope, "enrollment__person__team_id", "created_at"
    )
    for bucket in (
        ratings.annotate(week=TruncWeek("created_at", output_field=DateField()))
        .values("enrollment__person__team_id", "week")
        .annotate(
            total=Sum("rating"), n=Count("id"), raters=Count("enrollment__person", distinct=True)
        )
        .order_by()
    ):
        key = (bucket["enrollment__person__team_id"], bucket["week"], CONFIDENCE_MEASURE)
        sums[key][0] += bucket["total"]
        sums[key][1] += bucket["n"]
        sums[key][2] += bucket["raters"]
    for (team, week, measure), (weighted, weight, people) in sums.items():
        if keep(team, week):
            rows[(team, week, None, measure)] = (weighted / weight, int(people))
    return rows


def _recompute(scope: set[_Bucket] | None) -> int:
    """Replace the rollup rows of `scope` (everything when None) with freshly computed
    ones; returns how many were written. PostgreSQL does it in one INSERT ... SELECT
    (rollup_sql); elsewhere the ORM aggregates and Python writes the rows."""
    if connection.vendor == "postgresql":
        metrics = {"completion_metric": COMPLETION_METRIC, "confidence_measure": CONFIDENCE_MEASURE}
        if scope is None:
            return rollup_sql.rollup_all_replace(**metrics)
        bounds = _week_bounds(week for _team, week in scope)
        return rollup_sql.rollup_buckets_replace(scope=scope, bounds=bounds, **metrics)
    if scope is None:
        WeeklyRollup.objects.all().delete()
    else:
        teams_by_week: dict[dt.date, list[int]] = defaultdict(list)
        for team, week in scope:
            teams_by_week[week].append(team)
        for week, teams in teams_by_week.items():
            WeeklyRollup.objects.filter(week_start=week, team_id__in=teams).delete()
    rows = _compute(scope)
    WeeklyRollup.objects.bulk_create(
        (
            WeeklyRollup(
                team_id=team, week_start=week, pathway_id=pathway, metric=metric, value=v, people=p
            )
            for (team, week, pathway, metric), (v, p) in rows.items()
        ),
        batch_size=2_000,
    )
    return len(rows)


def _weeks_of(rows, key: str, moment: str) -> set[tuple[int, dt.date]]:
    """The distinct (key, Monday of `moment`) of `rows`, worked out by the database."""
    weekly = rows.annotate(week=TruncWeek(moment, output_field=DateField()))
    return set(weekly.values_list(key, "week").distinct().order_by())


def _moved_people_buckets() -> set[_Bucket]:
    """Weeks of activity, ratings and completions of people whose team changed since
    their rows were last rolled up, for both the old and the new team. Also records the
    current team of everyone, so the next run compares against now.

    The comparison is a join in the database, so only the people who moved (usually
    none) reach Python: reading every person and attribution into dicts cost the
    incremental rollup 12 ms at 5,000 people, growing with the organisation."""
    # EXISTS, which PostgreSQL runs as one hash join (a correlated subquery per person
    # took ten times as long).
    elsewhere = RollupAttribution.objects.filter(person_id=OuterRef("pk")).exclude(
        team_id=OuterRef("team_id")
    )
    new_team = dict(
        Person.objects.filter(Exists(elsewhere)).order_by().values_list("id", "team_id")
    )
    moved: dict[int, tuple[int, int]] = {}
    for person_ids in _chunks(list(new_team)):
        for person, old in RollupAttribution.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "team_id"
        ):
            moved[person] = (old, new_team[person])
    buckets: set[_Bucket] = set()
    if moved:
        weeks: set[tuple[int, dt.date]] = set()
        for person_ids in _chunks(list(moved)):
            activity = ActivityRecord.objects.filter(person_id__in=person_ids)
            ratings = ConfidenceRating.objects.filter(enrollment__person_id__in=person_ids)
            completions = Enrollment.objects.filter(
                person_id__in=person_ids, completed_at__isnull=False
            )
            weeks |= _weeks_of(activity, "person_id", "occurred_at")
            weeks |= _weeks_of(ratings, "enrollment__person_id", "created_at")
            weeks |= _weeks_of(completions, "person_id", "completed_at")
        for person, week in weeks:
            old, new = moved[person]
            buckets |= {(old, week), (new, week)}
        for person_ids in _chunks(list(moved)):
            RollupAttribution.objects.filter(person_id__in=person_ids).delete()
        RollupAttribution.objects.bulk_create(
            (RollupAttribution(person_id=p, team_id=new) for p, (_old, new) in moved.items()),
            batch_size=2_000,
        )
    # People new since the last run start out attributed to their team; people gone
    # (deleted) are forgotten.
    RollupAttribution.objects.bulk_create(
        (
            RollupAttribution(person_id=person, team_id=team)
            for person, team in Person.objects.exclude(
                pk__in=RollupAttribution.objects.values("person_id")
            )
            .order_by()
            .values_list("id", "team_id")
        ),
        batch_size=2_000,
    )
    RollupAttribution.objects.exclude(person_id__in=Person.objects.values("pk")).delete()
    return buckets


# (rows, when each was created, path to the person's team, the moment its week is of;
# None: the row holds its week already).
_CREATED_ROWS = (
    (ActivityRecord, "created_at", "person__team_id", "occurred_at"),
    (OutcomeObservation, "created_at", "team_id", None),
    (ConfidenceRating, "created_at", "enrollment__person__team_id", "created_at"),
    (Enrollment, "completed_at", "person__team_id", "completed_at"),
)


def _recently_created_buckets(since: dt.datetime) -> set[_Bucket]:
    """Buckets of rows created since `since`: the catch-up's safety net."""
    buckets: set[_Bucket] = set()
    for model, created, team_path, moment in _CREATED_ROWS:
        rows = model.objects.filter(**{f"{created}__gte": since})
        if moment is None:
            buckets |= set(rows.values_list(team_path, "period_start").distinct().order_by())
        else:
            buckets |= _weeks_of(rows, team_path, moment)
    return buckets


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _state() -> RollupState:
    state, _created = RollupState.objects.select_for_update().get_or_create(pk=1)
    return state


def _teams_rolled_up(team_ids: set[int], generation: int) -> None:
    RollupTeamGeneration.objects.bulk_create(
        (RollupTeamGeneration(team_id=team_id, generation=generation) for team_id in team_ids),
        update_conflicts=True,
        unique_fields=["team_id"],
        update_fields=["generation"],
        batch_size=2_000,
    )


def _take_markers() -> tuple[list[int], set[_Bucket]]:
    markers = list(RollupDirtyBucket.objects.values_list("id", "team_id", "week_start"))
    return [m[0] for m in markers], {(m[1], m[2]) for m in markers}


def _drop_markers(ids: list[int]) -> None:
    # By id, never by "id <= max": a smaller id may belong to a transaction that
    # committed after our snapshot, and its marker must survive for the next run.
    for chunk in _chunks(ids):
        RollupDirtyBucket.objects.filter(id__in=chunk).delete()


@transaction.atomic
def rollup_rebuild() -> RollupResult:
    """Recompute every rollup from scratch. Safe to re-run: it replaces, never adds."""
    _lock()
    state = _state()
    started = timezone.now()
    marker_ids, _buckets = _take_markers()
    written = _recompute(None)
    _drop_markers(marker_ids)
    RollupAttribution.objects.all().delete()
    RollupAttribution.objects.bulk_create(
        (
            RollupAttribution(person_id=p, team_id=t)
            for p, t in Person.objects.values_list("id", "team_id")
        ),
        batch_size=2_000,
    )
    state.last_run_at = state.last_full_at = started
    state.scanned_until = started
    # A new rollup generation, of every team's rows: the cached impact estimates and
    # every cached dashboard are stale.
    state.generation += 1
    state.rebuilt_generation = state.generation
    state.save()
    enqueue.impact_estimates_refresh()  # runs after commit
    return RollupResult(
        rows_written=written,
        buckets=WeeklyRollup.objects.values("team", "week_start", "pathway").distinct().count(),
    )


@transaction.atomic
def rollup_incremental(*, scan: bool = False) -> RollupResult:
    """Recompute only the dirty (team, week) buckets: those queued by writers, those of
    people who moved team, and with `scan` (the catch-up) those of recently created
    rows. Idempotent: a second run finds nothing queued and changes nothing."""
    _lock()
    state = _state()
    started = timezone.now()
    if scan and state.scanned_until is None:
        # Never rolled up (or the state was reset): no watermark to catch up from.
        return rollup_rebuild()
    marker_ids, scope = _take_markers()
    scope |= _moved_people_buckets()
    if scan:
        scope |= _recently_created_buckets(state.scanned_until - SCAN_LAG)
        state.scanned_until = started
    written = _recompute(scope) if scope else 0
    _drop_markers(marker_ids)
    state.last_run_at = started
    if scope:
        # A new rollup generation: the cached impact estimates are stale, and so are
        # the cached dashboards of scopes with these teams (theirs only).
        state.generation += 1
        _teams_rolled_up({team for team, _week in scope}, state.generation)
        enqueue.impact_estimates_refresh()  # runs after commit
    state.save()
    return RollupResult(rows_written=written, buckets=len(scope))


@transaction.atomic
def rollup_rows_edited() -> None:
    """Rollup rows were changed by hand (the Django admin): a new rollup generation, as
    after a rollup, so the dashboard figures cached (upskill.cache) and the impact
    estimates of the old one are computed afresh."""
    state = _state()
    state.generation += 1
    state.rebuilt_generation = state.generation
    state.save(update_fields=["generation", "rebuilt_generation"])
    enqueue.impact_estimates_refresh()  # runs after commit


def rollup_catch_up() -> RollupResult:
    """The beat job: everything queued, plus a scan from the watermark."""
    return rollup_incremental(scan=True)
