"""The upload page for tool exports: the sample files made from the organisation's
people (admins only, a fixed number of queries), uploading a tool export as its kind,
and a file of the wrong type refused with a clear message."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.models import ImportRun, OutcomeObservation
from tests.factories import PersonFactory


def test_sample_jira_and_github_files_are_made_from_the_organisations_people(
    client, ld_admin, world, django_assert_num_queries
):
    client.force_login(ld_admin)
    # 1 session + 1 user + 1 groups (is this an L&D admin?) + 1 the people's current
    # logins + 1 the active people = 5, whatever the number of people.
    with django_assert_num_queries(5):
        jira = client.get("/imports/samples/jira/")
    assert jira["Content-Disposition"] == 'attachment; filename="upskill-sample-jira.csv"'
    text = jira.content.decode()
    assert text.startswith("Summary,Issue key,Issue id,Issue Type")
    assert "acc-ana" in text  # the identity map's Jira login
    assert "sam@example.com" in text  # no open Jira login of their own: their email
    with django_assert_num_queries(5):
        github = client.get("/imports/samples/github-prs/")
    authors = {pull["user"]["login"] for pull in json.loads(github.content)}
    assert "ana-gh" in authors
    assert all(pull["title"].endswith("(demo data)") for pull in json.loads(github.content))
    PersonFactory.create_batch(20, team=world.teams["payments"])
    with django_assert_num_queries(5):
        assert client.get("/imports/samples/jira/").status_code == 200
    assert client.get("/imports/samples/nothing/").status_code == 404


def test_admin_uploads_the_sample_jira_file_and_imports_it(
    client, ld_admin, world, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(ld_admin)
    sample = client.get("/imports/samples/jira/").content
    upload = SimpleUploadedFile("jira.csv", sample, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"kind": "jira", "file": upload})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == "validated"
    assert run.rows_valid == run.rows_total > 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/confirm/", {"rows_valid": run.rows_valid})
    run.refresh_from_db()
    assert run.status == "done"
    assert run.rows_inserted == run.rows_valid
    assert OutcomeObservation.objects.filter(source="jira", measure__key="bug_share").exists()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert f"{run.rows_inserted} imported" in page


def test_unmatched_logins_are_listed_on_the_import_report(
    client, ld_admin, world, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(ld_admin)
    content = (
        b"Issue key,Issue Type,Created,Resolved,Assignee Id\n"
        b"PAY-1,Bug,03/Mar/25 9:00 AM,04/Mar/25 9:00 AM,acc-ana\n"
        b"PAY-2,Bug,03/Mar/25 9:00 AM,04/Mar/25 9:00 AM,acc-stranger\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "jira", "file": SimpleUploadedFile("j.csv", content)})
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "1 login not in the identity map" in page
    assert "acc-stranger" in page


def test_a_file_of_the_wrong_type_for_the_tool_is_refused(client, ld_admin, world):
    client.force_login(ld_admin)
    upload = SimpleUploadedFile("pulls.json", b"[]", content_type="application/json")
    response = client.post("/imports/", {"kind": "jira", "file": upload})
    assert response.status_code == 400
    assert "is not a Jira issues export: choose a .csv file" in response.content.decode()
    assert not ImportRun.objects.exists()
