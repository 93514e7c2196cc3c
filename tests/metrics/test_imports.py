"""The validating importer: every bad-input class, all-or-nothing, idempotent re-import,
and the two entry points that share it (the commands here; upload and xAPI elsewhere)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from metrics import services
from metrics.models import (
    ActivityRecord,
    ImportRun,
    OutcomeMeasure,
    OutcomeObservation,
    RollupDirtyBucket,
)
from metrics.services.imports import formats, writer, writer_pg
from tests.factories import PersonFactory, StepFactory, TeamFactory
from tests.metrics.csv_files import activity_csv, activity_file_write, file_apply, outcome_csv

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def world(db):
    team = TeamFactory(slug="payments")
    ana = PersonFactory(team=team, user__email="Ana@Example.com")
    step = StepFactory(key="prompting-101", stage__pathway__slug="ai-basics")
    return {"team": team, "ana": ana, "step": step, "pathway": step.pathway}


GOOD = "ana@example.com,2025-03-03T10:00:00Z,30,attended,ai-basics,prompting-101,lms-1"


def test_valid_activity_file_is_imported_with_people_pathways_and_steps(world):
    report = file_apply(
        "activity", activity_csv(GOOD, "ANA@example.com,2025-03-04,15,practiced,,,")
    )

    assert (report.rows_total, report.rows_inserted, report.rows_invalid) == (2, 2, 0)
    first = ActivityRecord.objects.get(source_id="lms-1")
    assert first.person == world["ana"]
    assert first.step == world["step"]
    assert first.pathway == world["pathway"]
    assert first.source == "csv"
    assert first.occurred_at == dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)
    # A date means midnight in the site's time zone; an empty source_id means content.
    second = ActivityRecord.objects.exclude(source_id="lms-1").get()
    assert second.occurred_at == dt.datetime(2025, 3, 4, tzinfo=LONDON)
    assert second.source_id.startswith("sha1:")
    assert second.pathway is None


def test_reimporting_the_same_file_changes_nothing(world):
    text = activity_csv(GOOD, "ana@example.com,2025-03-04,15,practiced,,,")
    file_apply("activity", text)
    before = list(ActivityRecord.objects.values_list("id", "source_id", "minutes"))

    report = file_apply("activity", text)

    assert (report.rows_inserted, report.rows_duplicate) == (0, 2)
    assert list(ActivityRecord.objects.values_list("id", "source_id", "minutes")) == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("nobody@example.com,2025-03-03,30,attended,,,", "unknown person 'nobody@example.com'"),
        ("ana@example.com,03/03/2025,30,attended,,,", "occurred_at '03/03/2025' is not an ISO"),
        ("ana@example.com,2025-02-30,30,attended,,,", "occurred_at '2025-02-30' is not an ISO"),
        ("ana@example.com,2025-03-03,half,attended,,,", "minutes 'half' is not a whole number"),
        ("ana@example.com,2025-03-03,1441,attended,,,", "minutes 1441 is out of range 0-1440"),
        ("ana@example.com,2025-03-03,-1,attended,,,", "minutes -1 is out of range 0-1440"),
        ("ana@example.com,2025-03-03,30,slept,,,", "kind 'slept' is not one of"),
        ("ana@example.com,2025-03-03,30,attended,nope,,", "unknown pathway 'nope'"),
        ("ana@example.com,2025-03-03,30,attended,ai-basics,nope,", "unknown step 'nope'"),
        ("ana@example.com,2025-03-03,30,attended,,prompting-101,", "given without a pathway"),
        ("ana@example.com,2025-03-03,30,attended,,", "expected 7 columns, found 6"),
        ("ana@example.com,2025-03-03,30,attended,,," + "x" * 201, "longer than 200"),
    ],
)
def test_each_bad_activity_row_is_reported_with_its_line_and_reason(world, row, reason):
    report = services.import_file_validate(
        kind="activity", source=io.BytesIO(activity_csv(GOOD, row).encode())
    )

    assert report.rows_valid == 1
    assert report.rows_invalid == 1
    assert report.errors[0]["line"] == 3
    assert reason in report.errors[0]["reason"]


def test_non_utf8_bytes_are_reported_on_their_line(world):
    body = activity_csv(GOOD).encode() + b"ana@example.com,2025-03-03,30,attended,,,caf\xe9\n"

    report = services.import_file_validate(kind="activity", source=io.BytesIO(body))

    assert report.errors == [
        {"line": 3, "reason": "contains bytes that are not UTF-8; save the file as UTF-8"}
    ]


def test_a_file_with_bad_rows_writes_nothing_unless_the_valid_rows_are_chosen(world):
    text = activity_csv(GOOD, "nobody@example.com,2025-03-03,30,attended,,,")

    with pytest.raises(services.InvalidRows) as refused:
        file_apply("activity", text)
    assert refused.value.report.rows_invalid == 1
    assert not ActivityRecord.objects.exists()
    assert not RollupDirtyBucket.objects.exists()

    report = file_apply("activity", text, allow_invalid=True)
    assert report.rows_inserted == 1
    assert list(ActivityRecord.objects.values_list("source_id", flat=True)) == ["lms-1"]


def test_a_failure_while_writing_leaves_no_row_behind(world, monkeypatch):
    # As if the worker died after the rows were written but before the commit.
    def explode(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(writer, "dirty_buckets_mark", explode)
    with pytest.raises(RuntimeError):
        file_apply("activity", activity_csv(GOOD))

    assert not ActivityRecord.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,when,minutes\nana@example.com,2025-03-03,30\n", "Wrong header"),
        # Another kind's header: named as such (no more "Was this a outcome file?").
        (
            outcome_csv("payments,quality_score,2025-03-03,1,5,"),
            "That is the header of an outcomes file",
        ),
        ("", "The file is empty"),
    ],
)
def test_a_wrong_header_rejects_the_whole_file(world, text, message):
    with pytest.raises(services.FileRejected, match=message):
        services.import_file_validate(kind="activity", source=io.BytesIO(text.encode()))


@pytest.mark.parametrize(
    ("kind", "text", "messages"),
    [
        (
            "activity",
            "email,when,minutes\n",
            [
                "Wrong header for an activity import: found 'email,when,minutes'",
                "an activity file starts with exactly "
                "'person_email,occurred_at,minutes,kind,pathway,step,source_id'",
                "Other kinds expect outcomes: "
                "'team,measure,period_start,value,sample_size,source_id'",
                "A template for each is on the upload page.",
            ],
        ),
        (
            "outcomes",
            "person_email,occurred_at,minutes,kind,pathway,step,source_id\n",
            [
                "Wrong header for an outcomes import: found "
                "'person_email,occurred_at,minutes,kind,pathway,step,source_id'",
                "That is the header of an activity file: choose “Activity” as the kind",
            ],
        ),
        ("outcomes", "\n", ["found 'an empty first line'", "Other kinds expect activity: "]),
    ],
)
def test_a_wrong_header_message_names_what_it_saw_and_what_each_kind_expects(
    world, kind, text, messages
):
    with pytest.raises(services.FileRejected) as refused:
        services.import_file_validate(kind=kind, source=io.BytesIO(text.encode()))

    for message in messages:
        assert message in refused.value.messages[0]
    assert "Was this" not in refused.value.messages[0]


def test_a_line_over_ten_thousand_characters_rejects_the_file(world):
    text = activity_csv(GOOD, "ana@example.com,2025-03-03,30,attended,,," + "x" * 10_000)

    with pytest.raises(services.FileRejected, match="Line 3 is 10,041 characters long"):
        file_apply("activity", text)
    assert not ActivityRecord.objects.exists()


def test_a_file_over_200_mb_is_refused_before_reading(world, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 100)

    with pytest.raises(services.FileRejected, match="limit is 0 MB"):
        file_apply("activity", activity_csv(GOOD, GOOD, GOOD))


def test_import_marks_the_touched_team_weeks_dirty_in_the_same_transaction(world):
    file_apply("activity", activity_csv(GOOD, "ana@example.com,2025-03-09T23:30:00Z,5,coached,,,"))

    # Sunday 9 March 23:30 UTC is still Sunday in London (GMT): the week of 3 March.
    assert set(RollupDirtyBucket.objects.values_list("team_id", "week_start")) == {
        (world["team"].pk, dt.date(2025, 3, 3))
    }


# --- Outcomes -------------------------------------------------------------------------------


def test_outcome_rows_are_stored_on_the_monday_of_their_iso_week(world):
    report = file_apply(
        "outcomes",
        outcome_csv(
            "payments,cycle_time_days,2025-03-06,4.5,12,jira-1",
            "payments,confidence,2025-03-09,3,8,",
        ),
    )

    assert report.rows_inserted == 2
    rows = OutcomeObservation.objects.order_by("period_start", "measure__key")
    assert [(o.measure.key, o.period_start, o.value, o.sample_size) for o in rows] == [
        ("confidence", dt.date(2025, 3, 3), 3.0, 8),
        ("cycle_time_days", dt.date(2025, 3, 3), 4.5, 12),
    ]


def test_a_measure_an_admin_added_can_be_imported(world):
    OutcomeMeasure.objects.create(key="deploys", name="Deploys", direction="higher")

    assert (
        file_apply("outcomes", outcome_csv("payments,deploys,2025-03-06,7,5,")).rows_inserted == 1
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("sales,quality_score,2025-03-03,1,5,", "unknown team 'sales'"),
        ("payments,happiness,2025-03-03,1,5,", "unknown measure 'happiness'"),
        ("payments,quality_score,March,1,5,", "period_start 'March' is not an ISO 8601 date"),
        ("payments,quality_score,2025-03-03,lots,5,", "value 'lots' is not a number"),
        ("payments,quality_score,2025-03-03,nan,5,", "value 'nan' is not a number"),
        ("payments,quality_score,2025-03-03,1,0,", "sample_size 0 must be a positive"),
        ("payments,quality_score,2025-03-03,1,2.5,", "sample_size '2.5' is not a whole number"),
        ("payments,quality_score,2025-03-03,1,5", "expected 6 columns, found 5"),
    ],
)
def test_each_bad_outcome_row_is_reported(world, row, reason):
    report = services.import_file_validate(
        kind="outcomes", source=io.BytesIO(outcome_csv(row).encode())
    )

    assert report.rows_valid == 0
    assert report.errors[0]["line"] == 2
    assert reason in report.errors[0]["reason"]


def test_reimporting_an_outcome_file_changes_nothing(world):
    text = outcome_csv("payments,quality_score,2025-03-03,71.5,9,")
    file_apply("outcomes", text)

    report = file_apply("outcomes", text)

    assert (report.rows_inserted, report.rows_duplicate) == (0, 1)
    assert OutcomeObservation.objects.count() == 1


# --- The commands ---------------------------------------------------------------------------


def test_import_activity_command_imports_and_summarises(world, tmp_path):
    path = tmp_path / "activity.csv"
    path.write_text(activity_csv(GOOD))
    out = io.StringIO()

    call_command("import_activity", str(path), stdout=out)

    assert "Imported activity.csv: 1 rows, 1 new, 0 already imported, 0 invalid." in out.getvalue()
    assert ImportRun.objects.get().status == ImportRun.Status.DONE


def test_import_command_exits_non_zero_on_a_rejected_file(world, tmp_path):
    path = tmp_path / "activity.csv"
    path.write_text("wrong,header\n")

    with pytest.raises(CommandError, match="was rejected: Wrong header"):
        call_command("import_activity", str(path), stdout=io.StringIO())


def test_import_command_refuses_bad_rows_until_asked_to_import_the_valid_ones(world, tmp_path):
    path = tmp_path / "activity.csv"
    path.write_text(activity_csv(GOOD, "nobody@example.com,2025-03-03,30,attended,,,"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="--import-valid to import the 1 valid rows"):
        call_command("import_activity", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3: unknown person 'nobody@example.com'" in err.getvalue()
    assert not ActivityRecord.objects.exists()

    call_command("import_activity", str(path), "--import-valid", stdout=io.StringIO(), stderr=err)
    assert ActivityRecord.objects.count() == 1


def test_the_commands_record_a_refused_file_on_its_run_as_the_upload_flow_does(world, tmp_path):
    # The commands go through services.file_import, the upload flow's own write.
    path = tmp_path / "activity.csv"
    path.write_text("wrong,header\n")
    with pytest.raises(CommandError):
        call_command("import_activity", str(path), stdout=io.StringIO())
    rejected = ImportRun.objects.get()
    assert rejected.status == ImportRun.Status.REJECTED
    assert "Wrong header" in rejected.message

    activity_file_write(path, [GOOD, "nobody@example.com,2025-03-03,30,attended,,,"])
    with pytest.raises(CommandError):
        call_command("import_activity", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    bad_rows = ImportRun.objects.latest("pk")
    assert (bad_rows.status, bad_rows.rows_valid, bad_rows.rows_invalid) == ("rejected", 1, 1)
    assert bad_rows.row_errors == [{"line": 3, "reason": "unknown person 'nobody@example.com'"}]
    assert not ActivityRecord.objects.exists()


def test_import_outcomes_command(world, tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text(outcome_csv("payments,quality_score,2025-03-03,71.5,9,q-1"))

    call_command("import_outcomes", str(path), stdout=io.StringIO())

    assert OutcomeObservation.objects.get().source_id == "q-1"


# --- The writer's paths: COPY straight in, or staging + ON CONFLICT when ids repeat -----


def test_a_source_id_twice_in_one_file_is_stored_once(world):
    twice = "ana@example.com,2025-03-05,20,practiced,,,lms-2"
    report = file_apply("activity", activity_csv(GOOD, twice, twice))

    assert (report.rows_valid, report.rows_inserted, report.rows_duplicate) == (3, 2, 1)
    assert sorted(ActivityRecord.objects.values_list("source_id", flat=True)) == [
        "lms-1",
        "lms-2",
    ]


def test_a_file_overlapping_an_earlier_import_adds_only_the_new_rows(world):
    file_apply("activity", activity_csv(GOOD))
    before = ActivityRecord.objects.get(source_id="lms-1")
    fresh = "ana@example.com,2025-03-05,20,practiced,,,lms-2"

    report = file_apply("activity", activity_csv(fresh, GOOD))

    # Counted once although the file was read twice (COPY met lms-1, then ON CONFLICT).
    assert (report.rows_total, report.rows_inserted, report.rows_duplicate) == (2, 1, 1)
    assert ActivityRecord.objects.get(source_id="lms-1").pk == before.pk
    assert ActivityRecord.objects.filter(source_id="lms-2").count() == 1
    # Its bucket was marked for the rollup (the marker rows of both imports).
    monday = dt.date(2025, 3, 3)
    assert RollupDirtyBucket.objects.filter(team_id=world["team"].pk, week_start=monday).exists()


@pytest.mark.parametrize(
    "source_id",
    ["tab\there", "back\\slash", "new\nline", "carriage\rreturn", 'comma,quote"', "=1+2"],
)
def test_source_ids_with_copy_special_characters_are_stored_verbatim(world, source_id):
    quoted = '"' + source_id.replace('"', '""') + '"'
    row = f"ana@example.com,2025-03-03T10:00:00Z,30,attended,,,{quoted}"

    report = file_apply("activity", activity_csv(row))

    assert report.rows_inserted == 1
    assert ActivityRecord.objects.get().source_id == source_id
    assert file_apply("activity", activity_csv(row)).rows_inserted == 0  # and found again


def test_outcome_values_survive_the_writer_exactly(world):
    value = 0.1 + 0.2  # 0.30000000000000004: no rounding on the way in
    file_apply("outcomes", outcome_csv(f"payments,quality_score,2025-03-05,{value!r},7,q-1"))

    stored = OutcomeObservation.objects.get()
    assert (stored.value, stored.sample_size, stored.period_start) == (
        value,
        7,
        dt.date(2025, 3, 3),
    )


def test_a_person_deleted_before_the_rows_are_locked_fails_the_import_whole(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the referent lock is PostgreSQL's (SQLite serialises writers)")
    bob = PersonFactory(team=world["team"], user__email="bob@example.com")
    original = writer_pg._referents_lock

    def delete_bob_first(cursor, target, referred):
        # What a concurrent delete committed between validation and the lock looks like.
        cursor.execute("DELETE FROM upskill_person WHERE id = %s", [bob.pk])
        original(cursor, target, referred)

    monkeypatch.setattr(writer_pg, "_referents_lock", delete_bob_first)
    with pytest.raises(ValidationError, match="were deleted while"):
        file_apply("activity", activity_csv(GOOD, "bob@example.com,2025-03-04,15,practiced,,,b-1"))
    assert not ActivityRecord.objects.exists()
