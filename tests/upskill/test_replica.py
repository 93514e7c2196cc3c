"""The read-replica router's decisions (upskill/replica.py), without a database: which
alias a read or a write goes to for each kind of request. The end-to-end proof, a
dashboard really read through a second PostgreSQL connection, is in
test_replica_reads.py."""

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory

from metrics import views as metrics_views
from responsibilities import views as responsibility_views
from upskill import replica
from upskill.models import Team
from upskill.replica import PIN_COOKIE, ReplicaReadsMiddleware, ReplicaRouter

router = ReplicaRouter()


@pytest.fixture
def configured(monkeypatch):
    """As if DATABASE_REPLICA_URL were set (the alias itself is never used here)."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def serve(method: str, view, *, cookies=None, during=None):
    """Run a request through the middleware to `view` (as Django's handler does: the
    middleware's process_view, then the view), returning the response and the router's
    read decision seen inside the view, after `during(...)` ran there."""
    seen = {}

    def handler(request):
        ReplicaReadsMiddleware.process_view(middleware, request, view, (), {})
        if during:
            during()
        seen["read"] = router.db_for_read(Team)
        return HttpResponse("ok")

    middleware = ReplicaReadsMiddleware(handler)
    request = getattr(RequestFactory(), method.lower())("/somewhere/")
    request.COOKIES.update(cookies or {})
    response = middleware(request)
    return response, seen["read"]


def test_without_a_replica_the_router_decides_nothing_and_the_middleware_adds_nothing():
    assert not replica.replica_configured()  # the test settings have no replica
    assert router.db_for_read(Team) is None
    assert router.db_for_write(Team) is None
    assert router.allow_relation(Team(), Team()) is None
    assert router.allow_migrate("default", "upskill") is None
    response, read = serve("GET", metrics_views.dashboard)
    assert read is None
    assert PIN_COOKIE not in response.cookies


def test_the_read_only_pages_are_marked_and_pages_that_write_are_not():
    for view in (
        metrics_views.dashboard,
        metrics_views.dashboard_export,
        responsibility_views.fulfilment,
        responsibility_views.pulse_results,
        responsibility_views.standoff,
    ):
        assert getattr(view, "reads_from_replica", False), view.__name__
    for view in (
        metrics_views.import_list,
        responsibility_views.check_in_record,
        responsibility_views.pulse_answer,
    ):
        assert not getattr(view, "reads_from_replica", False), view.__name__


def test_a_get_of_a_read_only_page_reads_from_the_replica(configured):
    response, read = serve("GET", metrics_views.dashboard)
    assert read == "replica"
    assert PIN_COOKIE not in response.cookies


def test_head_reads_from_the_replica_too(configured):
    assert serve("HEAD", responsibility_views.standoff)[1] == "replica"


def test_other_pages_and_other_methods_read_from_the_primary(configured):
    assert serve("GET", metrics_views.import_list)[1] == "default"
    response, read = serve("POST", metrics_views.dashboard)
    assert read == "default"
    assert PIN_COOKIE in response.cookies  # a POST may have written: pin the browser


def test_outside_a_request_everything_reads_from_the_primary(configured):
    # Celery jobs, management commands, the shell.
    assert router.db_for_read(Team) == "default"
    assert router.db_for_write(Team) == "default"


def test_writes_never_go_to_the_replica_and_the_request_then_reads_its_own_writes(configured):
    writes = []
    response, read = serve(
        "GET", metrics_views.dashboard, during=lambda: writes.append(router.db_for_write(Team))
    )
    assert writes == ["default"]
    assert read == "default"  # after the write, the rest of the request
    assert PIN_COOKIE in response.cookies
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert response.cookies[PIN_COOKIE]["httponly"]


def test_a_browser_pinned_after_a_write_reads_from_the_primary_until_the_pin_expires(
    configured,
):
    response, read = serve("GET", metrics_views.dashboard, cookies={PIN_COOKIE: "1"})
    assert read == "default"
    assert PIN_COOKIE not in response.cookies  # nothing written: the pin is not renewed


def test_reads_inside_an_open_transaction_go_to_the_primary(configured, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    assert serve("GET", metrics_views.dashboard)[1] == "default"


def test_a_job_run_in_process_from_a_replica_page_reads_from_the_primary(configured):
    reads = []

    def job():
        with replica.primary_reads():
            reads.append(router.db_for_read(Team))
            router.db_for_write(Team)  # the job's writes are not the page's

    response, read = serve("GET", metrics_views.dashboard, during=job)
    assert reads == ["default"]
    assert read == "replica"
    assert PIN_COOKIE not in response.cookies


def test_the_replica_is_never_migrated_and_its_rows_relate_to_the_primarys(configured):
    assert router.allow_migrate("replica", "metrics") is False
    assert router.allow_migrate("default", "metrics") is None
    from_primary, from_replica = Team(), Team()
    from_primary._state.db, from_replica._state.db = "default", "replica"
    assert router.allow_relation(from_primary, from_replica) is True
