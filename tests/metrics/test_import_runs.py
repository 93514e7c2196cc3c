"""The upload page: a file is stored, checked by a job, reported, and imported only after
the admin confirms; every bad input gets a message, never a 500 and never a write.

Celery is eager here (no REDIS_URL): the jobs run in the on_commit callbacks, which the
tests execute with django_capture_on_commit_callbacks(execute=True).
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from metrics import services
from metrics.models import ActivityRecord, ImportRun, OutcomeObservation, RollupDirtyBucket
from metrics.services.imports import formats
from tests.factories import PersonFactory, StepFactory, TeamFactory
from tests.metrics.csv_files import (
    ACTIVITY_HEADER,
    OUTCOME_HEADER,
    activity_csv,
    activity_file_write,
    csv_text,
    csv_upload,
)

GOOD = "ana@example.com,2025-03-03T10:00:00Z,30,attended,ai-basics,prompting-101,lms-1"
GOOD_2 = "ana@example.com,2025-03-04,15,practiced,,,lms-2"
BAD = "nobody@example.com,2025-03-04,15,practiced,,,lms-3"


pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def world(db):
    team = TeamFactory(slug="payments")
    ana = PersonFactory(team=team, user__email="Ana@Example.com")
    step = StepFactory(key="prompting-101", stage__pathway__slug="ai-basics")
    return {"team": team, "ana": ana, "step": step}


@pytest.fixture
def admin_client(client, ld_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(ld_admin)
    return client


def csv_file(*rows: str, name="activity.csv", header=ACTIVITY_HEADER) -> SimpleUploadedFile:
    return csv_upload(csv_text(header, rows), name=name)


def upload(client, capture, file, kind="activity"):
    with capture(execute=True):
        return client.post(reverse("metrics:imports"), {"kind": kind, "file": file})


def latest_run() -> ImportRun:
    return ImportRun.objects.latest("pk")


# --- The flow -----------------------------------------------------------------------------


def test_upload_checks_the_file_and_imports_nothing_before_confirmation(
    world, admin_client, django_capture_on_commit_callbacks
):
    response = upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD, BAD))

    run = latest_run()
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:import_run", args=[run.pk])
    assert run.status == ImportRun.Status.VALIDATED
    assert (run.rows_total, run.rows_valid, run.rows_invalid) == (2, 1, 1)
    assert run.file.name.endswith(".csv")
    assert ActivityRecord.objects.count() == 0
    page = admin_client.get(response["Location"]).content.decode()
    assert "Import the 1 valid row" in page
    assert "unknown person &#x27;nobody@example.com&#x27;" in page
    assert '<td class="num">3</td>' in page  # the bad row's line number


def test_confirming_imports_the_valid_rows_and_queues_the_rollup(
    world, admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD, GOOD_2, BAD))
    run = latest_run()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": "2"}
        )

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert (run.rows_inserted, run.rows_duplicate) == (2, 0)
    assert set(ActivityRecord.objects.values_list("source_id", flat=True)) == {"lms-1", "lms-2"}
    # apply, then the rollup it queued (which consumed the dirty buckets), then the email
    # of the uploader's "import finished" notification, then the impact estimates the
    # rollup queued for its new generation (issue 16)
    assert len(callbacks) == 4
    assert not RollupDirtyBucket.objects.exists()
    page = admin_client.get(reverse("metrics:import_run", args=[run.pk])).content.decode()
    assert "2 imported" in page
    assert "0 duplicates skipped" in page


def test_confirming_with_a_stale_count_imports_nothing(
    world, admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD, GOOD_2))
    run = latest_run()

    response = admin_client.post(
        reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": "5"}, follow=True
    )

    run.refresh_from_db()
    assert run.status == ImportRun.Status.VALIDATED
    assert "reload the page and confirm again" in response.content.decode()
    assert ActivityRecord.objects.count() == 0


def test_cancelling_after_the_report_imports_nothing_and_cannot_be_confirmed_later(
    world, admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD))
    run = latest_run()

    admin_client.post(reverse("metrics:import_run_cancel", args=[run.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": 1})

    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED
    assert ActivityRecord.objects.count() == 0


def test_reuploading_the_same_file_changes_nothing(
    world, admin_client, django_capture_on_commit_callbacks
):
    for _ in range(2):
        upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD, GOOD_2))
        run = latest_run()
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": 2}
            )
        if run.pk == ImportRun.objects.earliest("pk").pk:
            before = list(ActivityRecord.objects.order_by("pk").values_list("pk", "source_id"))

    run.refresh_from_db()
    assert (run.status, run.rows_inserted, run.rows_duplicate) == ("done", 0, 2)
    assert list(ActivityRecord.objects.order_by("pk").values_list("pk", "source_id")) == before


def test_an_outcome_file_goes_through_the_same_flow(
    db, team, admin_client, django_capture_on_commit_callbacks
):
    file = csv_file("payments,quality_score,2025-03-05,4.2,12,q-1", header=OUTCOME_HEADER)
    upload(admin_client, django_capture_on_commit_callbacks, file, kind="outcomes")
    run = latest_run()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": 1})

    assert OutcomeObservation.objects.get().value == 4.2


# --- Bad input: a message, never a 500, nothing written -----------------------------------


def test_a_wrong_header_rejects_the_whole_file_with_the_expected_header(
    world, admin_client, django_capture_on_commit_callbacks
):
    file = csv_file("payments,quality_score,2025-03-05,4.2,12,q-1", header="team,measure")
    upload(admin_client, django_capture_on_commit_callbacks, file)

    run = latest_run()
    assert run.status == ImportRun.Status.REJECTED
    page = admin_client.get(reverse("metrics:import_run", args=[run.pk])).content.decode()
    assert "The whole file was refused" in page
    assert "Wrong header" in page
    assert "person_email,occurred_at,minutes,kind,pathway,step,source_id" in page
    assert "Import the" not in page
    assert ActivityRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "is not a CSV file"),
        (
            "people.txt",
            b"person_email\nsam@example.com\n",
            "is not a CSV file",
        ),  # as the README says
        ("junk.csv", b"\x00\x01\x02\xff\xfe binary junk", "not a text file"),
        ("utf16.csv", "person_email\n".encode("utf-16"), "UTF-16"),
        ("latin1.csv", "person_email,café\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_file_that_is_not_a_utf8_csv_is_refused_before_anything_is_stored(
    world, admin_client, django_capture_on_commit_callbacks, settings, name, body, message
):
    file = SimpleUploadedFile(name, body, content_type="application/octet-stream")

    response = upload(admin_client, django_capture_on_commit_callbacks, file)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_a_file_over_the_size_limit_is_refused_with_a_message(
    world, admin_client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 100)

    response = upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD, GOOD_2))

    assert response.status_code == 400
    assert "the limit is 0 MB" in response.content.decode()  # 100 bytes, in MB
    assert not ImportRun.objects.exists()


def test_a_request_body_far_over_the_limit_is_refused_from_its_length(world, admin_client):
    response = admin_client.post(
        reverse("metrics:imports"),
        {"kind": "activity"},
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )

    assert response.status_code == 400
    assert "split it into smaller files" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_bad_bytes_later_in_the_file_are_reported_on_their_line(
    world, admin_client, django_capture_on_commit_callbacks
):
    # Past the first 64 KB the upload check reads, so validation finds them per line.
    body = activity_csv(*[GOOD] * 2_000).encode() + b"ana@example.com,2025-03-04,1\xe9\n"
    file = SimpleUploadedFile("activity.csv", body)
    upload(admin_client, django_capture_on_commit_callbacks, file)

    run = latest_run()
    assert run.row_errors == [
        {"line": 2_002, "reason": "contains bytes that are not UTF-8; save the file as UTF-8"}
    ]


def test_missing_kind_or_file_is_a_form_error(world, admin_client):
    response = admin_client.post(reverse("metrics:imports"), {"kind": "payroll"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Choose a CSV file to upload" in response.content.decode()


def test_the_report_lists_at_most_a_hundred_bad_rows_and_counts_the_rest(
    world, admin_client, django_capture_on_commit_callbacks
):
    rows = [f"nobody{n}@example.com,2025-03-04,15,practiced,,,x{n}" for n in range(130)]
    upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD, *rows))

    page = admin_client.get(reverse("metrics:import_run", args=[latest_run().pk])).content.decode()
    assert page.count("unknown person") == 100
    assert "and 30 more rows with errors not listed" in page


# --- Polling ------------------------------------------------------------------------------


def test_the_polling_partial_polls_while_a_job_works_and_stops_when_it_settles(world, admin_client):
    run = ImportRun.objects.create(
        kind="activity", status=ImportRun.Status.VALIDATING, bytes_total=200, bytes_done=50
    )
    url = reverse("metrics:import_run", args=[run.pk])

    working = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    run.status = ImportRun.Status.REJECTED
    run.message = "Wrong header"
    run.save()
    settled = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert working.strip().startswith('<section id="import-run-status"')
    assert 'hx-trigger="every 1s"' in working
    assert 'value="25"' in working
    assert "<html" not in working
    assert 'hx-trigger="every 1s"' not in settled
    assert "Wrong header" in settled


def test_confirming_through_htmx_returns_the_partial_in_its_new_state(
    world, admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD))
    run = latest_run()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("metrics:import_run_confirm", args=[run.pk]),
            {"rows_valid": 1},
            headers={"HX-Request": "true"},
        )

    # The partial comes back "importing" and polling; the job (eager here, run as the
    # captured transaction commits) finishes, and the next poll shows the result.
    body = response.content.decode()
    assert body.strip().startswith('<section id="import-run-status"')
    assert 'hx-trigger="every 1s"' in body
    poll = admin_client.get(
        reverse("metrics:import_run", args=[run.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "1 imported" in poll
    assert 'hx-trigger="every 1s"' not in poll
    assert ActivityRecord.objects.count() == 1


def test_the_upload_page_lists_recent_runs_and_links_the_api_keys(world, admin_client):
    ImportRun.objects.create(kind="activity", original_name="march.csv", status="done")

    page = admin_client.get(reverse("metrics:imports")).content.decode()

    assert "march.csv" in page
    assert "Done" in page
    assert reverse("metrics:xapi_keys") in page
    assert 'enctype="multipart/form-data"' in page


def test_the_pathway_builder_links_to_imports(admin_client):
    page = admin_client.get(reverse("pathways:list")).content.decode()

    assert f'href="{reverse("metrics:imports")}"' in page


@pytest.mark.parametrize(
    "name", ["imports", "import_run", "import_run_confirm", "import_run_cancel"]
)
def test_people_who_are_not_ld_admins_get_403_including_htmx_polls(db, client, leader, name):
    run = ImportRun.objects.create(kind="activity", status=ImportRun.Status.VALIDATED)
    kwargs = {} if name == "imports" else {"pk": run.pk}
    client.force_login(leader)
    url = reverse(f"metrics:{name}", kwargs=kwargs)

    response = client.get(url, headers={"HX-Request": "true"})
    if response.status_code == 405:  # a POST-only view
        response = client.post(url, {"rows_valid": 0}, headers={"HX-Request": "true"})

    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == ImportRun.Status.VALIDATED


# --- Query counts -------------------------------------------------------------------------


def test_the_upload_page_runs_a_fixed_number_of_queries(
    world, admin_client, django_assert_num_queries
):
    ImportRun.objects.create(
        kind="activity", created_by=world["ana"].user, original_name="first.csv"
    )
    # session, user, the user's groups (L&D admin check), the user's Person (navigation),
    # how many runs (the pager) + a page of runs with their creators (one JOIN) + the
    # measure keys (the outcomes column rules) = 7
    with django_assert_num_queries(7):
        admin_client.get(reverse("metrics:imports"))
    for _ in range(24):  # more than a page (20)
        ImportRun.objects.create(
            kind="outcomes", created_by=PersonFactory().user, original_name="later.csv"
        )
    with django_assert_num_queries(7):
        first = admin_client.get(reverse("metrics:imports")).content.decode()
    assert first.count("later.csv</a>") == 20
    with django_assert_num_queries(7):
        second = admin_client.get(reverse("metrics:imports") + "?page=2").content.decode()
    assert second.count("later.csv</a>") == 4
    assert "first.csv</a>" in second


def test_the_polling_partial_runs_a_fixed_number_of_queries(
    world, admin_client, django_assert_num_queries
):
    run = ImportRun.objects.create(
        kind="activity",
        status=ImportRun.Status.VALIDATED,
        row_errors=[{"line": 2, "reason": "x"}],
        rows_invalid=1,
    )
    url = reverse("metrics:import_run", args=[run.pk])
    # session, user, the user's groups (L&D admin check), the run (its report is a JSON
    # column on the row) = 4: the partial renders no navigation, so asks for no Person
    with django_assert_num_queries(4):
        admin_client.get(url, headers={"HX-Request": "true"})
    run.row_errors = [{"line": n, "reason": "x"} for n in range(500)]
    run.rows_invalid = 500
    run.save()
    with django_assert_num_queries(4):
        admin_client.get(url, headers={"HX-Request": "true"})
    with django_assert_num_queries(5):  # the full page: the same five
        admin_client.get(url)


# --- Services -----------------------------------------------------------------------------


def test_validating_a_run_that_moved_on_leaves_it_alone(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = ImportRun.objects.create(kind="activity", status=ImportRun.Status.CANCELLED)

    assert services.import_validate(import_run_id=run.pk).status == ImportRun.Status.CANCELLED


def checked_run(capture, *rows: str) -> ImportRun:
    """An activity file uploaded through the service and checked by its job."""
    with capture(execute=True):
        return services.import_run_create(kind="activity", upload=csv_file(*rows), created_by=None)


def test_a_redelivered_apply_does_not_overwrite_the_first_result(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    run = checked_run(django_capture_on_commit_callbacks, GOOD, GOOD_2)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_confirm(import_run=run, rows_valid=2)

    again = services.import_apply(import_run_id=run.pk)

    assert (again.status, again.rows_inserted, again.rows_duplicate) == ("done", 2, 0)
    assert ActivityRecord.objects.count() == 2


def test_an_apply_that_finds_the_data_changed_fails_the_run_and_writes_nothing(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    run = checked_run(django_capture_on_commit_callbacks, GOOD, GOOD_2)
    services.import_run_confirm(import_run=run, rows_valid=2)
    world["ana"].user.email = "ana.new@example.com"
    world["ana"].user.save()

    run = services.import_apply(import_run_id=run.pk)

    assert run.status == ImportRun.Status.FAILED
    assert "not the 2 you confirmed" in run.message
    assert ActivityRecord.objects.count() == 0


def test_the_import_commands_still_work_beside_the_upload_flow(world, tmp_path):
    path = activity_file_write(tmp_path / "a.csv", [GOOD])

    call_command("import_activity", str(path), stdout=io.StringIO())

    assert ActivityRecord.objects.count() == 1


def test_a_refused_confirmation_through_htmx_says_why_in_the_partial(
    world, admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, csv_file(GOOD))
    run = latest_run()

    response = admin_client.post(
        reverse("metrics:import_run_confirm", args=[run.pk]),
        {"rows_valid": 7},
        headers={"HX-Request": "true"},
    )

    assert "reload the page and confirm again" in response.content.decode()
    assert ActivityRecord.objects.count() == 0


def test_an_oversized_body_is_refused_without_its_file_being_stored(
    world, ld_admin, settings, monkeypatch, tmp_path
):
    """The CSRF middleware parses the body before the view: the first upload handler
    must drop the file's bytes so nothing reaches memory or a temporary file, while the
    form's small fields (the CSRF token) still arrive."""
    from django.core.files import uploadhandler
    from django.test import Client

    settings.UPLOAD_MAX_BODY_BYTES = 4_000
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = []
    for handler in (
        uploadhandler.MemoryFileUploadHandler,
        uploadhandler.TemporaryFileUploadHandler,
    ):
        original = handler.receive_data_chunk

        def spy(self, raw_data, start, original=original):
            stored.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", spy)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ld_admin)
    client.get(reverse("metrics:imports"))
    big = csv_file(*([GOOD] * 200))
    assert big.size > 4_000

    response = client.post(
        reverse("metrics:imports"),
        {"kind": "activity", "file": big, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 400  # the view's refusal, not a CSRF failure
    assert "split it into smaller files" in response.content.decode()
    assert stored == []
    assert not ImportRun.objects.exists()

    settings.UPLOAD_MAX_BODY_BYTES = 10_000_000  # the same upload under the limit is stored
    client.post(
        reverse("metrics:imports"),
        {
            "kind": "activity",
            "file": csv_file(*([GOOD] * 200)),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert sum(stored) > 4_000
