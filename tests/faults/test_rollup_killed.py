"""A Celery worker killed with SIGKILL in the middle of a rollup loses nothing and
applies nothing twice once the message is redelivered.

The scene: an import has committed a large batch of activity and queued its (team,
week) buckets, and the rollup it enqueued is running when its worker dies. The killed
run must leave no bucket half-written, the redelivered run must produce exactly the
rollups the raw activity implies (no bucket lost with the dead worker, nothing counted
twice, an out-of-date figure replaced rather than added to), and running the rollup
again must change nothing.

Real services, started by the test itself (tests/faults/harness.py): its own
redis-server on a free port and worker subprocesses on the PostgreSQL test database.
"mid-rollup" is read from the database, not guessed with a sleep: the worker's session
holds the rollup's advisory lock (taken before a rollup reads or writes, kept until its
transaction ends) and is running one of the rollup's statements. The expected rollups
are recounted here in plain Python from the raw rows, never by the rollup service, so
the test holds whatever way the service computes them.
"""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import celery.exceptions
import pytest
from django.conf import settings
from django.db import connection

from metrics.models import ActivityRecord, WeeklyRollup
from metrics.services import dirty_buckets_mark
from metrics.services.rollups import ADVISORY_LOCK_KEY
from tests.factories import PathwayFactory, PersonFactory, StepFactory, TeamFactory
from tests.faults.harness import (
    SERVICE_RUN_ONLY,
    advisory_lock_holders,
    busy_session,
    producer,
)
from upskill.models import Person

pytestmark = SERVICE_RUN_ONLY

# Enough raw activity that a rollup of all of it takes seconds, so the kill lands while
# it runs, not after it has committed (checked below, not assumed).
ROWS = 400_000
TEAMS = 6
PEOPLE_PER_TEAM = 6
# Eight weeks spanning the switch to British Summer Time (30 March 2025).
FIRST_DAY = dt.datetime(2025, 3, 3, tzinfo=dt.UTC)
SPAN_SECONDS = 8 * 7 * 24 * 3600
WAIT_SECONDS = 90

Rows = dict[tuple[int, dt.date, int | None, str], tuple[float, int]]


def rollup_rows() -> Rows:
    return {
        (r.team_id, r.week_start, r.pathway_id, r.metric): (r.value, r.people)
        for r in WeeklyRollup.objects.all()
    }


