"""Incremental rollups: only dirty buckets, never a missed row, people who move team,
outcome measures and confidence, checked against independent recounts."""

import datetime as dt
import io

import pytest

from metrics import services, tasks
from metrics.models import (
    ActivityRecord,
    OutcomeMeasure,
    RollupAttribution,
    RollupDirtyBucket,
    RollupState,
    WeeklyRollup,
)
from metrics.services import rollups
from pathways.models import ConfidenceRating
from tests.factories import (
    ActivityRecordFactory,
    EnrollmentFactory,
    OutcomeObservationFactory,
    PersonFactory,
    TeamFactory,
)
from tests.metrics.activity_recount import generate_activity, recount, rollup_rows
from tests.metrics.csv_files import activity_csv, file_apply
from tests.pathways.factories import ConfidenceRatingFactory

UTC = dt.UTC
ACTIVITY = set(services.ACTIVITY_METRICS)


def activity_rows():
    return {k: v for k, v in rollup_rows().items() if k[3] in ACTIVITY}


def import_csv(rows):
    return file_apply("activity", activity_csv(*(",".join(map(str, row)) for row in rows)))


def test_incremental_rollup_after_an_import_matches_the_recount(db):
    records = generate_activity(count=60)
    services.rollup_rebuild()
    person = records[0].person
    import_csv(
        [
            (person.user.email, "2025-06-02T09:00:00Z", 45, "practiced", "", "", "n-1"),
            (person.user.email, "2025-03-18T09:00:00Z", 15, "coached", "", "", "n-2"),
        ]
    )

    result = services.rollup_incremental()

    assert result.buckets == 2  # one new week, one existing week of the same team
    assert activity_rows() == recount(list(ActivityRecord.objects.select_related("person")))
    assert not RollupDirtyBucket.objects.exists()


def test_incremental_rollup_touches_only_dirty_buckets(db):
    record = ActivityRecordFactory(occurred_at=dt.datetime(2025, 1, 6, 9, tzinfo=UTC))
    services.rollup_rebuild()
    untouched = WeeklyRollup.objects.get(metric="learning_minutes")
    ActivityRecordFactory(
        person=record.person, occurred_at=dt.datetime(2025, 2, 3, 9, tzinfo=UTC)
    )  # written without a marker: only the catch-up scan finds it
    services.rollup_incremental()

    assert WeeklyRollup.objects.filter(metric="learning_minutes").count() == 1
    assert WeeklyRollup.objects.get(metric="learning_minutes").computed_at == untouched.computed_at


def test_catch_up_scan_finds_rows_written_without_a_marker(db):
    services.rollup_rebuild()  # sets the watermark
    record = ActivityRecordFactory(occurred_at=dt.datetime(2025, 2, 3, 9, tzinfo=UTC))

    tasks.rollup_catch_up.apply().get()

    assert activity_rows() == recount([record])


def test_a_marker_committed_after_the_rollup_read_its_markers_survives(db):
    # Two overlapping imports: the rollup took its snapshot before the second one's
    # marker for the very same bucket committed. Markers are deleted by id, so the
    # second marker stays queued for the next run.
    record = ActivityRecordFactory(occurred_at=dt.datetime(2025, 1, 6, 9, tzinfo=UTC))
    services.dirty_buckets_mark(buckets=[(record.person.team_id, dt.date(2025, 1, 6))])
    taken = list(RollupDirtyBucket.objects.values_list("id", flat=True))
    late = RollupDirtyBucket.objects.create(
        team_id=record.person.team_id, week_start=dt.date(2025, 1, 6)
    )
    rollups._drop_markers(taken)

    assert list(RollupDirtyBucket.objects.values_list("id", flat=True)) == [late.pk]


def test_running_the_incremental_rollup_twice_gives_the_same_rows(db):
    records = generate_activity(count=40)
    services.dirty_buckets_mark(
        buckets=[(r.person.team_id, r.occurred_at.date()) for r in records[:1]]
    )
    services.rollup_rebuild()
    first = rollup_rows()

    services.rollup_incremental()
    services.rollup_incremental()

    assert rollup_rows() == first


