"""The assignment page: only the field for the chosen "Assign to" option, a searchable
people picker (no list of everyone; people with the same name told apart by team and
role; paged; constant queries), and moving existing enrolments' due dates on request."""

import datetime as dt

import pytest
from django.utils import timezone

from pathways.models import Enrollment
from tests.factories import EnrollmentFactory, JobRoleFactory, PersonFactory, TeamFactory
from tests.pathways.factories import publishable_pathway

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def search(admin_client, pathway, q, page=""):
    return admin_client.get(
        f"/pathways/{pathway.pk}/assign/people/", {"q": q, "p": page}, **HTMX
    ).text


def test_the_assign_form_has_one_panel_per_option_and_no_list_of_everyone(admin_client):
    pathway = publishable_pathway(status="published")
    for _ in range(30):
        PersonFactory()
    html = admin_client.get(f"/pathways/{pathway.pk}/assign/").text
    assert 'data-choice-panels="audience"' in html
    for option in ("team", "role", "people"):
        assert f'data-choice="{option}"' in html
    assert 'name="people"' not in html  # chosen through the search, not a 150-name list
    assert 'type="search" id="people-search" name="q"' in html


def test_people_with_the_same_name_are_told_apart_by_team_and_role(admin_client):
    pathway = publishable_pathway(status="published")
    for team, role in (("Support", "Agent"), ("Billing", "Analyst")):
        PersonFactory(
            user__first_name="Alex",
            user__last_name="Kim",
            team=TeamFactory(name=team),
            job_role=JobRoleFactory(name=role),
        )
    PersonFactory(user__first_name="Sam", user__last_name="Rivera")

    html = search(admin_client, pathway, "alex kim")

    assert "2 matches." in html
    assert "Support · Agent" in html
    assert "Billing · Analyst" in html
    assert "Rivera" not in html
    # A search for one of them by team narrows it down.
    assert "1 match." in search(admin_client, pathway, "alex billing")


def test_a_short_search_asks_for_more_and_no_match_says_so(admin_client):
    pathway = publishable_pathway(status="published")
    assert "Type at least 2 characters." in search(admin_client, pathway, "a")
    assert "Nobody matches “zzz”." in search(admin_client, pathway, "zzz")


def test_matches_come_a_page_at_a_time_in_a_constant_number_of_queries(
    admin_client, django_assert_num_queries
):
    pathway = publishable_pathway(status="published")
    team = TeamFactory(name="Helpdesk")
    for _ in range(25):
        PersonFactory(team=team)
    # session + user + pathway + count + one page of people with user, team and role
    # joined = 5 (admin_client is a superuser: no groups query; the htmx answer renders
    # no navigation, so no Person either)
    with django_assert_num_queries(5):
        first = search(admin_client, pathway, "helpdesk")
    assert "25 matches, page 1 of 2." in first
    assert first.count('name="people"') == 20
    assert "More matches →" in first
    for _ in range(25):
        PersonFactory(team=team)
    with django_assert_num_queries(5):
        second = search(admin_client, pathway, "helpdesk", page="3")
    assert "50 matches, page 3 of 3." in second
    assert second.count('name="people"') == 10


def test_without_javascript_the_search_shows_on_the_assignment_page(admin_client):
    pathway = publishable_pathway(status="published")
    PersonFactory(user__first_name="Priya", user__last_name="Shah")
    response = admin_client.get(f"/pathways/{pathway.pk}/assign/people/", {"q": "priya"})
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).text
    assert "Priya Shah" in page
    assert 'name="people"' in page


def test_chosen_people_are_assigned_and_kept_when_the_form_is_refused(admin_client):
    pathway = publishable_pathway(status="published")
    priya = PersonFactory(user__first_name="Priya", user__last_name="Shah")
    url = f"/pathways/{pathway.pk}/assign/"
    past = timezone.localdate() - dt.timedelta(days=1)
    refused = admin_client.post(
        url, {"audience": "people", "people": [priya.pk], "due_date": past.isoformat()}
    )
    assert refused.status_code == 200
    assert "The due date has already passed." in refused.text
    assert f'name="people" value="{priya.pk}" form="assign-form" checked' in refused.text
    assert not Enrollment.objects.exists()

    admin_client.post(url, {"audience": "people", "people": [priya.pk]})
    assert Enrollment.objects.get().person == priya


def test_reassigning_with_a_new_due_date_moves_existing_enrolments_only_when_asked(
    admin_client,
):
    pathway = publishable_pathway(status="published")
    team = TeamFactory(name="Helpdesk")
    waiting = PersonFactory(team=team)
    finished = PersonFactory(team=team)
    old = timezone.localdate() + dt.timedelta(days=10)
    new = timezone.localdate() + dt.timedelta(days=30)
    EnrollmentFactory(person=waiting, pathway=pathway, due_date=old)
    EnrollmentFactory(person=finished, pathway=pathway, due_date=old, completed_at=timezone.now())
    url = f"/pathways/{pathway.pk}/assign/"
    data = {"audience": "team", "team": team.pk, "include_subteams": "on", "due_date": new}

    kept = admin_client.post(url, data, follow=True).text
    assert "2 already enrolled, unchanged" in kept
    assert Enrollment.objects.get(person=waiting).due_date == old

    moved = admin_client.post(url, data | {"move_due_dates": "on"}, follow=True).text
    assert "2 already enrolled (1 moved to the new due date)" in moved
    assert Enrollment.objects.get(person=waiting).due_date == new
    assert Enrollment.objects.get(person=finished).due_date == old  # finished: kept
