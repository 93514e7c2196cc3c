"""upskill's Celery jobs, queued after commit (never failing a committed request)."""

from upskill.celery import enqueue_after_commit


def notification_emails_send(*, recipient_ids: list[int]) -> None:
    from upskill import tasks

    enqueue_after_commit(tasks.notification_emails_send, recipient_ids=recipient_ids)
