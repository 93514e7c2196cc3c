"""The due-notification port: upskill runs the due jobs but may import no other app, so
each app registers its own job here from its AppConfig.ready() (pathways: due in 7 days
and overdue; responsibilities: pulse closing, check-in due, commitment behind; metrics:
the leader digest). `send_notifications` and the beat task run every registered job,
then send what is due."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from upskill.models import NotificationPreference

logger = logging.getLogger(__name__)

DueJob = Callable[[dt.datetime], int]  # (now) -> how many notifications it created
_due_jobs: dict[str, DueJob] = {}


def due_job_register(name: str, job: DueJob) -> None:
    """Register (or replace) an app's due job under a name of its own."""
    _due_jobs[name] = job


def due_jobs() -> dict[str, DueJob]:
    return dict(_due_jobs)


def notifications_due_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every registered due job; each is idempotent (keys), so running it twice, or
    on two workers at once, creates each notification once."""
    now = now or timezone.now()
    created = {}
    for name, job in sorted(_due_jobs.items()):
        created[name] = job(now)
        logger.info("Due job %s created %d notifications", name, created[name])
    return created


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def time_zones_of(user_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    """Each user's time zone (their preference, else the site's): one query."""
    site = zone_named(settings.TIME_ZONE)
    zones = dict.fromkeys(user_ids, site)
    if not zones:
        return zones
    for user_id, name in (
        NotificationPreference.objects.filter(user_id__in=list(zones))
        .exclude(time_zone="")
        .values_list("user_id", "time_zone")
    ):
        zones[user_id] = zone_named(name)
    return zones


def local_date(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    return now.astimezone(zone).date()
