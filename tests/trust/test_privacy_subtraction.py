"""Privacy that survives subtraction: Hypothesis generates teams with small and large
groups, and no hidden figure can be worked out from what the dashboard shows."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import WeeklyRollup
from metrics.selectors import dashboard, dashboard_filters
from tests.factories import LDAdminFactory, TeamFactory
from upskill.privacy import hidden_parts

MINIMUM = 5
people_counts = st.integers(min_value=0, max_value=12)


def _unknowns(people: dict, hidden: set, remainder: int) -> list[int]:
    """People behind each unknown in "total = shown parts + unknowns"."""
    return [n for key, n in people.items() if key in hidden and n > 0] + (
        [remainder] if remainder > 0 else []
    )


@given(
    people=st.dictionaries(st.integers(0, 9), people_counts, max_size=6),
    remainder=people_counts,
)
def test_no_small_figure_is_ever_the_only_unknown(people, remainder):
    hidden = hidden_parts(people, remainder_people=remainder, minimum=MINIMUM)
    # every small part is hidden ...
    assert {k for k, n in people.items() if 0 < n < MINIMUM} <= hidden
    # ... and, where the total itself is shown (it describes enough people), a small
    # figure is never its single unknown
    if sum(people.values()) + remainder >= MINIMUM:
        unknowns = _unknowns(people, hidden, remainder)
        assert not (len(unknowns) == 1 and unknowns[0] < MINIMUM)


def test_a_lone_small_team_takes_the_next_smallest_with_it():
    assert hidden_parts({"a": 3, "b": 20, "c": 8}, minimum=5) == {"a", "c"}
    assert hidden_parts({"a": 3, "b": 20}, remainder_people=6, minimum=5) == {"a"}
    assert hidden_parts({"a": 9, "b": 20}, remainder_people=2, minimum=5) == {"a"}
    assert hidden_parts({"a": 9, "b": 20}, minimum=5) == set()


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    children=st.lists(st.tuples(people_counts, st.integers(0, 5_000)), min_size=1, max_size=4),
    remainder=st.tuples(people_counts, st.integers(0, 5_000)),
)
def test_the_dashboard_never_lets_a_small_team_be_subtracted_out(settings, children, remainder):
    settings.MIN_GROUP_SIZE = MINIMUM
    WeeklyRollup.objects.all().delete()
    admin = LDAdminFactory()
    parent = TeamFactory()
    week = dt.date(2026, 11, 2)
    teams = [TeamFactory(parent=parent) for _ in children]
    for team, (people, minutes) in [*zip(teams, children, strict=True), (parent, remainder)]:
        if people:
            WeeklyRollup.objects.create(
                team=team,
                week_start=week,
                metric="learning_minutes",
                value=minutes,
                people=people,
            )
    filters, visible, _ = dashboard_filters(
        admin, {"team": parent.slug, "start": week.isoformat(), "end": week.isoformat()}
    )
    page = dashboard(filters, visible)

    total = next(s for s in page.attendance_series if s.key == "learning_minutes").values[0]
    shown = {row.team.pk: row.figures["learning_minutes"] for row in page.drill_rows}
    people = {team.pk: n for team, (n, _) in zip(teams, children, strict=True)}
    # nothing describing fewer than MINIMUM people is shown
    assert all(shown[pk] is None for pk, n in people.items() if 0 < n < MINIMUM)
    if total is not None:
        hidden = {pk for pk, value in shown.items() if value is None}
        unknowns = _unknowns(people, hidden, remainder[0])
        assert not (len(unknowns) == 1 and unknowns[0] < MINIMUM), (people, remainder, shown)
