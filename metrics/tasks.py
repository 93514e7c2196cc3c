"""Thin Celery tasks: each takes primary keys and calls the metrics service of its name.
All of them are idempotent (see each service), so all get acks_late: a message whose
worker died is redelivered and re-run safely. Jobs are sent only through
metrics.enqueue."""

from __future__ import annotations  # services imports this module (via enqueue) first

from celery import shared_task

from metrics import services


def _summary(result: services.RollupResult) -> dict:
    return {"rows_written": result.rows_written, "buckets": result.buckets}


@shared_task(acks_late=True)  # idempotent: recomputes the queued buckets, replacing rows
def rollup_incremental() -> dict:
    """Recompute the buckets queued by imports (enqueued after an import commits)."""
    return _summary(services.rollup_incremental())


@shared_task(acks_late=True)  # idempotent: as above, plus a scan from the watermark
def rollup_catch_up() -> dict:
    """Periodic catch-up (beat): queued buckets plus rows created since the last scan."""
    return _summary(services.rollup_catch_up())


@shared_task(acks_late=True)  # idempotent: validation writes only the run's report
def import_validate(import_run_id: int) -> str:
    return services.import_validate(import_run_id=import_run_id).status


@shared_task(acks_late=True)  # idempotent: one transaction, dedupe on source_id
def import_apply(import_run_id: int) -> str:
    return services.import_apply(import_run_id=import_run_id).status


@shared_task(acks_late=True)  # idempotent: re-sends idempotent jobs
def import_runs_resume() -> int:
    """Periodic (beat): re-send the jobs of imports left waiting by a broker outage or
    a dead worker."""
    return services.import_runs_resume()


@shared_task(acks_late=True)  # idempotent: recomputing replaces the same check-ins
def commitment_check_ins_compute() -> int:
    """Refresh the check-ins of employee commitments measured from activity."""
    return services.commitment_check_ins_compute()


@shared_task(acks_late=True)  # idempotent: an estimate cached for the state is kept
def impact_estimates_refresh() -> int:
    """After rollups: recompute the impact estimates of every known scope."""
    return services.impact_estimates_refresh()


@shared_task(acks_late=True)  # idempotent: as above, for one scope and pathway
def impact_estimates_compute(team_ids: list[int], pathway_id: int | None) -> int:
    return services.impact_estimates_compute(team_ids=team_ids, pathway_id=pathway_id)
