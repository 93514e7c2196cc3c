"""Thin Celery tasks of the core app: each takes primary keys and calls the service of
its name. All are idempotent (HR sync re-checks the run's status under a lock;
notification rows are claimed before sending), so all get acks_late: a message whose
worker died is redelivered and re-run safely."""

import contextlib
import logging

from celery import shared_task

from upskill import notifications, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)  # idempotent: planning rewrites only the run's plan
def hr_sync_run_plan(hr_sync_run_id: int) -> str:
    return services.hr_sync_run_plan(hr_sync_run_id=hr_sync_run_id).status


@shared_task(acks_late=True)  # idempotent: the run is locked and its status re-checked
def hr_sync_run_apply(hr_sync_run_id: int) -> str:
    return services.hr_sync_run_apply(hr_sync_run_id=hr_sync_run_id).status


# Idempotent (rows are claimed before sending), so acks_late: a killed worker's message
# is redelivered. A failed send is retried with exponential back-off (30 s, 60 s, ...
# at most 15 min); after the last retry the rows stay pending and the beat catch-up
# sends them when the mail server is back.
@shared_task(bind=True, acks_late=True, max_retries=5)
def notification_emails_send(self, recipient_ids: list[int] | None = None) -> dict:
    try:
        result = notifications.notification_emails_send(recipient_ids=recipient_ids)
    except notifications.EmailDeliveryFailed as exc:
        if self.request.is_eager:
            # Run in-process (no broker): the request that created the notification has
            # committed and must not fail; the rows are pending for the catch-up.
            logger.warning("Notification emails failed in-process; the catch-up re-sends")
            return {"emails_sent": None}
        raise self.retry(exc=exc, countdown=min(900, 30 * 2**self.request.retries)) from exc
    return {"emails_sent": result.emails_sent, "waiting": result.waiting}


# Idempotent (posts are claimed before posting), so acks_late; a failed POST is retried
# like an email (30 s doubling, at most 15 min), then left pending for the beat catch-up.
@shared_task(bind=True, acks_late=True, max_retries=5)
def team_chat_posts_send(self) -> dict:
    try:
        result = notifications.team_chat_posts_send()
    except notifications.ChatDeliveryFailed as exc:
        if self.request.is_eager:
            logger.warning("Chat posts failed in-process; the catch-up re-sends")
            return {"chat_sent": None}
        raise self.retry(exc=exc, countdown=min(900, 30 * 2**self.request.retries)) from exc
    return {"chat_sent": result.sent}


@shared_task(acks_late=True)  # idempotent: keys make every due notification once
def notifications_due() -> dict:
    """Beat, every 15 minutes: every app's due job, then every email and chat post still
    pending (the catch-up after a broker outage or a failed send)."""
    created = notifications.notifications_due_run()
    outcome: dict = {"created": created, "emails_sent": None, "chat_sent": None}
    # A failed send leaves its rows pending for the next run.
    with contextlib.suppress(notifications.EmailDeliveryFailed):
        outcome["emails_sent"] = notifications.notification_emails_send().emails_sent
    with contextlib.suppress(notifications.ChatDeliveryFailed):
        outcome["chat_sent"] = notifications.team_chat_posts_send().sent
    return outcome
