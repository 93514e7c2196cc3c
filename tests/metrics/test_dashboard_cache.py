"""The dashboard's figures from the figures cache (upskill/cache.py): computed once per
scope, filters and input generations; every change to what they are made of — a new
rollup, a check-in, an outcome import, a team moved, a rename in the Django admin — is
on the very next request; and two viewers share an entry only when they would be shown
the same figures. The pinned query counts, computed and cached, are in
tests/metrics/test_views.py."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from metrics import services
from responsibilities import periods
from responsibilities import services as responsibility_services
from tests.factories import (
    ActivityRecordFactory,
    LDAdminFactory,
    PathwayFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    WeeklyRollupFactory,
)
from tests.hr_files import organisation_sync
from tests.metrics.csv_files import outcome_csv

pytestmark = pytest.mark.django_db

WEEK = dt.date(2025, 3, 3)
RANGE = "start=2025-02-03&end=2025-03-31"


def board(client, query=RANGE):
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    return response.context["board"]


def weekly(board, metric="learning_minutes") -> dict[dt.date, float]:
    """The chart's published weekly figures of one metric."""
    series = next(s for s in board.outcome_series + board.attendance_series if s.key == metric)
    return {week: value for week, value in zip(series.weeks, series.values, strict=True) if value}


def drill(board, metric="learning_minutes") -> dict[str, float | None]:
    return {row.team.name: row.figures[metric] for row in board.drill_rows}


def learned(people, minutes: int, day: dt.date = WEEK):
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    for person in people:
        ActivityRecordFactory(person=person, minutes=minutes, occurred_at=moment)


def test_a_new_rollup_is_on_the_very_next_request_and_raw_rows_wait_for_it(client, leader, team):
    people = PersonFactory.create_batch(6, team=team)
    learned(people, 30)
    services.rollup_rebuild()
    client.force_login(leader)
    assert weekly(board(client)) == {WEEK: 180}
    assert weekly(board(client)) == {WEEK: 180}  # from the cache

    learned(people, 10, WEEK + dt.timedelta(days=1))
    # Not rolled up yet: the figures are still the rollups' (dashboards read rollups
    # only), but the freshness line, read on every request, says rows are waiting.
    waiting = board(client)
    assert weekly(waiting) == {WEEK: 180}
    assert waiting.freshness.waiting_rows == 6

    services.rollup_catch_up()  # the beat job: finds the rows, a new rollup generation

    rolled = board(client)
    assert weekly(rolled) == {WEEK: 240}
    assert rolled.freshness.waiting_rows == 0


def test_a_rollup_of_other_teams_leaves_a_leaders_figures_cached_one_of_theirs_does_not(
    client, leader, team, django_assert_num_queries
):
    """The dashboard is keyed on the rollups of its own teams: every app activity and
    xAPI statement queues an incremental rollup, of the learner's team only."""
    other = TeamFactory(name="Sales")
    mine, theirs = (
        PersonFactory.create_batch(6, team=team),
        PersonFactory.create_batch(6, team=other),
    )
    learned(mine, 30)
    learned(theirs, 30)
    services.rollup_rebuild()
    client.force_login(leader)
    assert weekly(board(client)) == {WEEK: 180}

    later = WEEK + dt.timedelta(days=1)
    learned(theirs, 10, later)
    services.dirty_buckets_mark(buckets=[(other.pk, WEEK)])
    services.rollup_incremental()  # Sales' week only: a new rollup generation
    with django_assert_num_queries(13):  # as cached in test_views.py: no rollup read
        assert weekly(board(client)) == {WEEK: 180}

    learned(mine, 10, later)
    services.dirty_buckets_mark(buckets=[(team.pk, WEEK)])
    services.rollup_incremental()

    assert weekly(board(client)) == {WEEK: 240}


def test_a_check_in_is_on_the_very_next_request(client, leader, team, learning_time):
    last_week = periods.period_start(timezone.localdate(), "week") - dt.timedelta(weeks=1)
    client.force_login(leader)
    [before] = board(client, "").support_rows
    assert before.state == "missing"

    responsibility_services.check_in_record(
        commitment=learning_time, team=team, period_start=last_week, value=Decimal(3)
    )

    [after] = board(client, "").support_rows
    assert (after.state, after.percent) == ("partial", 75)


