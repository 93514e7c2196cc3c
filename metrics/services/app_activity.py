"""Activity the app itself records as learners progress (starts, practice, completions).

DESIGN's dependency rule says pathways never imports metrics. So `app_activity_record`
is registered (MetricsConfig.ready) as the recorder behind upskill's one documented port,
`upskill.learning_activity.learning_activity_record`, which pathways calls: a step's
activity lands in the same transaction as the progress that caused it. Keep this module
small and free of reads, so the port stays one function wide.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from metrics import enqueue
from metrics.models import ActivityRecord
from metrics.services.imports import dirty_buckets_mark
from pathways.models import Pathway, Step
from upskill.models import Person

APP_SOURCE = "app"


def app_activity_record(
    *,
    person: Person,
    pathway: Pathway | None,
    step: Step | None,
    kind: str,
    minutes: int,
    source_id: str,
    occurred_at: dt.datetime,
) -> tuple[ActivityRecord, bool]:
    """Record one activity once: source "app" plus a deterministic `source_id` (e.g.
    "progress:42:completed") make a repeat — a double submit, a retried request — return
    the existing record instead of adding a second. Returns (record, created).

    A new record also queues its (team, week) bucket for the incremental rollup, in the
    caller's transaction, and the rollup runs once that commits, so dashboards need not
    wait for the periodic catch-up's scan."""
    record = ActivityRecord(
        person=person,
        pathway=pathway,
        step=step,
        kind=kind,
        minutes=min(max(minutes, 0), 1440),
        source=APP_SOURCE,
        source_id=source_id,
        occurred_at=occurred_at,
    )
    # Field checks (kind, minutes). The related rows come loaded from the caller, and
    # uniqueness is get_or_create's job: its savepoint also covers two requests racing.
    record.full_clean(
        exclude=["person", "pathway", "step"], validate_unique=False, validate_constraints=False
    )
    record, created = ActivityRecord.objects.get_or_create(
        source=APP_SOURCE,
        source_id=source_id,
        defaults={
            "person": person,
            "pathway": pathway,
            "step": step,
            "kind": kind,
            "minutes": record.minutes,
            "occurred_at": occurred_at,
        },
    )
    if created:
        day = occurred_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        dirty_buckets_mark(buckets=[(person.team_id, day - dt.timedelta(days=day.weekday()))])
        enqueue.rollup_incremental()
    return record, created
