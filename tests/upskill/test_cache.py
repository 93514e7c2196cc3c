"""The figures cache (upskill/cache.py): generations that move with every write to an
input and only with it, keys holding everything that decides the figures, and a cache
that fails being skipped rather than failing the page. The pages' own behaviour (a
change visible on the very next request, viewers never sharing an entry) is tested
with each page: tests/metrics/test_dashboard_cache.py and
tests/responsibilities/test_figures_cache.py."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.db import connection, transaction

from tests.factories import TeamFactory
from upskill import cache
from upskill.models import FigureInput

pytestmark = pytest.mark.django_db


class Computations:
    """A compute function that counts its calls and returns what it is given."""

    def __init__(self):
        self.calls = 0

    def __call__(self, value="figures"):
        def compute():
            self.calls += 1
            return value

        return compute


def cached(computations, *, key_parts=("scope",), inputs=(cache.PULSES,), value="figures", **kw):
    return cache.cached_figures(
        "test", key_parts=key_parts, inputs=inputs, compute=computations(value), **kw
    )


def test_an_input_never_changed_is_at_generation_zero_and_its_first_change_is_random():
    assert cache.generations(cache.PULSES) == {cache.PULSES: 0}

    cache.inputs_changed(cache.PULSES)
    first = cache.generations(cache.PULSES)[cache.PULSES]
    cache.inputs_changed(cache.PULSES, cache.MATRIX)

    assert first >= 1
    assert cache.generations(cache.PULSES, cache.MATRIX, cache.ORGANISATION) == {
        cache.PULSES: first + 1,
        cache.MATRIX: FigureInput.objects.get(name=cache.MATRIX).generation,
        cache.ORGANISATION: 0,
    }


def test_fresh_databases_start_their_generations_apart():
    """A shared Redis outlives a database: the same key must not come back on a new one."""
    starts = set()
    for _ in range(5):
        with transaction.atomic():
            cache.inputs_changed(cache.ORGANISATION)
            starts.add(cache.generations(cache.ORGANISATION)[cache.ORGANISATION])
            transaction.set_rollback(True)
    assert len(starts) == 5


def test_an_unknown_input_is_refused():
    with pytest.raises(ValueError, match="Unknown figure inputs: pulse"):
        cache.inputs_changed("pulse")


def test_a_change_rolled_back_with_its_write_leaves_the_generation_alone():
    cache.inputs_changed(cache.COMMITMENTS)
    before = cache.generations(cache.COMMITMENTS)

    def failing_write():
        with transaction.atomic():
            cache.inputs_changed(cache.COMMITMENTS)
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()

    assert cache.generations(cache.COMMITMENTS) == before


def test_figures_are_computed_once_until_an_input_changes():
    computations = Computations()

    assert cached(computations) == "figures"
    assert cached(computations) == "figures"
    assert computations.calls == 1

    cache.inputs_changed(cache.MATRIX)  # not an input of these figures
    cached(computations)
    assert computations.calls == 1

    cache.inputs_changed(cache.PULSES)
    cached(computations)
    assert computations.calls == 2


def test_every_key_part_generation_and_the_minimum_group_size_make_a_new_entry(settings):
    computations = Computations()
    cached(computations, key_parts=(frozenset({1, 2}), None))
    cached(computations, key_parts=(frozenset({2, 1}), None))  # the same set
    assert computations.calls == 1

    cached(computations, key_parts=(frozenset({1}), None))
    cached(computations, key_parts=(frozenset({1, 2}), 7))
    cached(computations, key_parts=(frozenset({1, 2}), None), generations_known={"rollups": 3})
    settings.MIN_GROUP_SIZE = 7
    cached(computations, key_parts=(frozenset({1, 2}), None))

    assert computations.calls == 5


def test_a_model_instance_is_not_a_key_part():
    """Its repr is its name, which two teams may share: the pk must be passed."""
    with pytest.raises(TypeError, match="not a cache key part"):
        cached(Computations(), key_parts=(TeamFactory(),))


def test_nothing_is_a_figure_of_the_cache_itself():
    """None is cached like any figure (a page with nothing to show computes it once)."""
    computations = Computations()
    assert cached(computations, value=None) is None
    assert cached(computations, value=None) is None
    assert computations.calls == 1


def test_a_cache_that_fails_is_skipped_for_a_while_and_the_figures_still_come(monkeypatch):
    monkeypatch.setattr(cache, "_skip_until", 0.0)
    backend = caches["default"]
    tries = []

    def broken(*args, **kwargs):
        tries.append(args)
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(backend, "get", broken)
    computations = Computations()

    assert cached(computations) == "figures"
    assert cached(computations) == "figures"

    assert computations.calls == 2
    assert len(tries) == 1  # the second request did not wait for a dead cache again


def test_figures_that_cannot_be_stored_are_still_shown(monkeypatch):
    monkeypatch.setattr(cache, "_skip_until", 0.0)

    def full(*args, **kwargs):
        raise ConnectionError("Redis is out of memory")

    monkeypatch.setattr(caches["default"], "set", full)

    assert cached(Computations()) == "figures"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_changes_at_once_both_move_the_generation():
    """Two writers changing an input nobody changed before, at the same moment: the
    second waits for the first's row and moves it on again, so a request between the
    two commits cannot cache figures under the generation the second one leaves."""
    barrier = threading.Barrier(2)
    seen, errors = [], []

    def writer():
        try:
            with transaction.atomic():
                barrier.wait()
                cache.inputs_changed(cache.PULSES)
                seen.append(cache.generations(cache.PULSES)[cache.PULSES])  # its own
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    first, second = sorted(seen)
    assert second == first + 1  # each commit left its own generation
    assert cache.generations(cache.PULSES)[cache.PULSES] == second
