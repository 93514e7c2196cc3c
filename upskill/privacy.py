"""Small-group suppression that survives subtraction.

A figure describing fewer than MIN_GROUP_SIZE people is never shown. That alone is not
enough when a total is shown beside its parts: with one part hidden, total minus the
shown parts gives it away. So when exactly one part (counting a hidden remainder of the
total that no part shows) would be hidden, the smallest shown part is hidden too — the
"complementary suppression" the people-analytics tools use.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from django.conf import settings


def hidden_parts(
    people: Mapping[Hashable, int],
    *,
    remainder_people: int = 0,
    minimum: int | None = None,
) -> set[Hashable]:
    """Which parts to hide, given how many people each describes.

    `people` maps each shown part of a total to its number of people (0 = no data,
    nothing to hide); `remainder_people` is the people in the total that no part shows
    (e.g. a parent team's own members beside its sub-teams) — never shown, so always an
    unknown in "total = parts + remainder".

    A small figure could be worked out exactly when it is the only unknown in that
    equation; then the smallest shown part is hidden as well. (A remainder of at least
    `minimum` people may be worked out: it describes enough people to be shown.)"""
    minimum = settings.MIN_GROUP_SIZE if minimum is None else minimum
    hidden = {key for key, n in people.items() if 0 < n < minimum}
    small_remainder = 0 < remainder_people < minimum
    unknowns = len(hidden) + (1 if remainder_people > 0 else 0)
    if unknowns == 1 and (hidden or small_remainder):
        candidates = sorted(
            ((n, str(key)), key) for key, n in people.items() if key not in hidden and n > 0
        )
        if candidates:
            hidden.add(candidates[0][1])
    return hidden
