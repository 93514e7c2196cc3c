"""Recognising colleagues' learning behaviours, the feeds, and the Open Badges 3.0
credential issued when a pathway is completed."""

import json

import pytest
from django.utils import timezone

from pathways.models import Recognition
from tests.factories import EnrollmentFactory, PersonFactory, RecognitionFactory, StageFactory

pytestmark = pytest.mark.django_db


def test_i_recognise_a_teammate_and_it_appears_in_the_team_feed(client):
    me = PersonFactory(user__first_name="Sam", user__last_name="Rivera")
    teammate = PersonFactory(team=me.team, user__first_name="Ana", user__last_name="Lopez")
    client.force_login(me.user)

    response = client.post(
        "/learning/recognition/",
        {
            "to_person": teammate.pk,
            "behaviour": "experimentation",
            "message": "Tried the assistant on refunds.",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "You recognised Ana Lopez for experimentation." in html
    assert "Tried the assistant on refunds." in html  # the team feed
    assert Recognition.objects.get().from_person == me


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"behaviour": "experimentation", "message": "Hi"}, "Choose the colleague"),
        ({"to_person": "SELF", "behaviour": "experimentation", "message": "Me"}, "one of your"),
        ({"to_person": "OUTSIDER", "behaviour": "experimentation", "message": "Hi"}, "one of"),
        ({"to_person": "MATE", "behaviour": "attending", "message": "Hi"}, "Choose experimen"),
        ({"to_person": "MATE", "behaviour": "experimentation", "message": ""}, "Say what they"),
        ({"to_person": "MATE", "behaviour": "experimentation", "message": "x" * 501}, "500"),
        ({"to_person": "nonsense", "behaviour": "experimentation", "message": "Hi"}, "one of"),
    ],
)
def test_bad_recognition_gets_a_clear_message_and_saves_nothing(client, data, message):
    me = PersonFactory()
    ids = {"SELF": me.pk, "MATE": PersonFactory(team=me.team).pk, "OUTSIDER": PersonFactory().pk}
    if data.get("to_person") in ids:
        data = {**data, "to_person": ids[data["to_person"]]}
    client.force_login(me.user)

    response = client.post("/learning/recognition/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Recognition.objects.exists()


def test_i_see_recognition_i_received_and_my_teams_but_not_other_teams(client):
    me = PersonFactory()
    RecognitionFactory(to_person=me, message="Shared her prompt library.")
    RecognitionFactory(to_person=PersonFactory(team=me.team), message="Ran a lunch and learn.")
    RecognitionFactory(message="Another team's news.")
    client.force_login(me.user)

    html = client.get("/learning/recognition/").content.decode()

    assert "Shared her prompt library." in html
    assert "Ran a lunch and learn." in html
    assert "Another team&#x27;s news." not in html
    assert "Another team's news." not in html


def test_recognition_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    me = PersonFactory()
    client.force_login(me.user)

    def add_rows():
        mate = PersonFactory(team=me.team)
        RecognitionFactory(to_person=me, from_person=mate)
        RecognitionFactory(to_person=mate)
        EnrollmentFactory(person=me, completed_at=timezone.now())

    add_rows()
    # 1 session + 1 user + 1 Person + 1 colleagues for the form's choices + 1 received
    # (with the giver) + 1 team feed (giver and receiver) + 1 completed enrolments (badges)
    # + 1 led teams for "may review?" (whether they have reports rides on the Person query)
    # + 1 groups (navigation) = 9.
    with django_assert_num_queries(9):
        assert client.get("/learning/recognition/").status_code == 200
    for _ in range(6):
        add_rows()
    with django_assert_num_queries(9):
        assert client.get("/learning/recognition/").status_code == 200


# --- Badges ----------------------------------------------------------------------------


def completed_enrolment(**kwargs):
    enrollment = EnrollmentFactory(completed_at=timezone.now(), **kwargs)
    StageFactory(pathway=enrollment.pathway, title="Foundations")
    return enrollment


def test_a_completed_pathways_badge_is_listed_and_says_it_is_unsigned(client):
    enrollment = completed_enrolment(pathway__title="Support with AI")
    client.force_login(enrollment.person.user)

    html = client.get("/learning/recognition/").content.decode()

    assert "Support with AI" in html
    assert f'href="/learning/badges/{enrollment.pk}/"' in html
    assert "unsigned" in html


def test_the_badge_is_an_open_badges_3_credential_with_every_required_field(client):
    enrollment = completed_enrolment(
        pathway__title="Support with AI", pathway__summary="Answer tickets faster with AI."
    )
    client.force_login(enrollment.person.user)

    response = client.get(f"/learning/badges/{enrollment.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert "attachment" in response["Content-Disposition"]
    badge = json.loads(response.content)
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"http://testserver/learning/badges/{enrollment.pk}/"
    assert badge["issuer"]["id"].startswith("http")
    assert badge["issuer"]["type"] == ["Profile"]
    assert badge["issuer"]["name"]
    assert badge["name"] == "Support with AI — pathway completed"
    assert badge["validFrom"].endswith("Z")
    assert badge["validFrom"][:4].isdigit()
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    identity = subject["identifier"][0]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")
    assert enrollment.person.email not in response.content.decode()
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"].startswith("http")
    assert achievement["name"] == "Support with AI"
    assert achievement["description"] == "Answer tickets faster with AI."
    assert "Foundations" in achievement["criteria"]["narrative"]
    assert "proof" not in badge  # unsigned, as the page says


def test_only_the_owner_of_a_completed_enrolment_can_download_its_badge(client):
    enrollment = completed_enrolment()
    unfinished = EnrollmentFactory(person=enrollment.person)
    url = f"/learning/badges/{enrollment.pk}/"

    client.force_login(PersonFactory(team=enrollment.person.team).user)
    assert client.get(url).status_code == 404
    client.force_login(enrollment.person.user)
    assert client.get(f"/learning/badges/{unfinished.pk}/").status_code == 404
    assert client.get("/learning/badges/999999/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_badge_download_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    enrollment = completed_enrolment()
    client.force_login(enrollment.person.user)
    # 1 session + 1 user + 1 Person + 1 the enrolment with pathway and person's user
    # + 1 the pathway's stages (for the criteria) = 5.
    with django_assert_num_queries(5):
        client.get(f"/learning/badges/{enrollment.pk}/")
    for _ in range(5):
        StageFactory(pathway=enrollment.pathway)
    with django_assert_num_queries(5):
        client.get(f"/learning/badges/{enrollment.pk}/")
