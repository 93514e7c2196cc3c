"""The upload page for tool exports: the sample files made from the organisation's
people (admins only, a fixed number of queries), uploading a tool export as its kind,
and a file of the wrong type refused with a clear message."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from metrics import services
from metrics.models import ImportRun, OutcomeObservation, ToolLogin
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


def identity_map_upload(client, content: bytes):
    upload = SimpleUploadedFile("logins.csv", content, content_type="text/csv")
    return client.post("/imports/identity-map/", {"file": upload})


def test_identity_map_page_counts_logins_per_tool_in_a_fixed_number_of_queries(
    client, ld_admin, world, django_assert_num_queries
):
    client.force_login(ld_admin)
    # 1 session + 1 user + 1 groups (is this an L&D admin?) + 1 the user's Person (the
    # navigation) + 1 the logins in use today per tool (one grouped query) = 5, whatever
    # the number of logins.
    with django_assert_num_queries(5):
        page = client.get("/imports/identity-map/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "employee_id,system,login,valid_from" in text
    # 13 people with a GitHub login of their own (all but sam and tia): 13 logins.
    assert '<th scope="row">GitHub (pull requests and Copilot)</th><td class="num">13' in text
    extra = PersonFactory.create_batch(10, team=world.teams["payments"])
    lines = ["employee_id,system,login"] + [
        f"{p.employee_id},github,new-{n}" for n, p in enumerate(extra)
    ]
    identity_map_upload(client, "\n".join(lines).encode())
    with django_assert_num_queries(5):
        text = client.get("/imports/identity-map/").content.decode()
    assert '<th scope="row">GitHub (pull requests and Copilot)</th><td class="num">23' in text


def test_identity_map_upload_adds_logins_and_the_next_import_uses_them(
    client, ld_admin, world, tmp_path
):
    client.force_login(ld_admin)
    content = b"employee_id,system,login,valid_from\nE-sam,github,Sam-GH,2025-01-01\n"
    response = identity_map_upload(client, content)
    assert response.status_code == 302
    assert response["Location"] == "/imports/identity-map/"
    assert ToolLogin.objects.get(system="github", login="sam-gh").person == world.people["sam"]
    page = client.get(response["Location"]).content.decode()
    assert "Identity map loaded: 1 rows, 1 logins added" in page
    again = identity_map_upload(client, content)
    assert again.status_code == 302
    assert ToolLogin.objects.filter(login="sam-gh").count() == 1


def test_identity_map_with_bad_rows_lists_each_by_line_and_loads_nothing(client, ld_admin, world):
    client.force_login(ld_admin)
    before = ToolLogin.objects.count()
    content = (
        b"employee_id,system,login,valid_from\n"
        b"E-sam,github,sam-gh,\n"  # line 2: fine
        b"E-nobody,github,x,\n"  # 3: unknown person
        b"E-sam,gitlab,sam,\n"  # 4: unknown system
        b"E-sam,jira,,\n"  # 5: no login
        b"E-sam,jira,sam,03/01/2025\n"  # 6: not an ISO date
        b"E-sam,jira\n"  # 7: too few columns
    )
    response = identity_map_upload(client, content)
    assert response.status_code == 400
    text = response.content.decode()
    assert "5 of 6 rows are invalid; nothing was imported" in text
    for line, reason in [
        (3, "unknown employee_id &#x27;E-nobody&#x27;"),
        (4, "system &#x27;gitlab&#x27; is not one of"),
        (5, "login is empty"),
        (6, "valid_from &#x27;03/01/2025&#x27; is not an ISO 8601 date"),
        (7, "expected 4 columns, found 2"),
    ]:
        assert f'<td class="num">{line}</td><td>{reason}' in text, line
    assert ToolLogin.objects.count() == before
    assert not ToolLogin.objects.filter(login="sam-gh").exists()
    wrong = identity_map_upload(client, b"person,tool,name\nE-sam,github,sam\n")
    assert wrong.status_code == 400
    assert "Wrong header" in wrong.content.decode()
    not_text = identity_map_upload(client, b"\xff\xfe\x00bad")
    assert not_text.status_code == 400
    assert "not UTF-8" in not_text.content.decode()
    assert client.post("/imports/identity-map/", {}).status_code == 400


def test_copilot_and_helpdesk_samples_are_made_in_a_fixed_number_of_queries(
    client, ld_admin, world, django_assert_num_queries, tmp_path
):
    client.force_login(ld_admin)
    # 1 session + 1 user + 1 groups + 1 the people's current logins of the tool + 1 the
    # active people = 5; the sample identity map reads two tools' logins + the people = 6.
    counts = {"copilot": 5, "zendesk": 5, "freshdesk": 5, "identity-map": 6}
    files = {}
    for kind, queries in counts.items():
        with django_assert_num_queries(queries):
            files[kind] = client.get(f"/imports/samples/{kind}/")
        assert files[kind].status_code == 200
    PersonFactory.create_batch(20, team=world.teams["payments"])
    for kind, queries in counts.items():
        with django_assert_num_queries(queries):
            assert client.get(f"/imports/samples/{kind}/").status_code == 200
    copilot = [json.loads(line) for line in files["copilot"].content.decode().splitlines()]
    assert {"day", "user_login", "code_acceptance_activity_count"} <= copilot[0].keys()
    assert "ana-gh" in {record["user_login"] for record in copilot}
    zendesk = json.loads(files["zendesk"].content)["satisfaction_ratings"]
    assert {r["score"] for r in zendesk} == {"good", "bad", "offered"}
    freshdesk = json.loads(files["freshdesk"].content)
    assert {r["ratings"]["default_question"] for r in freshdesk} == {103, -103, 100}
    # sam and tia have no helpdesk logins: the sample identity map gives them one each,
    # and with it every rating in the helpdesk samples is matched.
    rows = files["identity-map"].content.decode().splitlines()
    assert rows[0] == "employee_id,system,login,valid_from"
    assert len(rows) == 1 + 2 * 2
    # (Made again: the twenty people added above need agent ids too.)
    current = client.get("/imports/samples/identity-map/").content
    assert identity_map_upload(client, current).status_code == 302
    for kind in ("zendesk", "freshdesk"):
        path = tmp_path / f"{kind}.json"
        path.write_bytes(client.get(f"/imports/samples/{kind}/").content)
        run = services.file_import(kind=kind, path=path, allow_invalid=False)
        assert run.unmatched_logins == {}, kind
        assert run.rows_inserted > 0
