"""The one place upskill enqueues its Celery jobs: after commit, never failing the
request when the broker is down (upskill.celery.enqueue_after_commit)."""

from upskill.celery import enqueue_after_commit


def hr_sync_run_plan_enqueue(*, hr_sync_run_id: int) -> None:
    from upskill import tasks

    enqueue_after_commit(tasks.hr_sync_run_plan, hr_sync_run_id)


def hr_sync_run_apply_enqueue(*, hr_sync_run_id: int) -> None:
    from upskill import tasks

    enqueue_after_commit(tasks.hr_sync_run_apply, hr_sync_run_id)


def notification_emails_send(*, recipient_ids: list[int]) -> None:
    from upskill import tasks

    enqueue_after_commit(tasks.notification_emails_send, recipient_ids=recipient_ids)


def team_chat_posts_send() -> None:
    from upskill import tasks

    enqueue_after_commit(tasks.team_chat_posts_send)
