"""The Organisation pages for L&D admins: upload the HR files, watch the job plan them,
read the plan as a diff, confirm (naming the leavers when the mass-leaver guard trips)
or cancel; SCIM tokens created (shown once), listed and revoked. Every page and partial
runs a fixed number of queries.

Celery is eager: the jobs run in the on_commit callbacks, executed with
django_capture_on_commit_callbacks(execute=True)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import LDAdminFactory
from tests.upskill.test_hr_sync import PEOPLE, PEOPLE_HEADER, TEAMS, replace, sync
from upskill.models import HrSyncRun, Person, ScimConnection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
HX = {"HX-Request": "true"}


def csv_upload(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def admin_client(client, ld_admin):
    client.force_login(ld_admin)
    return client


@pytest.fixture
def upload(admin_client, django_capture_on_commit_callbacks):
    def post(teams=TEAMS, people=PEOPLE, full=False):
        data = {}
        if teams is not None:
            data["teams_file"] = csv_upload(teams, "teams.csv")
        if people is not None:
            data["people_file"] = csv_upload(people, "people.csv")
        if full:
            data["full"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(reverse("organisation"), data)

    return post


def latest() -> HrSyncRun:
    return HrSyncRun.objects.latest("created_at")


def test_uploading_both_files_shows_the_plan_and_changes_nothing(admin_client, upload):
    response = upload()

    run = latest()
    assert response.status_code == 302
    assert response.url == reverse("organisation_run", args=[run.pk])
    page = admin_client.get(response.url).content.decode()
    assert "Joiners (4)" in page
    assert "Grace Hopper (E2), grace@example.com: joins Support as Team lead" in page
    assert "New teams (3)" in page
    assert "Support (T2), under T1" in page
    assert "Apply this plan" in page
    assert not Person.objects.exists()


def test_the_page_says_what_a_move_does_to_dashboards(admin_client, upload):
    sync()
    upload(
        people=replace(
            PEOPLE, "E3,alan@example.com,Alan,Turing,T2", "E3,alan@example.com,Alan,Turing,T3"
        )
    )

    page = admin_client.get(reverse("organisation_run", args=[latest().pk])).content.decode()

    assert "Alan Turing (E3): Support → Sales" in page
    assert "dashboards count a person's history for their current team" in page
    landing = admin_client.get(reverse("organisation")).content.decode()
    assert "history for their <em>current</em> team" in landing


def test_confirming_in_the_partial_applies_and_shows_what_changed(
    admin_client, upload, django_capture_on_commit_callbacks
):
    upload()
    run = latest()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("organisation_run_confirm", args=[run.pk]), headers=HX)

    # The partial answers while the job is queued (it polls); the next poll shows the result.
    assert response.content.decode().strip().startswith('<section id="hr-sync-run-status"')
    page = admin_client.get(reverse("organisation_run", args=[run.pk]), headers=HX).content.decode()
    assert "Applied." in page
    assert "What changed" in page
    assert Person.objects.count() == 4


def test_cancelling_changes_nothing(admin_client, upload):
    upload()

    response = admin_client.post(
        reverse("organisation_run_cancel", args=[latest().pk]), follow=True
    )

    assert "Cancelled: nothing was changed." in response.content.decode()
    assert not Person.objects.exists()


def test_bad_rows_are_listed_with_their_file_and_line(admin_client, upload):
    upload(people=replace(PEOPLE, "E3,alan@example.com", "E3,not-an-email"))

    page = admin_client.get(reverse("organisation_run", args=[latest().pk])).content.decode()

    assert "Nothing was changed." in page
    assert '<td>people.csv</td><td class="num">4</td>' in page
    assert "Apply this plan" not in page


def test_the_mass_leaver_box_names_the_number_and_is_required(
    admin_client, upload, django_capture_on_commit_callbacks
):
    sync()
    teams = replace(TEAMS, "T2,Support,T1,E2", "T2,Support,T1,")
    upload(teams=teams, people=f"{PEOPLE_HEADER}\n{PEOPLE.splitlines()[1]}\n", full=True)
    run = latest()
    url = reverse("organisation_run_confirm", args=[run.pk])

    page = admin_client.get(reverse("organisation_run", args=[run.pk])).content.decode()
    assert "Yes, make these 3 people leavers" in page

    with django_capture_on_commit_callbacks(execute=True):
        refused = admin_client.post(url, headers=HX).content.decode()
    assert "makes 3 people leavers; tick the box" in refused
    assert Person.objects.filter(user__is_active=True).count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"allow_mass_leavers": "on"}, headers=HX)
    assert Person.objects.filter(user__is_active=True).count() == 1


def test_long_sections_show_a_page_at_a_time_and_every_line_is_reachable(admin_client, upload):
    rows = [f"E{n},p{n}@example.com,P,{n},T1,Agent,,active" for n in range(1, 121)]
    upload(people=PEOPLE_HEADER + "\n" + "\n".join(rows) + "\n")
    url = reverse("organisation_run", args=[latest().pk])

    page = admin_client.get(url).content.decode()
    assert "Joiners (120)" in page
    assert page.count("joins Customer Operations as Agent") == 50
    assert "Page 1 of 3" in page
    assert 'href="?section=joiners&amp;page=2#plan-joiners"' in page
    shown = set()
    for number in (1, 2, 3):
        page = admin_client.get(f"{url}?section=joiners&page={number}").content.decode()
        shown |= set(re.findall(r"\(E(\d+)\), p\d+@example.com: joins", page))
    assert shown == {str(n) for n in range(1, 121)}
    last = admin_client.get(f"{url}?section=joiners&page=3").content.decode()
    assert last.count("joins Customer Operations as Agent") == 20
    assert 'id="plan-joiners" open' in last


def test_the_bad_rows_of_a_refused_sync_show_a_page_at_a_time(admin_client, upload):
    rows = [f"E{n},p{n}-at-example,P,{n},T1,Agent,,active" for n in range(1, 81)]
    upload(people=PEOPLE_HEADER + "\n" + "\n".join(rows) + "\n")
    run = latest()
    problems = len(run.row_errors)  # the 80 addresses, and what follows from them
    assert 50 < problems <= 100
    url = reverse("organisation_run", args=[run.pk])

    page = admin_client.get(url).content.decode()
    assert f"Rows to fix ({problems})" in page
    assert page.count("<tr><td>") == 50
    assert 'href="?section=errors&amp;page=2#plan-errors"' in page
    second = admin_client.get(f"{url}?section=errors&page=2").content.decode()
    assert second.count("<tr><td>") == problems - 50


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Choose a teams file, a people file or both."),
        ({"full": True, "teams": None}, "A full sync needs both files"),
    ],
)
def test_an_upload_without_the_files_it_needs_is_refused_with_a_message(upload, files, message):
    kwargs = {"teams": None, "people": None} if not files else {}
    kwargs.update(files)

    response = upload(**kwargs)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HrSyncRun.objects.exists()


def test_a_file_that_is_not_csv_is_refused(admin_client):
    response = admin_client.post(
        reverse("organisation"),
        {"people_file": SimpleUploadedFile("people.xlsx", b"PK\x03\x04")},
    )

    assert response.status_code == 400
    assert "is not a CSV file" in response.content.decode()


def test_recent_syncs_are_listed(admin_client, upload):
    upload()
    upload(teams=None)

    page = admin_client.get(reverse("organisation")).content.decode()

    assert page.count('href="/organisation/syncs/') == 2
    assert "teams.csv · people.csv" in page
    assert "— · people.csv" in page


def test_the_ld_admin_navigation_links_to_the_organisation_page(admin_client):
    page = admin_client.get(reverse("pathways:list")).content.decode()

    assert 'href="/organisation/">Organisation</a>' in page


# --- SCIM tokens --------------------------------------------------------------------------


def test_a_scim_token_is_shown_once_then_listed_by_its_prefix(admin_client):
    response = admin_client.post(reverse("scim_connections"), {"name": "Okta (production)"})

    connection = ScimConnection.objects.get()
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = page.split('<code class="key">')[1].split("</code>")[0]
    assert token.startswith(connection.prefix)
    assert (
        admin_client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    again = admin_client.get(reverse("scim_connections")).content.decode()
    assert token not in again
    assert f"{connection.prefix}…" in again


def test_a_revoked_scim_token_gets_401(client, admin_client):
    admin_client.post(reverse("scim_connections"), {"name": "Entra ID"})
    connection = ScimConnection.objects.get()
    response = admin_client.post(reverse("scim_connections"), {"name": "Second"})
    token = response.content.decode().split('<code class="key">')[1].split("</code>")[0]
    second = ScimConnection.objects.get(name="Second")
    response = admin_client.post(reverse("scim_connection_revoke", args=[second.pk]), follow=True)

    assert "is revoked" in response.content.decode()
    assert (
        client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    connection.refresh_from_db()
    assert not connection.is_revoked


def test_a_scim_token_without_a_name_is_refused(admin_client):
    response = admin_client.post(reverse("scim_connections"), {"name": "  "})

    assert response.status_code == 400
    assert not ScimConnection.objects.exists()


# --- Query counts -------------------------------------------------------------------------


def test_the_organisation_page_runs_a_fixed_number_of_queries(
    admin_client, ld_admin, django_assert_num_queries
):
    HrSyncRun.objects.create(created_by=ld_admin, teams_name="teams.csv")
    # session, user, the user's groups (L&D admin check), the user's Person (navigation),
    # how many runs (the pager) + a page of runs with their creators (one JOIN) = 6
    with django_assert_num_queries(6):
        admin_client.get(reverse("organisation"))
    for _ in range(25):  # more than a page (20)
        HrSyncRun.objects.create(created_by=LDAdminFactory(), people_name="people.csv")
    with django_assert_num_queries(6):
        first = admin_client.get(reverse("organisation")).content.decode()
    assert first.count("people.csv</a>") == 20
    with django_assert_num_queries(6):
        second = admin_client.get(reverse("organisation") + "?page=2").content.decode()
    assert second.count("people.csv</a>") == 5
    assert "teams.csv" in second  # the oldest, last


def test_the_run_page_and_its_polling_partial_run_a_fixed_number_of_queries(
    admin_client, upload, django_assert_num_queries
):
    upload()
    url = reverse("organisation_run", args=[latest().pk])
    # session, user, the user's groups (L&D admin check), the user's Person (navigation),
    # the run (its plan and bad rows are JSON columns on the row) = 5
    with django_assert_num_queries(5):
        admin_client.get(url)
    # the polling partial renders no navigation: no Person
    with django_assert_num_queries(4):
        admin_client.get(url, headers=HX)
    rows = [f"E{n},p{n}@example.com,P,{n},T1,Agent,,active" for n in range(1, 301)]
    upload(people=PEOPLE_HEADER + "\n" + "\n".join(rows) + "\n")
    url = reverse("organisation_run", args=[latest().pk])
    with django_assert_num_queries(5):
        admin_client.get(url)
    with django_assert_num_queries(4):
        admin_client.get(url, headers=HX)


def test_the_scim_tokens_page_runs_a_fixed_number_of_queries(
    admin_client, ld_admin, django_assert_num_queries
):
    ScimConnection.objects.create(
        name="a", prefix="usc_a", token_hash="a" * 64, created_by=ld_admin
    )
    # session, user, the user's groups, the user's Person (navigation), how many
    # connections (the pager) + a page of them with their creators (one JOIN) = 6
    with django_assert_num_queries(6):
        admin_client.get(reverse("scim_connections"))
    for n in range(25):  # more than a page (20)
        ScimConnection.objects.create(
            name=f"c{n}", prefix=f"usc_{n}", token_hash=f"{n:02d}" * 32, created_by=LDAdminFactory()
        )
    with django_assert_num_queries(6):
        first = admin_client.get(reverse("scim_connections")).content.decode()
    assert first.count('<th scope="row">c') == 20
    with django_assert_num_queries(6):
        second = admin_client.get(reverse("scim_connections") + "?page=2").content.decode()
    assert second.count('<th scope="row">c') == 5
    assert '<th scope="row">a</th>' in second  # the oldest, last
