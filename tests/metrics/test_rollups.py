"""The weekly rollup: SQL aggregation checked against a plain-Python recount."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from metrics import services, tasks
from metrics.models import ActivityRecord, WeeklyRollup
from metrics.services import rollups
from tests.factories import (
    ActivityRecordFactory,
    PersonFactory,
    StepFactory,
    TeamFactory,
)
from tests.metrics.activity_recount import generate_activity, recount, rollup_rows

UTC = dt.UTC


@pytest.fixture
def generated_activity(db) -> list[ActivityRecord]:
    return generate_activity()


def test_rollup_matches_an_independent_recount_per_team_week_and_pathway(generated_activity):
    result = services.rollup_rebuild()

    expected = recount(generated_activity)
    assert rollup_rows() == expected
    assert result.rows_written == len(expected)
    assert result.buckets == len({key[:3] for key in expected})


def test_rollup_puts_a_sunday_night_utc_record_in_the_next_london_week(db):
    # 23:30 UTC on Sunday 1 June is 00:30 on Monday 2 June in London (BST).
    record = ActivityRecordFactory(occurred_at=dt.datetime(2025, 6, 1, 23, 30, tzinfo=UTC))

    services.rollup_rebuild()

    weeks = set(WeeklyRollup.objects.values_list("week_start", flat=True))
    assert weeks == {dt.date(2025, 6, 2)}
    assert record.person.team_id in set(WeeklyRollup.objects.values_list("team_id", flat=True))


def test_rollup_sums_minutes_counts_distinct_learners_and_completed_steps(db):
    team = TeamFactory()
    ana, ben = PersonFactory(team=team), PersonFactory(team=team)
    step = StepFactory()
    monday = dt.datetime(2025, 1, 6, 12, tzinfo=UTC)
    for person, minutes, kind, with_step in [
        (ana, 30, "attended", False),
        (ana, 45, "completed", True),
        (ana, 15, "completed", False),  # a completion of no step is not a step completed
        (ben, 60, "completed", True),
        (ben, 0, "coached", False),
    ]:
        ActivityRecordFactory(
            person=person,
            pathway=step.pathway,
            step=step if with_step else None,
            minutes=minutes,
            kind=kind,
            occurred_at=monday,
        )

    services.rollup_rebuild()

    week = dt.date(2025, 1, 6)
    rows = rollup_rows()
    pathway = step.pathway_id
    assert rows[(team.pk, week, pathway, "learning_minutes")] == (150, 2)
    assert rows[(team.pk, week, pathway, "active_learners")] == (2, 2)
    assert rows[(team.pk, week, pathway, "steps_completed")] == (2, 2)
    # All of it was on the pathway: "no pathway" has no cell, and "all pathways" (the
    # sum of the cells) is the pathway's figures; distinct learners of the whole week:
    assert (team.pk, week, None, "learning_minutes") not in rows
    assert rows[(team.pk, week, None, "active_learners")] == (2, 2)


def test_activity_without_a_pathway_counts_in_the_no_pathway_cell(db):
    record = ActivityRecordFactory(pathway=None, minutes=20)

    services.rollup_rebuild()

    assert set(WeeklyRollup.objects.values_list("pathway_id", flat=True)) == {None}
    assert WeeklyRollup.objects.get(metric="learning_minutes").value == 20
    assert WeeklyRollup.objects.get(metric="learning_minutes").team_id == record.person.team_id


def test_running_the_rollup_twice_gives_identical_rows(generated_activity):
    first_result = services.rollup_rebuild()
    first_rows = rollup_rows()

    second_result = services.rollup_rebuild()

    assert rollup_rows() == first_rows
    assert second_result == first_result
    assert WeeklyRollup.objects.count() == len(first_rows)


def test_rollup_drops_buckets_whose_activity_is_gone(db):
    gone = ActivityRecordFactory(occurred_at=dt.datetime(2025, 1, 6, 9, tzinfo=UTC))
    kept = ActivityRecordFactory(occurred_at=dt.datetime(2025, 2, 3, 9, tzinfo=UTC))
    services.rollup_rebuild()

    gone.delete()
    services.rollup_rebuild()

    activity_weeks = set(
        WeeklyRollup.objects.filter(metric__in=services.ACTIVITY_METRICS).values_list(
            "team_id", "week_start"
        )
    )
    assert activity_weeks == {(kept.person.team_id, dt.date(2025, 2, 3))}


def test_rollup_attributes_history_to_the_persons_current_team(db):
    record = ActivityRecordFactory(occurred_at=dt.datetime(2025, 1, 6, 9, tzinfo=UTC))
    new_team = TeamFactory()
    record.person.team = new_team
    record.person.save()

    services.rollup_rebuild()

    assert set(WeeklyRollup.objects.values_list("team_id", flat=True)) == {new_team.pk}


def test_rollup_of_no_activity_writes_nothing(db):
    result = services.rollup_rebuild()

    assert (result.rows_written, result.buckets) == (0, 0)
    assert not WeeklyRollup.objects.exists()


def test_rollup_command_rebuilds_and_prints_a_summary(generated_activity):
    out = StringIO()

    call_command("rollup", "--full", stdout=out)

    expected = recount(generated_activity)
    assert rollup_rows() == expected
    buckets, rows = len({key[:3] for key in expected}), len(expected)
    assert f"Rollup done: {buckets} buckets, {rows} rows written." in out.getvalue()


def test_catch_up_task_rebuilds_and_reports_what_it_wrote(generated_activity):
    # apply() runs the task in this process whatever the broker settings are.
    outcome = tasks.rollup_catch_up.apply().get()

    expected = recount(generated_activity)
    buckets = len({key[:3] for key in expected})
    assert outcome == {"rows_written": len(expected), "buckets": buckets}
    assert rollup_rows() == expected


def test_postgresql_statement_and_the_portable_orm_twin_give_the_same_rows(generated_activity):
    """PostgreSQL computes rollups in one INSERT ... SELECT (rollup_sql); SQLite in the
    ORM (rollups._compute). Both run here on the same data — activity, completions,
    outcomes and confidence, full and scoped — and must agree row for row."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQL statement is PostgreSQL's")
    import random

    from metrics.models import OutcomeMeasure
    from pathways.models import ConfidenceRating
    from tests.factories import EnrollmentFactory, OutcomeObservationFactory
    from tests.pathways.factories import ConfidenceRatingFactory

    rng = random.Random(7)
    people = list({record.person for record in generated_activity})
    measures = list(OutcomeMeasure.objects.all())
    weeks = [dt.date(2025, 3, 17) + dt.timedelta(weeks=n) for n in range(5)]
    for person in people:
        stamp = dt.datetime(2025, 3, 17, tzinfo=UTC) + dt.timedelta(hours=rng.randint(0, 800))
        enrollment = EnrollmentFactory(person=person, completed_at=rng.choice([None, stamp]))
        for moment in (ConfidenceRating.Moment.START, ConfidenceRating.Moment.COMPLETION):
            ConfidenceRatingFactory(enrollment=enrollment, moment=moment, rating=rng.randint(1, 5))
    for rating in ConfidenceRating.objects.all():
        moment = dt.datetime(2025, 3, 17, tzinfo=UTC) + dt.timedelta(hours=rng.randint(0, 800))
        ConfidenceRating.objects.filter(pk=rating.pk).update(created_at=moment)
    for team in {person.team for person in people}:
        for _ in range(6):
            OutcomeObservationFactory(
                team=team,
                measure=rng.choice(measures),
                period_start=rng.choice(weeks),
                value=rng.uniform(1, 5),
                sample_size=rng.randint(1, 9),
            )

    def stored():
        return {
            key: (pytest.approx(value, rel=1e-12), people)
            for key, (value, people) in rollup_rows().items()
        }

    services.rollup_rebuild()
    expected = rollups._compute(None)
    assert stored() == expected
    assert {key[3] for key in expected} >= {"pathway_completions", "confidence"}

    scope = {(person.team_id, weeks[1]) for person in people} | {(people[0].team_id, weeks[3])}
    WeeklyRollup.objects.all().delete()
    with transaction.atomic():
        rollups._recompute(scope)
    assert stored() == rollups._compute(scope)


