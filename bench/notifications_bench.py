"""Benchmark of the due-notification job (what beat runs every 15 minutes and
`send_notifications` runs now) over the 5,000-person demo on PostgreSQL. Prints ONE
JSON object: seconds and queries of a first run (creating every due notification), of
a re-run (creating none: the keys), the queries per batch of the pathways scan at two
organisation sizes (constant: they do not grow with the rows), and the time to build
and hand over the emails to Django's in-memory backend (no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/upskill_bench_notify \\
        .venv/bin/python bench/notifications_bench.py

The database must be migrated and seeded (`seed_demo --people 5000`). To make every
kind of due-date nudge occur, the bench spreads the due dates of unfinished enrolments
over 25 days overdue to 10 days ahead (the same spread each run) and deletes the
notifications an earlier run created. Progress goes to stderr; stdout holds the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")

TARGET_SECONDS = 10.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    import pathways.notifications as pathway_notifications
    from pathways.models import Enrollment
    from upskill import enqueue, notifications
    from upskill.models import Notification, NotificationPreference, Person

    assert connection.vendor == "postgresql", "run on PostgreSQL (DATABASE_URL)"
    people = Person.objects.count()
    assert people >= 5000, f"seed first: seed_demo --people 5000 (found {people} people)"

    log("spreading due dates and clearing earlier notifications")
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pathways_enrollment SET due_date = %s::date + ((id %% 36) - 25)::int"
            " WHERE completed_at IS NULL",
            [today],
        )
    Notification.objects.all().delete()
    NotificationPreference.objects.all().delete()
    enrolments = Enrollment.objects.filter(completed_at__isnull=True).count()

    # Creation only: the emails are timed separately below.
    enqueue.notification_emails_send = lambda **kwargs: None
    now = timezone.now()

    def timed(label):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            created = notifications.notifications_due_run(now=now)
            seconds = time.perf_counter() - start
        log(f"{label}: {seconds:.2f} s, {len(queries)} queries, {created}")
        return {"seconds": round(seconds, 3), "queries": len(queries), "created": created}

    first = timed("first run")
    rerun = timed("re-run")

    def pathway_queries(batch_size):
        pathway_notifications.ENROLMENTS_PER_BATCH = batch_size
        Notification.objects.filter(kind__in=["due_soon", "overdue"]).delete()
        with CaptureQueriesContext(connection) as queries:
            pathway_notifications.due_dates_notify(now)
        return len(queries)

    candidates = Enrollment.objects.filter(
        completed_at__isnull=True,
        due_date__gte=today - dt.timedelta(days=22),
        due_date__lte=today + dt.timedelta(days=8),
    ).count()
    sizes = {}
    for batch in (500, 1000):
        sizes[batch] = {"batches": -(-candidates // batch), "queries": pathway_queries(batch)}
    small, large = sizes[500], sizes[1000]
    per_batch = {
        "enrolments_scanned": candidates,
        "by_batch_size": sizes,
        # queries = fixed + per_batch x batches: solved from the two runs
        "queries_per_batch": (small["queries"] - large["queries"])
        / max(1, small["batches"] - large["batches"]),
    }
    pathway_notifications.ENROLMENTS_PER_BATCH = 2000

    log("building and sending the emails (in-memory backend)")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pending = Notification.objects.filter(email="pending").count()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        sent = notifications.notification_emails_send(now=now)
        send_seconds = time.perf_counter() - start
    result = {
        "people": people,
        "unfinished_enrolments": enrolments,
        "due_job_first_run": first,
        "due_job_rerun": rerun,
        "pathways_scan_queries": per_batch,
        "emails": {
            "pending_notifications": pending,
            "emails_sent": sent.emails_sent,
            "seconds": round(send_seconds, 3),
            "queries": len(queries),
        },
        "target_seconds_max": TARGET_SECONDS,
        "met": first["seconds"] < TARGET_SECONDS and rerun["seconds"] < TARGET_SECONDS,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
