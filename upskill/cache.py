"""The figures cache: pages that read the same figures between two changes of their
inputs compute them once.

A page's figures — the dashboard board, the fulfilment overview, the standoff table, a
pulse's results — are a function of what is computed, the viewer's scope (the teams
they may see), the filters, MIN_GROUP_SIZE and the state of every input they read. The
state of an input is its *generation*, a number that grows with every write to it. The
cache key is all of these together, so an entry is never invalidated by hand, nor by
time: a write moves a generation on, and the next request asks for a key nobody has
used yet. The old entry is never read again; FIGURES_CACHE_SECONDS only bounds how long
it holds memory.

Generations live in the database: FigureInput for the inputs below, and the rollups'
own (metrics: RollupState's last rebuild, RollupTeamGeneration per team). The services
that write an input bump it (`inputs_changed`) in the same transaction as the write,
after it. So a request that reads the new
generation also sees the write (they commit together), and one that read the old
generation before the commit caches under the old key, which nobody asks for again.
Not `transaction.on_commit`: a process dying between its commit and the bump would leave
the old figures under a generation that never moves. Not in the cache (Redis INCR):
that is not part of the write's transaction, and the local memory cache is one per
process.

Only what the privacy layer has published is cached (upskill.privacy): the values
`compute` returns are the suppressed figures a page shows, never raw cells. The key
holds everything that changes what a viewer may see — their scope, every filter,
MIN_GROUP_SIZE, the generations — so two viewers share an entry only when they would
be shown the same figures.

The cache is Redis when REDIS_URL is set (shared by every process), else each process's
local memory (correct too: the generations are in the database, and every process
reads them). A cache that fails (Redis down) is left alone for a while: figures are
computed, as without a cache, and the page never fails for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from upskill import privacy
from upskill.models import FigureInput

logger = logging.getLogger(__name__)

Figures = TypeVar("Figures")

# The inputs of the cached figures, and which writes change them. The rollups are not
# here: metrics keeps their generations (RollupState, RollupTeamGeneration), moved on by
# every rollup that rewrites rows, and the dashboard reads them with its freshness line.
ORGANISATION = "organisation"
MEASURES = "measures"
MATRIX = "matrix"
COMMITMENTS = "commitments"
PULSES = "pulses"
INPUTS = {
    ORGANISATION: "teams (names, slugs, tree, leaders) and people (their teams, leavers): "
    "HR sync, SCIM, the Django admin",
    MEASURES: "the outcome measures (names, units, direction): the Django admin",
    MATRIX: "the responsibility matrix's areas and RACI letters",
    COMMITMENTS: "commitments and their check-ins, recorded or computed from activity",
    PULSES: "the alignment pulses (opened, closed) and their answers",
}

# When a cache failed, it is skipped for this long: a Redis that is down costs one
# connection timeout per SKIP_AFTER_FAILURE seconds, not one per request.
SKIP_AFTER_FAILURE = 30.0
_skip_until = 0.0
_MISSING = object()
# Part of every key: change it when the shape of what is cached changes, so a new
# release never unpickles what an older one stored.
_FORMAT = 1


def inputs_changed(*names: str) -> None:
    """Move each input's generation on, in the caller's transaction: call it after the
    writes, inside their `transaction.atomic` when there is one. The figures that read
    these inputs are computed afresh on the next request. One statement per input, in
    name order, so two writers never wait for each other's rows crosswise; a first
    change creates the row at a random generation (FigureInput)."""
    unknown = set(names) - set(INPUTS)
    if unknown:
        raise ValueError(f"Unknown figure inputs: {', '.join(sorted(unknown))}")
    table = connection.ops.quote_name(FigureInput._meta.db_table)
    with connection.cursor() as cursor:
        for name in sorted(set(names)):
            cursor.execute(
                f"INSERT INTO {table} (name, generation) VALUES (%s, %s) "
                f"ON CONFLICT (name) DO UPDATE SET generation = {table}.generation + 1",
                [name, secrets.randbelow(2**40) + 1],
            )


def generations(*names: str) -> dict[str, int]:
    """The inputs' current generations (0 for one never changed). One query."""
    found = dict(FigureInput.objects.filter(name__in=names).values_list("name", "generation"))
    return {name: found.get(name, 0) for name in names}


def _canonical(part):
    """A key part as plain, stably printed values. Model instances are refused: their
    repr is their name, which two teams may share — pass the pk."""
    if part is None or isinstance(part, bool | int | float | str | Decimal | dt.date):
        return part
    if isinstance(part, set | frozenset):
        return ("set", *sorted(_canonical(p) for p in part))
    if isinstance(part, list | tuple):
        return tuple(_canonical(p) for p in part)
    raise TypeError(f"A {type(part).__name__} is not a cache key part: pass its pk or value.")


def figures_key(what: str, *, key_parts: Sequence, generations: Mapping[str, int]) -> str:
    """The cache key of `what` for these key parts and input generations."""
    described = repr(
        (_FORMAT, what, _canonical(key_parts), sorted(generations.items()), privacy.minimum())
    )
    return f"figures:{what}:{hashlib.sha256(described.encode()).hexdigest()}"


def _usable() -> bool:
    return time.monotonic() >= _skip_until


def _failed(action: str, error: Exception) -> None:
    global _skip_until
    _skip_until = time.monotonic() + SKIP_AFTER_FAILURE
    logger.warning(
        "The figures cache failed to %s (%s); computing figures without it for %.0f s.",
        action,
        error,
        SKIP_AFTER_FAILURE,
    )


def cached_figures(
    what: str,
    *,
    key_parts: Sequence,
    inputs: Sequence[str],
    generations_known: Mapping[str, int] | None = None,
    compute: Callable[[], Figures],
) -> Figures:
    """`compute()`, or what it returned for the same `what`, `key_parts` (the viewer's
    scope and every filter, as plain values), MIN_GROUP_SIZE and generations of the
    `inputs` (read here, one query) and of `generations_known` (read by the caller,
    e.g. the rollups'). `what` names the computation; what `compute` returns must be
    published figures only, and picklable."""
    state = generations(*inputs) if inputs else {}
    state.update(generations_known or {})
    key = figures_key(what, key_parts=key_parts, generations=state)
    if not _usable():
        return compute()
    cache = caches["default"]
    try:
        found = cache.get(key, _MISSING)
    except Exception as error:  # Redis down, or an entry a release cannot unpickle
        _failed("read", error)
        return compute()
    if found is not _MISSING:
        return found
    figures = compute()
    try:
        cache.set(key, figures, settings.FIGURES_CACHE_SECONDS)
    except Exception as error:
        _failed("store", error)
    return figures