def seed_activity(people, pathways, steps) -> None:
    """ROWS raw activity records, written set-based as the CSV importer writes them:
    every person, both pathways and none, steps and no step, all four kinds, spread
    over eight weeks at every hour of the day."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ActivityRecord._meta.db_table} (person_id, pathway_id, step_id,"
            " occurred_at, minutes, kind, source, source_id, created_at)"
            " SELECT (%(people)s::bigint[])[1 + g %% %(n_people)s],"
            "  CASE g %% 3 WHEN 1 THEN %(p1)s WHEN 2 THEN %(p2)s END,"
            "  CASE WHEN g %% 3 = 0 OR g %% 5 = 0 THEN NULL"
            "   WHEN g %% 3 = 1 THEN (%(s1)s::bigint[])[1 + g %% 2]"
            "   ELSE (%(s2)s::bigint[])[1 + g %% 2] END,"
            "  %(first)s::timestamptz + ((g::bigint * 7919) %% %(span)s) * interval '1 second',"
            "  g %% 121,"
            "  (ARRAY['attended', 'practiced', 'coached', 'completed'])[1 + g %% 4],"
            "  'fault', 'rollup-' || g, now()"
            " FROM generate_series(1, %(rows)s) AS g",
            {
                "people": [person.pk for person in people],
                "n_people": len(people),
                "p1": pathways[0].pk,
                "p2": pathways[1].pk,
                "s1": steps[pathways[0].pk],
                "s2": steps[pathways[1].pk],
                "first": FIRST_DAY,
                "span": SPAN_SECONDS,
                "rows": ROWS,
            },
        )
        # Statistics as a table this size has in production, so the rollup's queries get
        # their usual plans (and autovacuum does not start analysing it mid-test).
        cursor.execute(f"ANALYZE {ActivityRecord._meta.db_table}")


def by_bucket(rows: Rows) -> dict[tuple[int, dt.date], Rows]:
    """Rollup rows grouped by (team, week): the unit a rollup replaces as a whole."""
    buckets = defaultdict(dict)
    for key, value in rows.items():
        buckets[key[:2]][key] = value
    return buckets


def difference(stored: Rows, expected: Rows) -> str:
    """What is wrong with the stored rollups, in words; empty when they are right."""
    missing = [key for key in expected if key not in stored]
    extra = [key for key in stored if key not in expected]
    wrong = [(key, stored[key], value) for key, value in expected.items() if key in stored]
    wrong = [(key, got, want) for key, got, want in wrong if got != want]
    if not (missing or extra or wrong):
        return ""
    return (
        f"{len(missing)} rollups missing, e.g. {missing[:3]}; {len(extra)} unexpected, "
        f"e.g. {extra[:3]}; {len(wrong)} wrong (key, stored, expected), e.g. {wrong[:3]}"
    )


def recount() -> Rows:
    """The rollups the raw activity implies, counted in Python: the week is the Monday
    of the record's local date in the site's time zone, the team is the person's
    current team, and each record counts in exactly one cell, its pathway's or "no
    pathway" (None) — the privacy layer's disjoint cells; active learners, distinct
    people that don't add up across pathways, also for the team-week as a whole (None).
    Per cell: minutes summed, distinct active learners, and completed steps with the
    distinct people who completed them."""
    site_tz = ZoneInfo(settings.TIME_ZONE)
    minutes = defaultdict(int)
    learners = defaultdict(set)
    whole_weeks = defaultdict(set)
    completions = defaultdict(int)
    completers = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.team_id, a.person_id, a.pathway_id, a.step_id, a.kind, a.minutes,"
            " a.occurred_at"
            f" FROM {ActivityRecord._meta.db_table} a"
            f" JOIN {Person._meta.db_table} p ON p.id = a.person_id"
        )
        for team, person, pathway, step, kind, spent, occurred_at in cursor:
            day = occurred_at.astimezone(site_tz).date()
            week = day - dt.timedelta(days=day.weekday())
            key = (team, week, pathway)
            minutes[key] += spent
            learners[key].add(person)
            whole_weeks[(team, week, None)].add(person)
            if kind == ActivityRecord.Kind.COMPLETED and step is not None:
                completions[key] += 1
                completers[key].add(person)
    expected: Rows = {}
    for key in minutes:
        people = len(learners[key])
        expected[(*key, "learning_minutes")] = (float(minutes[key]), people)
        if key[2] is not None:
            expected[(*key, "active_learners")] = (float(people), people)
        expected[(*key, "steps_completed")] = (float(completions[key]), len(completers[key]))
    for key, people in whole_weeks.items():
        expected[(*key, "active_learners")] = (float(len(people)), len(people))
    return expected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_rollup_loses_nothing_and_applies_nothing_twice(redis_server, workers):
    client = producer(redis_server.url)
    first = workers.start(redis_server.url)  # starts up while the activity is seeded

    teams = [TeamFactory() for _ in range(TEAMS)]
    people = [PersonFactory(team=team) for team in teams for _ in range(PEOPLE_PER_TEAM)]
    pathways = [PathwayFactory(), PathwayFactory()]
    steps = {p.pk: [StepFactory(stage__pathway=p).pk for _ in range(2)] for p in pathways}
    seed_activity(people, pathways, steps)
    expected = recount()
    # As the importer does in the transaction that wrote the rows: queue their buckets.
    dirty_buckets_mark(buckets={key[:2] for key in expected})
    # A figure from an earlier rollup, now out of date: the rollup must replace it, not
    # add to it.
    stale = next(key for key in expected if key[2] is None and key[3] == "learning_minutes")
    WeeklyRollup.objects.create(
        team_id=stale[0], week_start=stale[1], pathway=None, metric=stale[3], value=7, people=5
    )
    before = rollup_rows()

    rollup = client.send_task("metrics.tasks.rollup_incremental")
    # Caught holding the rollup lock and running a statement past taking it; whatever
    # it had not committed is rolled back when its session ends.
    statement, delivered_by = workers.kill_mid_statement(
        first,
        lambda: busy_session(advisory_lock_holders(ADVISORY_LOCK_KEY), past="pg_advisory"),
        "the worker to be running the rollup's statements (holding the rollup lock)",
    )
    killed = rollup_rows()
    # No bucket is left half-written: each is as it was, or entirely recomputed.
    old, new, now = by_bucket(before), by_bucket(expected), by_bucket(killed)
    half_written = [
        bucket
        for bucket in old.keys() | new.keys() | now.keys()
        if now.get(bucket, {}) not in (old.get(bucket, {}), new.get(bucket, {}))
    ]
    assert not half_written, f"the killed rollup left buckets half-written: {half_written[:3]}"
    assert killed != expected, (
        f"the rollup finished before the kill, so nothing was killed mid-way (caught in"
        f" {statement[:200]!r}); seed more activity"
    )

    # The unacknowledged message becomes visible again and is redelivered; its result
    # arrives once the replacement worker has run it.
    workers.start_for_redelivery(redis_server.url, delivered_by=delivered_by)
    try:
        rollup.get(timeout=WAIT_SECONDS)
    except celery.exceptions.TimeoutError:
        pytest.fail(f"the killed rollup was never redelivered and run\n{workers.logs()}")
    problems = difference(rollup_rows(), expected)
    assert not problems, problems

    # Running it again (a duplicate delivery), or the beat's catch-up, changes nothing.
    client.send_task("metrics.tasks.rollup_incremental").get(timeout=WAIT_SECONDS)
    problems = difference(rollup_rows(), expected)
    assert not problems, f"after running the rollup again: {problems}"
    client.send_task("metrics.tasks.rollup_catch_up").get(timeout=WAIT_SECONDS)
    problems = difference(rollup_rows(), expected)
    assert not problems, f"after the catch-up: {problems}"
