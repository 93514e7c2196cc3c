from dataclasses import dataclass

from responsibilities.models import Party, RaciAssignment, ResponsibilityArea


@dataclass(frozen=True)
class MatrixRow:
    area: ResponsibilityArea
    letters: list[str]  # one per Party, in Party order; "" where unassigned


def responsibility_matrix() -> tuple[list[tuple[str, str]], list[MatrixRow]]:
    """Areas x parties with their RACI letters (two queries: areas, assignments)."""
    letters: dict[tuple[int, str], str] = {
        (area_id, party): letter
        for area_id, party, letter in RaciAssignment.objects.values_list(
            "area_id", "party", "letter"
        )
    }
    rows = [
        MatrixRow(area=area, letters=[letters.get((area.pk, party), "") for party in Party.values])
        for area in ResponsibilityArea.objects.order_by("position", "name")
    ]
    return list(Party.choices), rows