def test_a_person_who_moves_team_takes_their_history_to_the_new_team(db):
    # Documented rule: historical activity belongs to the person's *current* team.
    old, new = TeamFactory(), TeamFactory()
    mover = PersonFactory(team=old)
    stayer = PersonFactory(team=old)
    first = ActivityRecordFactory(person=mover, occurred_at=dt.datetime(2025, 1, 6, 9, tzinfo=UTC))
    ActivityRecordFactory(person=stayer, occurred_at=dt.datetime(2025, 1, 7, 9, tzinfo=UTC))
    services.rollup_rebuild()

    mover.team = new
    mover.save()
    import_csv([(mover.user.email, "2025-02-03T09:00:00Z", 10, "attended", "", "", "after")])
    services.rollup_incremental()

    everything = list(ActivityRecord.objects.select_related("person"))
    assert activity_rows() == recount(everything)
    assert rollup_rows()[(new.pk, dt.date(2025, 1, 6), None, "learning_minutes")] == (
        first.minutes,
        1,
    )


def test_a_person_who_joined_after_the_last_rollup_and_then_moves_takes_their_history(db):
    # The incremental run attributes newcomers to their team; a later move is then
    # noticed like anyone else's. A deleted person's attribution is forgotten.
    old, new = TeamFactory(), TeamFactory()
    services.rollup_rebuild()
    newcomer = PersonFactory(team=old)
    leaver = PersonFactory(team=old)
    week = dt.datetime(2025, 1, 6, 9, tzinfo=UTC)
    record = ActivityRecordFactory(person=newcomer, occurred_at=week)
    services.rollup_incremental(scan=True)
    assert dict(RollupAttribution.objects.values_list("person_id", "team_id")) == {
        newcomer.pk: old.pk,
        leaver.pk: old.pk,
    }

    leaver.user.delete()  # the person goes with their user
    newcomer.team = new
    newcomer.save()
    result = services.rollup_incremental()

    assert result.buckets == 2  # the week, under the old team and the new one
    assert dict(RollupAttribution.objects.values_list("person_id", "team_id")) == {
        newcomer.pk: new.pk
    }
    assert activity_rows() == recount([record])
    assert rollup_rows()[(new.pk, week.date(), None, "learning_minutes")] == (record.minutes, 1)


def test_outcome_measures_are_weighted_by_sample_size(db):
    team = TeamFactory()
    week = dt.date(2025, 3, 3)
    cycle = OutcomeMeasure.objects.get(key="cycle_time_days")
    OutcomeObservationFactory(
        team=team, measure=cycle, period_start=week, value=4.0, sample_size=10
    )
    OutcomeObservationFactory(team=team, measure=cycle, period_start=week, value=7.0, sample_size=5)

    services.rollup_rebuild()

    assert rollup_rows()[(team.pk, week, None, "cycle_time_days")] == (5.0, 15)


def test_confidence_is_the_mean_rating_of_the_teams_raters_that_week(db):
    team = TeamFactory()
    ratings = []
    for rating in (2, 3, 5):
        enrollment = EnrollmentFactory(person=PersonFactory(team=team))
        ratings.append(ConfidenceRatingFactory(enrollment=enrollment, rating=rating))
    monday = dt.datetime(2025, 3, 4, 12, tzinfo=UTC)
    ConfidenceRating.objects.update(created_at=monday)

    services.rollup_rebuild()

    assert rollup_rows()[(team.pk, dt.date(2025, 3, 3), None, "confidence")] == (10 / 3, 3)


def test_pathway_completions_count_completed_enrolments(db):
    team = TeamFactory()
    stamp = dt.datetime(2025, 3, 5, 12, tzinfo=UTC)
    done = [
        EnrollmentFactory(person=PersonFactory(team=team), completed_at=stamp) for _ in range(2)
    ]
    EnrollmentFactory(person=PersonFactory(team=team))  # not completed

    services.rollup_rebuild()

    rows = rollup_rows()
    week = dt.date(2025, 3, 3)
    # One cell per pathway ("all pathways" is their sum, 2), none without a pathway.
    assert rows[(team.pk, week, done[0].pathway_id, "pathway_completions")] == (1, 1)
    assert rows[(team.pk, week, done[1].pathway_id, "pathway_completions")] == (1, 1)
    assert (team.pk, week, None, "pathway_completions") not in rows


def test_rollup_records_when_it_ran(db):
    services.rollup_rebuild()

    assert RollupState.objects.get().last_run_at is not None


@pytest.mark.parametrize("full", [True, False])
def test_rollup_command_runs_synchronously(db, full):
    from django.core.management import call_command

    record = ActivityRecordFactory()
    call_command("rollup", *(["--full"] if full else []), stdout=io.StringIO())

    assert activity_rows() == recount([record])
