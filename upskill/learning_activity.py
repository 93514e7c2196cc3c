"""The port through which an app records its learners' own activity (a step started,
practised, completed) without importing the app that stores it.

DESIGN's dependency rule: metrics reads pathways, and pathways never imports metrics.
Yet a step's activity must land in the same transaction as the progress that caused it,
so dashboards count it right after the learner acts. So upskill (which both apps read)
defines this narrow port: pathways calls `learning_activity_record`, and metrics, in
`MetricsConfig.ready()`, registers the function that stores the record and queues its
rollup. This is the one documented port between the apps; keep it one function wide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models


class ActivityKind(models.TextChoices):
    """What a learner did; metrics' ActivityRecord.Kind is this same set."""

    ATTENDED = "attended", "Attended"
    PRACTICED = "practiced", "Practiced"
    COACHED = "coached", "Coached"
    COMPLETED = "completed", "Completed"


LearningActivityRecorder = Callable[..., Any]

_recorder: LearningActivityRecorder | None = None


def learning_activity_recorder_register(recorder: LearningActivityRecorder) -> None:
    """Set the function that stores learning activity (metrics registers it at start-up).
    Registering again replaces it, so a reloaded app config does not stack recorders."""
    global _recorder
    _recorder = recorder


def learning_activity_record(
    *,
    person,
    pathway,
    step,
    kind: str,
    minutes: int,
    source_id: str,
    occurred_at: dt.datetime,
) -> Any:
    """Record one learning activity through the registered recorder, in the caller's
    transaction. `source_id` is deterministic (e.g. "progress:42:completed") so that a
    repeat records nothing new. Returns whatever the recorder returns."""
    if _recorder is None:
        raise RuntimeError(
            "No learning activity recorder is registered: the metrics app registers one in "
            "MetricsConfig.ready(); is it in INSTALLED_APPS?"
        )
    return _recorder(
        person=person,
        pathway=pathway,
        step=step,
        kind=kind,
        minutes=minutes,
        source_id=source_id,
        occurred_at=occurred_at,
    )
