"""A generated activity data set and an independent, plain-Python recount of the
weekly rollup, shared by the rollup tests and the Celery worker integration test."""

import datetime as dt
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings

from metrics.models import ActivityRecord, WeeklyRollup
from tests.factories import (
    ActivityRecordFactory,
    PathwayFactory,
    PersonFactory,
    StepFactory,
    TeamFactory,
)

UTC = dt.UTC
COMPLETED = ActivityRecord.Kind.COMPLETED

Rows = dict[tuple, tuple[float, int]]


def rollup_rows() -> Rows:
    """{(team, week_start, pathway or None, metric): (value, people)} as stored."""
    return {
        (r.team_id, r.week_start, r.pathway_id, r.metric): (r.value, r.people)
        for r in WeeklyRollup.objects.all()
    }


def recount(records: list[ActivityRecord]) -> Rows:
    """The rollup computed independently: the week is the Monday of the record's local
    date in the site's time zone, the team is the person's current team, and each record
    counts in exactly one cell, its pathway's or "no pathway" (None); active_learners,
    distinct people that don't add up across pathways, also for the team-week as a
    whole (None)."""
    site_tz = ZoneInfo(settings.TIME_ZONE)
    buckets = defaultdict(list)
    whole_weeks = defaultdict(set)
    for record in records:
        local_day = record.occurred_at.astimezone(site_tz).date()
        week = local_day - dt.timedelta(days=local_day.weekday())
        team = record.person.team_id
        buckets[(team, week, record.pathway_id)].append(record)
        whole_weeks[(team, week, None)].add(record.person_id)
    expected = {}
    for key, bucket in buckets.items():
        learners = {r.person_id for r in bucket}
        completions = [r for r in bucket if r.kind == COMPLETED and r.step_id is not None]
        expected[(*key, "learning_minutes")] = (sum(r.minutes for r in bucket), len(learners))
        if key[2] is not None:
            expected[(*key, "active_learners")] = (len(learners), len(learners))
        # `people` behind a completion count is the number of people who completed.
        expected[(*key, "steps_completed")] = (
            len(completions),
            len({r.person_id for r in completions}),
        )
    for key, learners in whole_weeks.items():
        expected[(*key, "active_learners")] = (len(learners), len(learners))
    return expected


def generate_activity(seed: int = 20250330, count: int = 120) -> list[ActivityRecord]:
    """`count` random records over five weeks spanning the switch to British Summer Time,
    from seven people in three teams, on two pathways and on none — plus four records
    right at week boundaries (late Sunday / early Monday in UTC and in London)."""
    rng = random.Random(seed)
    teams = [TeamFactory() for _ in range(3)]
    people = [PersonFactory(team=teams[n % 3]) for n in range(7)]
    pathways = [PathwayFactory(), PathwayFactory()]
    steps = {p.pk: [StepFactory(stage__pathway=p) for _ in range(3)] for p in pathways}
    start = dt.datetime(2025, 3, 17, tzinfo=UTC)
    records = []
    for _ in range(count):
        pathway = rng.choice([None, *pathways])
        records.append(
            ActivityRecordFactory(
                person=rng.choice(people),
                pathway=pathway,
                step=rng.choice([None, *steps[pathway.pk]]) if pathway else None,
                kind=rng.choice(ActivityRecord.Kind.values),
                minutes=rng.randint(0, 180),
                occurred_at=start + dt.timedelta(seconds=rng.randint(0, 35 * 24 * 3600)),
            )
        )
    for stamp in (
        dt.datetime(2025, 3, 23, 23, 30, tzinfo=UTC),  # Sun 23:30 GMT: week of 17 March
        dt.datetime(2025, 3, 30, 23, 30, tzinfo=UTC),  # Mon 00:30 BST: week of 31 March
        dt.datetime(2025, 4, 6, 22, 59, tzinfo=UTC),  # Sun 23:59 BST: week of 31 March
        dt.datetime(2025, 4, 7, 0, 0, tzinfo=UTC),  # Mon 01:00 BST: week of 7 April
    ):
        records.append(
            ActivityRecordFactory(
                person=people[0],
                pathway=pathways[0],
                step=steps[pathways[0].pk][0],
                kind=COMPLETED,
                occurred_at=stamp,
            )
        )
    return records
