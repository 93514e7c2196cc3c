"""The responsibility matrix: areas x parties with their RACI letters and commitments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from responsibilities.models import Commitment, Party, RaciAssignment, ResponsibilityArea


@dataclass(frozen=True)
class MatrixRow:
    area: ResponsibilityArea
    letters: list[str]  # one per Party, in Party order; "" where unassigned
    commitments: list[Commitment]


def responsibility_matrix(*, include_retired: bool = False) -> list[MatrixRow]:
    """Areas x parties with their RACI letters and commitments (three queries)."""
    letters: dict[tuple[int, str], str] = {
        (area_id, party): letter
        for area_id, party, letter in RaciAssignment.objects.values_list(
            "area_id", "party", "letter"
        )
    }
    commitments = Commitment.objects.order_by("party", "title")
    if not include_retired:
        commitments = commitments.filter(is_active=True)
    areas = ResponsibilityArea.objects.order_by("position", "name").prefetch_related(
        Prefetch("commitments", queryset=commitments, to_attr="listed_commitments")
    )
    return [
        MatrixRow(
            area=area,
            letters=[letters.get((area.pk, party), "") for party in Party.values],
            commitments=area.listed_commitments,
        )
        for area in areas
    ]


def matrix_row(area: ResponsibilityArea) -> MatrixRow:
    """One area's row, for the in-place editor."""
    letters = dict(area.raci_assignments.values_list("party", "letter"))
    commitments = list(area.commitments.filter(is_active=True).order_by("party", "title"))
    return MatrixRow(
        area=area,
        letters=[letters.get(party, "") for party in Party.values],
        commitments=commitments,
    )
