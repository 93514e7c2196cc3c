"""Enqueueing after commit survives a broker that is down."""

import logging
import time

import pytest
from celery import Celery, shared_task

from upskill import celery as celery_module
from upskill.celery import app, enqueue_after_commit

CALLS = []

# A Celery app whose broker nothing listens on (the discard port refuses connections).
broker_down = Celery("broker-down", broker="redis://127.0.0.1:9/0", set_as_current=False)


@broker_down.task(name="tests.unreachable")
def unreachable():
    CALLS.append("ran")


@shared_task(name="tests.record_call")
def record_call(value):
    CALLS.append(value)
    return value


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_broker_that_is_down_is_logged_not_raised_then_skipped_for_a_while(caplog, monkeypatch):
    monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
    CALLS.clear()
    with caplog.at_level(logging.INFO, logger="upskill.celery"):
        enqueue_after_commit(unreachable)  # outside an atomic block: sent at once
        assert "Could not enqueue tests.unreachable" in caplog.text
        started = time.monotonic()
        enqueue_after_commit(unreachable)  # the next one doesn't wait on the broker
        assert time.monotonic() - started < 1
        assert "not enqueuing tests.unreachable" in caplog.text
    assert CALLS == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_eager_mode_the_task_runs_here():
    if not app.conf.task_always_eager:
        pytest.skip("the service run uses a real broker")
    CALLS.clear()
    enqueue_after_commit(record_call, 7)
    assert CALLS == [7]
