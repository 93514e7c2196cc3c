"""Fixtures for the fault tests: a private redis-server and Celery worker subprocesses,
each stopped in teardown even when the test fails (see harness.py)."""

import os
import shutil

import pytest

from tests.faults.harness import ON_POSTGRES, RedisServer, Workers

if os.environ.get("REQUIRE_INTEGRATION") and not (ON_POSTGRES and shutil.which("redis-server")):
    # CI's service run sets REQUIRE_INTEGRATION: there, skipping would hide a broken setup.
    raise RuntimeError("REQUIRE_INTEGRATION is set but PostgreSQL or redis-server is missing")


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own on a free port, running (`.stop()`/`.start()`
    take it down and bring it back on the same port)."""
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(tmp_path):
    """Starts worker subprocesses (`workers.start(url)`); all are killed at teardown."""
    started = Workers(tmp_path)
    yield started
    started.kill_all()
