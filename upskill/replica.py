"""Reads of read-only pages from a PostgreSQL read replica (DATABASE_REPLICA_URL).

With DATABASE_REPLICA_URL set, settings add a `replica` database alias. Then:

- a GET (or HEAD) request to a view marked `@reads_from_replica` — the dashboards and
  their CSV export, fulfilment, pulse results, the standoff — reads from the replica;
- every other read (other pages, Celery jobs, management commands) reads from
  `default`, the primary, and every write goes to the primary, always;
- a request that writes reads its own writes: after its first write, the rest of the
  request reads from the primary; so does any read inside an open transaction;
- and for DATABASE_REPLICA_PIN_SECONDS after a request that wrote (a POST, or a GET
  that happened to write), the same browser's requests read from the primary too: a
  replica lags the primary by a little, and someone who has just recorded a check-in
  must see it on the next page. A cookie carries that pin; it says nothing but "read
  from the primary until it expires", so a client that drops it only sees figures a
  moment older.

Without DATABASE_REPLICA_URL every decision below is None: Django uses `default`
exactly as it did before this module existed.

The session and the signed-in user are loaded before the view is known (by the session
and authentication middleware, which run before this one), so they always come from
the primary: who someone is, and whether their account is still active, is never read
from a copy that lags.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "upskill_primary_reads"
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _Request:
    """What the router knows about the request being served."""

    pinned: bool  # the browser wrote a moment ago: read from the primary
    replica_reads: bool = False  # the view is marked and the method reads only
    wrote: bool = False


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "upskill_replica_request", default=None
)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reads_from_replica(view: Callable) -> Callable:
    """Mark a view whose GET requests only read: they may be served from the replica.
    Put it outermost or anywhere among the view's decorators (functools.wraps carries
    the mark outwards)."""
    view.reads_from_replica = True
    return view


@contextmanager
def primary_reads() -> Iterator[None]:
    """Everything inside reads from the primary: a Celery task run in-process (without
    a broker) from a request on a replica page is a job, not the page."""
    token = _request.set(None)
    try:
        yield
    finally:
        _request.reset(token)


class ReplicaRouter:
    """The database router (settings.DATABASE_ROUTERS). Returns None for everything when
    no replica is configured, which is Django's own default behaviour."""

    def db_for_read(self, model, **hints) -> str | None:
        if not replica_configured():
            return None
        request = _request.get()
        if (
            request is None
            or not request.replica_reads
            or request.pinned
            or request.wrote
            # An open transaction reads what it wrote, and sees one snapshot.
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            # Explicitly the primary: with None, Django would follow the hint of an
            # instance read from the replica earlier in this request.
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str | None:
        if not replica_configured():
            return None
        request = _request.get()
        if request is not None:
            request.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        if not replica_configured():
            return None
        # The replica is a copy of the primary: their rows may refer to each other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        if db == REPLICA:
            return False  # it follows the primary's schema by replication
        return None


class ReplicaReadsMiddleware:
    """Knows, for the router, whether the request's view may read from the replica, and
    pins a browser to the primary for a moment after a request that wrote. Inert (one
    dictionary lookup) without a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        state = _Request(pinned=PIN_COOKIE in request.COOKIES)
        context = contextvars.copy_context()
        response = context.run(self._respond, request, state)
        if state.wrote or request.method not in READ_ONLY_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if response.streaming and state.replica_reads and not response.is_async:
            # A streamed CSV runs its queries while the server sends it, after this
            # method has returned: in the same context, so still from the replica.
            response.streaming_content = _in_context(context, response.streaming_content)
        return response

    def _respond(self, request: HttpRequest, state: _Request) -> HttpResponse:
        _request.set(state)  # in the copied context: gone once the response is made
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _request.get()
        if (
            state is not None
            and request.method in READ_ONLY_METHODS
            and getattr(view_func, "reads_from_replica", False)
        ):
            state.replica_reads = True
        return None


def _in_context(context: contextvars.Context, chunks) -> Iterator[bytes]:
    iterator = iter(chunks)
    while True:
        try:
            yield context.run(next, iterator)
        except StopIteration:
            return
