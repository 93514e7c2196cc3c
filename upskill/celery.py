import logging
import os
import time

from celery import Celery

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")

app = Celery("upskill")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# After a failed publish, skip publishing for a while: each attempt against a broker
# that is down costs seconds of connection retries, and the catch-up jobs cover the work.
BROKER_BACKOFF_SECONDS = 30.0
_broker_down_until = 0.0


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits — and never let a broker that
    is down break (or stall) the request that asked for it.

    Unlike Celery's delay_on_commit, a failure to publish is logged, not raised: the
    data is already committed, and the periodic catch-up jobs (beat) pick up whatever
    the task would have done once the broker is back."""
    from django.db import transaction

    from upskill.replica import primary_reads

    def send() -> None:
        global _broker_down_until
        if task.app.conf.task_always_eager:
            # Runs here; its errors propagate. A job, not the page that queued it: it
            # reads from the primary even when the page reads from a replica.
            with primary_reads():
                task.apply_async(args=args, kwargs=kwargs)
            return
        if time.monotonic() < _broker_down_until:
            logger.info("Broker recently unreachable; not enqueuing %s", task.name)
            return
        try:
            # ignore_result: nothing reads these results, and with a Redis result
            # backend every send would otherwise first subscribe to its result key —
            # which, with Redis down, retries for ~19 s and then raises RuntimeError
            # (tests/faults/test_broker_down_real.py).
            task.apply_async(args=args, kwargs=kwargs, retry=False, ignore_result=True)
        except Exception:  # whatever the broker client raises, the request must not fail
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning(
                "Could not enqueue %s; the catch-up job will cover it", task.name, exc_info=True
            )

    transaction.on_commit(send)
