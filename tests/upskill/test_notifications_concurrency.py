"""Two workers at once on PostgreSQL: the due job and the sender each run in two threads
(own connections) released together; every notification exists once and every email
arrives once at the real SMTP server."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from pathways.notifications import due_dates_notify
from tests.factories import EnrollmentFactory, UserFactory
from upskill import notifications
from upskill.models import Notification

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.usefixtures("eager_celery"),
]


def run_twice_at_once(job):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(job())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_the_due_job_create_each_notification_once():
    now = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    for days in (-1, 3, 7, -10) * 25:
        EnrollmentFactory(due_date=now.date() + dt.timedelta(days=days))
    with pytest.MonkeyPatch.context() as patch:  # creation only; sending is tested below
        patch.setattr("upskill.enqueue.notification_emails_send", lambda **kw: None)
        run_twice_at_once(lambda: due_dates_notify(now))
    assert Notification.objects.count() == 100
    assert len(set(Notification.objects.values_list("key", flat=True))) == 100


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_senders_at_once_send_each_email_once(smtp_server):
    users = [UserFactory(email=f"person{n}@example.com") for n in range(20)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("upskill.enqueue.notification_emails_send", lambda **kw: None)
        notifications.notifications_create(
            drafts=[
                notifications.NotificationDraft(
                    recipient_id=user.pk,
                    kind=kind,
                    key=f"{kind}:{user.pk}:{n}",
                    subject=kind,
                    url="/",
                )
                for user in users
                for n, kind in enumerate(["review_outcome", "overdue", "due_soon", "enrolled"])
            ]
        )

    results = run_twice_at_once(notifications.notification_emails_send)

    # Each person: the review outcome alone, and one batch with the other three.
    assert sum(r.emails_sent for r in results) == 40
    assert Counter(rcpt for m in smtp_server.received for rcpt in m.rcpt_tos) == {
        user.email: 2 for user in users
    }
    assert set(Notification.objects.values_list("email", flat=True)) == {"sent"}