def test_the_incremental_statement_reads_activity_from_the_covering_index_alone(
    generated_activity,
):
    """The incremental rollup's cost must follow the weeks it recomputes, not the size of
    the activity table: PostgreSQL can answer its read of the raw rows from the (person,
    occurred_at) index alone, every column it aggregates being in the index. A column
    added to the statement but not to the index would send it back to the table, which
    at ten million rows meant a scan of all of them (README, "Ten million rows"). The
    planner is asked for the plan with sequential scans priced out: on a test-sized table
    it would rightly prefer one."""
    if connection.vendor != "postgresql":
        pytest.skip("the covering index and the SQL statement are PostgreSQL's")
    from metrics.services import rollup_sql

    scope = {(r.person.team_id, r.occurred_at.date()) for r in generated_activity[:5]}
    scope = {(team, day - dt.timedelta(days=day.weekday())) for team, day in scope}
    bounds = rollups._week_bounds(week for _team, week in scope)
    params = rollup_sql.statement_params(
        bounds,
        completion_metric=rollups.COMPLETION_METRIC,
        confidence_measure=rollups.CONFIDENCE_MEASURE,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE metrics_activityrecord")
        rollup_sql.scope_table_fill(cursor, scope)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + rollup_sql.statement(scoped=True), params)
        plan = cursor.fetchone()[0]

    def scans(node):
        if node.get("Relation Name") == "metrics_activityrecord":
            yield node["Node Type"], node.get("Index Name")
        for child in node.get("Plans", []):
            yield from scans(child)

    assert list(scans(plan[0]["Plan"])) == [("Index Only Scan", "activity_person_occurred_cover")]