@pytest.mark.usefixtures("eager_celery")
def test_an_outcome_import_is_on_the_very_next_request(
    client, leader, team, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    assert weekly(board(client), "quality_score") == {}
    path = tmp_path / "outcomes.csv"
    path.write_text(outcome_csv(f"{team.slug},quality_score,2025-03-04,71.5,9,q-1"))

    # The import queues the incremental rollup after its commit (run here, eagerly).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_outcomes", str(path), stdout=io.StringIO())

    assert weekly(board(client), "quality_score") == {WEEK: 71.5}


def test_a_team_moved_under_another_parent_is_on_the_very_next_request(client):
    """The same teams in view (the same scope), another tree: only the organisation's
    generation tells the cached drill-down is stale."""
    tree = {
        "T1": ("Customer Operations", "", "E1"),
        "T2": ("Support", "T1", ""),
        "T3": ("Sales", "T1", ""),
        "T4": ("Tier two", "T2", ""),
    }
    teams, people = organisation_sync(teams=tree, people={"E1": "T1", "E2": "T4"})
    WeeklyRollupFactory(team=teams["T4"], week_start=WEEK, value=100, people=6)
    client.force_login(people["E1"].user)
    query = f"team={teams['T1'].slug}&{RANGE}"
    assert drill(board(client, query)) == {"Sales": None, "Support": 100}

    organisation_sync(teams={**tree, "T4": ("Tier two", "T3", "")}, people={})

    assert drill(board(client, query)) == {"Sales": 100, "Support": None}


def test_a_team_renamed_in_the_django_admin_is_on_the_very_next_request(client, admin_client):
    parent_leader = UserFactory()
    parent = TeamFactory(name="Engineering", leaders=[parent_leader])
    child = TeamFactory(name="Checkout", parent=parent)
    WeeklyRollupFactory(team=child, week_start=WEEK, value=50, people=6)
    client.force_login(parent_leader)
    query = f"team={parent.slug}&{RANGE}"
    assert drill(board(client, query)) == {"Checkout": 50}

    response = admin_client.post(
        f"/admin/upskill/team/{child.pk}/change/",
        {
            "name": "Payments checkout",
            "slug": child.slug,
            "parent": parent.pk,
            "external_id": child.external_id,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert drill(board(client, query)) == {"Payments checkout": 50}


def test_leaders_of_different_teams_never_share_an_entry(client, leader, team):
    sibling_leader = UserFactory()
    sibling = TeamFactory(name="Sales", slug="sales", leaders=[sibling_leader])
    WeeklyRollupFactory(team=team, week_start=WEEK, value=111, people=9)
    WeeklyRollupFactory(team=sibling, week_start=WEEK, value=999, people=9)
    admin = LDAdminFactory()

    client.force_login(leader)
    assert weekly(board(client)) == {WEEK: 111}
    client.force_login(sibling_leader)  # the same URL, filters and generations
    assert weekly(board(client)) == {WEEK: 999}
    client.force_login(admin)
    assert weekly(board(client)) == {WEEK: 1110}
    client.force_login(leader)  # and back: still their own
    assert weekly(board(client)) == {WEEK: 111}


def test_a_leader_of_a_parent_and_of_its_child_team_never_share_an_entry(client, leader, team):
    """Nested scopes: the child's leader sees a subset of the parent leader's teams."""
    child_leader = UserFactory()
    child = TeamFactory(name="Checkout", parent=team, leaders=[child_leader])
    WeeklyRollupFactory(team=team, week_start=WEEK, value=70, people=9)
    WeeklyRollupFactory(team=child, week_start=WEEK, value=30, people=9)

    client.force_login(leader)
    assert weekly(board(client)) == {WEEK: 100}
    client.force_login(child_leader)
    assert weekly(board(client)) == {WEEK: 30}


def test_every_filter_is_part_of_the_key(client, leader, team):
    child = TeamFactory(name="Checkout", parent=team)
    first, second = PathwayFactory(), PathwayFactory()
    WeeklyRollupFactory(team=team, week_start=WEEK, value=10, people=9)
    WeeklyRollupFactory(team=child, week_start=WEEK, value=20, people=9)
    WeeklyRollupFactory(team=child, week_start=WEEK, pathway=first, value=7, people=9)
    WeeklyRollupFactory(team=child, week_start=WEEK, pathway=second, value=3, people=9)
    later = WEEK + dt.timedelta(weeks=8)
    WeeklyRollupFactory(team=team, week_start=later, value=5, people=9)
    client.force_login(leader)

    assert weekly(board(client)) == {WEEK: 40}
    assert weekly(board(client, f"team={child.slug}&{RANGE}")) == {WEEK: 30}
    assert weekly(board(client, f"pathway={first.slug}&{RANGE}")) == {WEEK: 7}
    assert weekly(board(client, f"pathway={second.slug}&{RANGE}")) == {WEEK: 3}
    assert weekly(board(client, "start=2025-04-21&end=2025-05-05")) == {later: 5}
    assert weekly(board(client)) == {WEEK: 40}


def test_a_smaller_minimum_group_size_is_a_new_entry(client, leader, team, settings):
    WeeklyRollupFactory(team=team, week_start=WEEK, value=42, people=4)
    client.force_login(leader)
    assert weekly(board(client)) == {}

    settings.MIN_GROUP_SIZE = 3

    assert weekly(board(client)) == {WEEK: 42}
