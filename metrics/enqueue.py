"""The one place metrics sends its Celery jobs; services call it, nothing else does.

Every job goes through `upskill.celery.enqueue_after_commit`: it is sent once the
caller's transaction commits, and a broker that is down is logged, never raised, so a
committed request never fails for it (not Celery's delay_on_commit, which raises). The
periodic jobs (beat) then do what a lost message would have done: `rollup_catch_up`
rolls up the queued buckets, `import_runs_resume` re-sends stuck imports.

`metrics.tasks` imports `metrics.services`, which imports this module: the import below
is of the tasks *module*, whose functions are looked up only when a job is sent.
"""

from metrics import tasks
from upskill.celery import enqueue_after_commit


def rollup_incremental() -> None:
    """Recompute the (team, week) buckets queued by rows just written."""
    enqueue_after_commit(tasks.rollup_incremental)


def import_validate(*, import_run_id: int) -> None:
    enqueue_after_commit(tasks.import_validate, import_run_id)


def import_apply(*, import_run_id: int) -> None:
    enqueue_after_commit(tasks.import_apply, import_run_id)


def impact_estimates_refresh() -> None:
    """After a rollup commits: the impact estimates of every known scope, at the new
    rollup state."""
    enqueue_after_commit(tasks.impact_estimates_refresh)


def impact_estimates_compute(*, team_ids: list[int], pathway_id: int | None) -> None:
    enqueue_after_commit(tasks.impact_estimates_compute, team_ids, pathway_id)
