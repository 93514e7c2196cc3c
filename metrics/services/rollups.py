"""Writes for metrics: the weekly rollups that dashboards read.

Until the outcome-metrics issue brings incremental, watermark-driven rollups, the rollup
is a full recompute: aggregation happens in SQL (GROUP BY team, ISO week, pathway), and
only the aggregated rows pass through Python on their way back into WeeklyRollup.
Historical activity is attributed to the person's *current* team.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncWeek

from metrics.models import ActivityRecord, WeeklyRollup

ACTIVITY_METRICS = ("learning_minutes", "active_learners", "steps_completed")


@dataclass(frozen=True)
class RollupResult:
    rows_written: int
    buckets: int


def _activity_aggregates(*, by_pathway: bool):
    group = ["person__team_id", "week"] + (["pathway_id"] if by_pathway else [])
    records = ActivityRecord.objects.annotate(
        week=TruncWeek("occurred_at", output_field=DateField())
    )
    if by_pathway:
        records = records.filter(pathway__isnull=False)
    completed = Q(kind=ActivityRecord.Kind.COMPLETED, step__isnull=False)
    return (
        records.values(*group)
        .annotate(
            learning_minutes=Sum("minutes"),
            active_learners=Count("person", distinct=True),
            steps_completed=Count("id", filter=completed),
            completers=Count("person", filter=completed, distinct=True),
        )
        .order_by()
    )


@transaction.atomic
def rollup_rebuild() -> RollupResult:
    """Recompute every activity rollup. Safe to re-run: it replaces, never adds."""
    rollups: list[WeeklyRollup] = []
    buckets = 0
    for by_pathway in (False, True):
        for bucket in _activity_aggregates(by_pathway=by_pathway):
            buckets += 1
            common = {
                "team_id": bucket["person__team_id"],
                "week_start": bucket["week"],
                "pathway_id": bucket["pathway_id"] if by_pathway else None,
            }
            rollups += [
                WeeklyRollup(
                    **common,
                    metric="learning_minutes",
                    value=bucket["learning_minutes"] or 0,
                    people=bucket["active_learners"],
                ),
                WeeklyRollup(
                    **common,
                    metric="active_learners",
                    value=bucket["active_learners"],
                    people=bucket["active_learners"],
                ),
                WeeklyRollup(
                    **common,
                    metric="steps_completed",
                    value=bucket["steps_completed"],
                    people=bucket["completers"],
                ),
            ]
    WeeklyRollup.objects.filter(metric__in=ACTIVITY_METRICS).delete()
    WeeklyRollup.objects.bulk_create(rollups, batch_size=2_000)
    return RollupResult(rows_written=len(rollups), buckets=buckets)
