from celery import shared_task

from metrics import services


@shared_task(acks_late=True)  # idempotent: a redelivered rebuild replaces the same rows
def rollup_catch_up() -> dict:
    """Periodic catch-up (beat). Until incremental rollups land it is a full rebuild."""
    result = services.rollup_rebuild()
    return {"rows_written": result.rows_written, "buckets": result.buckets}


@shared_task(acks_late=True)  # idempotent: recomputing replaces the same check-ins
def commitment_check_ins_compute() -> int:
    """Refresh the check-ins of employee commitments measured from activity."""
    return services.commitment_check_ins_compute()
