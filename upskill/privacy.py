"""The one privacy layer: publish only cells about enough people, and build every figure
from published cells alone.

A *cell* is the unit of publication: a disjoint group of contributions and the number of
distinct people behind it — a rollup row (team, ISO week, pathway or "no pathway",
metric), an outcome observation's (team, week, measure) with its sample size, a pulse
answer group, a computed fulfilment's (team, period). A cell is PUBLISHED when it
describes at least MIN_GROUP_SIZE people; a hidden cell contributes to nothing.

Every figure shown or exported anywhere is a sum (or a mean weighted by people) of
published cells only. Then any combination of figures a user can obtain — any filters,
any date range, pages and exports together — is a combination of published cell totals,
each about MIN_GROUP_SIZE people or more, so it determines nothing about a hidden cell:
the guarantee holds by construction, not by checking each page. The cost: totals leave
small groups out (and say so, with EXCLUSION_NOTE), so a total can be below the sum of
everything that happened.

Used as a database filter (`published_q`, for rollups summed in SQL) and in Python
(`published`, `sum_published`, for pulse groups and fulfilment cells)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models import Q

Cell = TypeVar("Cell")


def minimum() -> int:
    """The smallest number of people a published figure may describe."""
    return settings.MIN_GROUP_SIZE


def is_published(people: int) -> bool:
    return people >= minimum()


def published_q(people_field: str = "people") -> Q:
    """The published cells of a table that holds one cell per row, as a filter."""
    return Q(**{f"{people_field}__gte": minimum()})


def exclusion_note() -> str:
    """What every total says: worded the same whether or not something was left out, so
    a page never tells a hidden group from an empty one."""
    return f"excluding groups under {minimum()} people"


def hidden_reason(what: str) -> str:
    """Said in place of a figure (a card, a chart) that has no published cell, e.g.
    hidden_reason("took this pathway in these teams in any one week") — also when nobody
    did, for the same reason as exclusion_note."""
    return f"No figures: fewer than {minimum()} people {what} of this period."


@dataclass
class PublishedCells(Generic[Cell]):
    """The cells that may be shown, and how many were held back (for the layer's own
    tests and callers that must know; pages don't show the count)."""

    cells: list[Cell] = field(default_factory=list)
    excluded: int = 0

    def __iter__(self):
        return iter(self.cells)

    def __len__(self) -> int:
        return len(self.cells)


def published(cells: Iterable[Cell], people: Callable[[Cell], int]) -> PublishedCells[Cell]:
    """Only the cells describing at least MIN_GROUP_SIZE people (empty cells, with no
    people, are neither shown nor counted as excluded)."""
    result: PublishedCells[Cell] = PublishedCells()
    for cell in cells:
        n = people(cell)
        if is_published(n):
            result.cells.append(cell)
        elif n > 0:
            result.excluded += 1
    return result


def sum_published(
    cells: Iterable[Cell], *, value: Callable[[Cell], float], people: Callable[[Cell], int]
) -> tuple[float, int] | None:
    """The total of the published cells' values and the people behind them; None when
    no cell is published (nothing may be shown)."""
    shown = published(cells, people)
    if not shown.cells:
        return None
    return sum(value(c) for c in shown), sum(people(c) for c in shown)
