"""The demo year: 52 whole ISO weeks ending at the anchor Monday.

Times in the simulation are floats counted in weeks from the start of the year
(0.0 = the first Monday, WEEKS = the anchor). They become office-hours moments on
weekdays, so every generated timestamp lies in the past and looks like work time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from metrics.models import OutcomeObservation

WEEKS = 52
DEMO_SOURCE = "demo"


@dataclass(frozen=True)
class Timeline:
    anchor: dt.date  # a Monday; the demo's data stops just before it

    @property
    def start(self) -> dt.date:
        return self.anchor - dt.timedelta(weeks=WEEKS)

    def week_start(self, week: int) -> dt.date:
        return self.start + dt.timedelta(weeks=week)

    def date_after(self, t: float) -> dt.date:
        """The calendar date t weeks into the year; unlike moment(), it may be in the future."""
        return self.start + dt.timedelta(days=round(t * 7))

    def moment(self, t: float) -> dt.datetime:
        """Weekdays 09:00-17:00; t is clamped into the year so nothing is in the future."""
        t = min(max(t, 0.0), WEEKS - 1e-6)
        week = int(t)
        within_week = (t - week) * 5
        day = int(within_week)
        minutes = int((within_week - day) * 8 * 60)
        start = dt.datetime.combine(
            self.week_start(week) + dt.timedelta(days=day),
            dt.time(9, 0),
            tzinfo=timezone.get_default_timezone(),
        )
        return start + dt.timedelta(minutes=minutes)


def timeline_for_seed() -> Timeline:
    """The week after the newest demo observation if there is one, else this week.

    Re-using the anchor of an earlier run is what makes a re-run next month change
    nothing: every date, and so every source_id, comes out the same.
    """
    latest = OutcomeObservation.objects.filter(source=DEMO_SOURCE).aggregate(
        latest=Max("period_start")
    )["latest"]
    if latest is not None:
        return Timeline(anchor=latest + dt.timedelta(weeks=1))
    today = timezone.localdate()
    return Timeline(anchor=today - dt.timedelta(days=today.weekday()))
