"""Thin Celery tasks of the core app: each takes primary keys and calls the service of
its name. Both are idempotent (each re-checks the run's status under a lock), so both get
acks_late: a message whose worker died is redelivered and re-run safely."""

from celery import shared_task

from upskill import services


@shared_task(acks_late=True)  # idempotent: planning rewrites only the run's plan
def hr_sync_run_plan(hr_sync_run_id: int) -> str:
    return services.hr_sync_run_plan(hr_sync_run_id=hr_sync_run_id).status


@shared_task(acks_late=True)  # idempotent: the run is locked and its status re-checked
def hr_sync_run_apply(hr_sync_run_id: int) -> str:
    return services.hr_sync_run_apply(hr_sync_run_id=hr_sync_run_id).status
