"""The dashboard's figures, added up by the database, against the same figures added up
row by row in Python from every rollup, following the rule the dashboard states: only
published cells (rows about MIN_GROUP_SIZE people or more) count, anywhere; counts add
up, measures are means weighted by people; "all pathways" is every disjoint cell, with
active learners of the team-week as a whole; a team's period figure for active learners
is the weekly average; cohorts split each team's weeks at its first published pathway
completion ever.

The generated organisation has sub-teams, a parent team with its own members, a small
team, rows outside the range and for one pathway, and teams that first completed a
pathway before, during, after or never in the range. Values are multiples of 1/4 and
people small integers, so every sum is exact in whatever order either side adds, and the
figures must match exactly: a wrong grouping or a lost row shows as a difference."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from metrics.models import OutcomeMeasure, WeeklyRollup
from metrics.selectors import (
    ATTENDANCE,
    SUMMED,
    WEEKLY_AVERAGE,
    dashboard,
    dashboard_filters,
    rollup_totals,
)
from metrics.services.rollups import COMPLETION_METRIC
from tests.factories import LDAdminFactory, PathwayFactory, TeamFactory, UserFactory

MINIMUM = 5
START = dt.date(2026, 1, 5)  # a Monday
END = dt.date(2026, 3, 29)  # a Sunday: 12 weeks
ODD_METRIC = "=imported"  # a metric the dashboard doesn't chart, still rolled up
pytestmark = pytest.mark.django_db


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def organisation(settings):
    """Org (with members of its own) > Alpha (> Alpha One, Alpha Two, small), Beta
    (> Beta One), Gamma, Delta (small); and a second top team, Other > Other One."""
    settings.MIN_GROUP_SIZE = MINIMUM
    org = TeamFactory(name="Org", slug="org")
    alpha = TeamFactory(name="Alpha", slug="alpha", parent=org)
    beta = TeamFactory(name="Beta", slug="beta", parent=org)
    teams = {
        "org": org,
        "alpha": alpha,
        "alpha-one": TeamFactory(name="Alpha One", slug="alpha-one", parent=alpha),
        "alpha-two": TeamFactory(name="Alpha Two", slug="alpha-two", parent=alpha),
        "beta": beta,
        "beta-one": TeamFactory(name="Beta One", slug="beta-one", parent=beta),
        "gamma": TeamFactory(name="Gamma", slug="gamma", parent=org),
        "delta": TeamFactory(name="Delta", slug="delta", parent=org),
    }
    teams["other"] = TeamFactory(name="Other", slug="other")
    teams["other-one"] = TeamFactory(name="Other One", slug="other-one", parent=teams["other"])
    return teams


def _rollups_create(teams: dict, pathway, seed: int) -> None:
    rng = random.Random(seed)
    measures = list(OutcomeMeasure.objects.values_list("key", flat=True))
    metrics = [*measures, *(m for m in SUMMED if m != COMPLETION_METRIC), ODD_METRIC]
    weeks = [_monday(START) + dt.timedelta(weeks=n) for n in range(-8, 17)]
    small = {"alpha-two", "delta"}  # always fewer than MINIMUM people
    # When each team first completes a pathway: before, inside, after the range, never.
    firsts = [weeks[2], weeks[9], weeks[12], weeks[20], None]
    rows = []
    for n, (slug, team) in enumerate(teams.items()):
        # Alpha has no members of its own: a drill into it has no remainder.
        if slug == "alpha":
            continue
        for week in weeks:
            for metric in metrics:
                for on_pathway in (None, pathway):
                    if rng.random() > (0.3 if on_pathway else 0.75):
                        continue
                    people = rng.randint(0, 4) if slug in small else rng.choice([3, 6, 9, 14])
                    rows.append(
                        WeeklyRollup(
                            team=team,
                            week_start=week,
                            pathway=on_pathway,
                            metric=metric,
                            value=rng.randint(0, 800) / 4,
                            people=people,
                        )
                    )
        first = firsts[(n + seed) % len(firsts)]
        if first is not None:
            for week in weeks[weeks.index(first) :]:
                if week == first or rng.random() < 0.5:
                    completions = rng.randint(1, 7)
                    for on_pathway in (None, pathway):
                        rows.append(
                            WeeklyRollup(
                                team=team,
                                week_start=week,
                                pathway=on_pathway,
                                metric=COMPLETION_METRIC,
                                value=completions,
                                people=completions,
                            )
                        )
    WeeklyRollup.objects.bulk_create(rows)


# --- The reference: every rollup row, added up in Python ----------------------------------


def _subtree(team_id: int, parents: dict[int, int | None]) -> set[int]:
    ids = {team_id}
    grew = True
    while grew:
        more = {child for child, parent in parents.items() if parent in ids} - ids
        grew = bool(more)
        ids |= more
    return ids


def _reference_parts(filters, teams) -> tuple[list, dict[int, set[int]], set[int]]:
    """The drill-down teams by name, each one's subtree, and the scope's remainder."""
    parents = {t.pk: t.parent_id for t in teams}
    if filters.team:
        drill = [t for t in teams if t.parent_id == filters.team.pk]
        scope = _subtree(filters.team.pk, parents)
    else:
        drill = [t for t in teams if t.parent_id not in parents]
        scope = {t.pk for t in teams}
    drill.sort(key=lambda t: t.name)
    subtrees = {t.pk: _subtree(t.pk, parents) for t in drill}
    return drill, subtrees, scope - set().union(*subtrees.values())


def _of_pathway(row: tuple, pathway) -> bool:
    """A cell of the pathway, or one of those adding up to all pathways (None)."""
    if pathway is not None:
        return row[2] == pathway.pk
    return row[3] != "active_learners" or row[2] is None


def _in_range(scope: set[int], start: dt.date, end: dt.date, pathway) -> list[tuple]:
    return [
        row
        for row in WeeklyRollup.objects.values_list(
            "team_id", "week_start", "pathway_id", "metric", "value", "people"
        )
        if row[0] in scope
        and start <= row[1] <= end
        and _of_pathway(row, pathway)
        and row[5] >= MINIMUM
    ]


def _first_completions() -> dict[int, dt.date]:
    first: dict[int, dt.date] = {}
    for team_id, week in WeeklyRollup.objects.filter(
        metric=COMPLETION_METRIC, people__gte=MINIMUM
    ).values_list("team_id", "week_start"):
        first[team_id] = min(week, first.get(team_id, week))
    return first


def _sums(rows) -> tuple[float, float, int]:
    return (
        sum(value for *_, value, _people in rows),
        sum(value * people for *_, value, people in rows),
        sum(people for *_, people in rows),
    )


def _figure(metric: str, rows) -> tuple[float | None, int]:
    if not rows:
        return None, 0
    total, weighted, people = _sums(rows)
    if metric in SUMMED:
        return total, people
    return (weighted / people if people else 0.0), people


def _reference_dashboard(filters, teams) -> dict:
    drill, subtrees, remainder = _reference_parts(filters, teams)
    scope = set().union(remainder, *subtrees.values())
    rows = _in_range(scope, filters.start, filters.end, filters.pathway)
    first = _first_completions()
    measures = list(OutcomeMeasure.objects.order_by("name"))
    weeks = []
    week = filters.start
    while week <= filters.end:
        weeks.append(week)
        week += dt.timedelta(days=7)

    series = {}
    for key in [m.key for m in measures] + [key for key, _ in ATTENDANCE]:
        values, people = [], []
        for week in weeks:
            value, n = _figure(key, [r for r in rows if r[1] == week and r[3] == key])
            values.append(value)
            people.append(n)
        series[key] = (values, people)

    cards = {}
    for measure in measures:
        mine = [r for r in rows if r[3] == measure.key]
        after = [r for r in mine if r[0] in first and r[1] >= first[r[0]]]
        before = [r for r in mine if r not in after]
        shown = [v for v in series[measure.key][0] if v is not None]
        completers, not_yet = _figure(measure.key, after), _figure(measure.key, before)
        cards[measure.key] = (
            shown[0] if shown else None,
            shown[-1] if shown else None,
            completers[0],
            not_yet[0],
            completers[1],
            not_yet[1],
        )

    def period(team_ids: set[int], key: str) -> float | None:
        metric = "active_learners" if key == WEEKLY_AVERAGE else key
        mine = [r for r in rows if r[0] in team_ids and r[3] == metric]
        if not mine:
            return None
        value, _people = _figure(metric, mine)
        return value / len(weeks) if key == WEEKLY_AVERAGE else value

    drill_keys = [m.key for m in measures] + ["learning_minutes", WEEKLY_AVERAGE]
    drill_rows = [
        (team.name, {key: period(subtrees[team.pk], key) for key in drill_keys}) for team in drill
    ]
    return {"series": series, "cards": cards, "drill": drill_rows}


def _as_shown(board) -> dict:
    return {
        "series": {
            s.key: (s.values, s.people) for s in board.outcome_series + board.attendance_series
        },
        "cards": {
            c.measure.key: (
                c.first,
                c.last,
                c.completers,
                c.not_yet,
                c.completers_people,
                c.not_yet_people,
            )
            for c in board.cards
        },
        "drill": [(row.team.name, row.figures) for row in board.drill_rows],
    }


VIEWS = [
    pytest.param("admin", {}, id="admin-all-top-teams"),
    pytest.param("admin", {"team": "org"}, id="admin-org-with-own-members"),
    pytest.param("admin", {"team": "alpha"}, id="admin-alpha-small-sub-team"),
    pytest.param("admin", {"team": "org", "pathway": "ai"}, id="admin-one-pathway"),
    pytest.param(
        "admin", {"team": "org", "start": "2026-02-11", "end": "2026-03-02"}, id="admin-short"
    ),
    pytest.param("leader", {}, id="leader-of-alpha"),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("who", "params"), VIEWS)
def test_dashboard_figures_match_every_rollup_added_up_in_python(organisation, seed, who, params):
    pathway = PathwayFactory(slug="ai")
    _rollups_create(organisation, pathway, seed)
    user = LDAdminFactory() if who == "admin" else UserFactory()
    if who == "leader":
        organisation["alpha"].leaders.add(user)
    query = {"start": START.isoformat(), "end": END.isoformat(), **params}
    filters, visible, _ = dashboard_filters(user, query)
    assert not filters.errors

    board = dashboard(filters, visible)

    assert _as_shown(board) == _reference_dashboard(filters, visible)


def test_the_generated_data_exercises_suppression_and_both_cohorts(organisation):
    """Guards the comparison above: it would prove little if nothing were hidden."""
    _rollups_create(organisation, PathwayFactory(slug="ai"), seed=1)
    admin = LDAdminFactory()
    range_ = {"start": START.isoformat(), "end": END.isoformat()}

    filters, visible, _ = dashboard_filters(admin, {"team": "alpha", **range_})
    alpha = _as_shown(dashboard(filters, visible))
    filters, visible, _ = dashboard_filters(admin, {"team": "org", **range_})
    org = _as_shown(dashboard(filters, visible))

    # Alpha Two's counts describe fewer than MINIMUM people a week, so they are hidden;
    # Alpha One's are shown: built from published cells only, they give nothing of Alpha
    # Two's away (the old complementary suppression hid them too).
    alpha_one, alpha_two = dict(alpha["drill"])["Alpha One"], dict(alpha["drill"])["Alpha Two"]
    counts = ("learning_minutes", WEEKLY_AVERAGE)
    assert [alpha_two[key] for key in counts] == [None, None]
    assert all(alpha_one[key] is not None for key in counts)
    assert WeeklyRollup.objects.filter(
        team=organisation["alpha-one"],
        metric="learning_minutes",
        pathway=None,
        week_start__range=(START, END),
        people__gte=MINIMUM,
    ).exists()
    # Delta's are hidden too; Gamma's are shown.
    assert [dict(org["drill"])["Delta"][key] for key in counts] == [None, None]
    assert all(dict(org["drill"])["Gamma"][key] is not None for key in counts)
    # Some weeks are hidden, some shown; both cohorts have teams behind them.
    values = [v for values, _ in org["series"].values() for v in values]
    assert None in values
    assert any(v is not None for v in values)
    assert all(card[4] > 0 and card[5] > 0 for card in org["cards"].values())


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("drill_into_org", [True, False], ids=["org-sub-teams", "one-part"])
def test_rollup_totals_group_by_week_part_and_cohort(organisation, seed, drill_into_org):
    """The sums of the published cells: per week, per part and per cohort."""
    _rollups_create(organisation, PathwayFactory(slug="ai"), seed)
    parents = {t.pk: t.parent_id for t in organisation.values()}
    org = organisation["org"]
    if drill_into_org:  # each sub-team of Org with its subtree, and Org's own members
        parts = {t.pk: _subtree(t.pk, parents) for t in organisation.values() if t.parent == org}
        parts[0] = {org.pk}
    else:
        parts = {org.pk: _subtree(org.pk, parents)}
    scope = set().union(*parts.values())

    totals = rollup_totals(parts=parts, start=START, end=END, pathway=None)

    rows = _in_range(scope, START, END, None)
    first = _first_completions()
    by_week, by_part, by_cohort = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in rows:
        team_id, week, _pathway, metric, _value, _people = row
        part = next(key for key, ids in parts.items() if team_id in ids)
        after = metric not in SUMMED and team_id in first and week >= first[team_id]
        by_week[(week, metric)].append(row)
        by_part[(part, metric)].append(row)
        by_cohort[(metric, after)].append(row)

    def as_tuples(grouping) -> dict:
        return {key: (sums.total, sums.weighted, sums.people) for key, sums in grouping.items()}

    assert as_tuples(totals.by_week) == {key: _sums(rs) for key, rs in by_week.items()}
    assert as_tuples(totals.by_part) == {key: _sums(rs) for key, rs in by_part.items()}
    assert as_tuples(totals.by_cohort) == {key: _sums(rs) for key, rs in by_cohort.items()}


@pytest.mark.parametrize(
    "value",
    [0.0, 2.675, 2.695, -0.001, -2.675, 1234.5, 0.005, 1e-9, 99.999, 1 / 3, 123456.785],
)
def test_chart_table_numbers_are_written_as_floatformat_writes_them(value):
    from django.template.defaultfilters import floatformat

    from metrics.selectors.outcome_dashboard import two_places

    assert two_places(value) == floatformat(value, 2)


def test_chart_table_weeks_are_written_as_the_date_filter_writes_them():
    import datetime as dt

    from django.template.defaultfilters import date as date_filter

    from metrics.selectors.outcome_dashboard import week_label

    for month in range(1, 13):
        day = dt.date(2026, month, 5)
        assert week_label(day) == date_filter(day, "j M Y")
