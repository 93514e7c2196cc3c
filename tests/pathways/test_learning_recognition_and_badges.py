"""Recognising colleagues' learning behaviours and the feeds. The Open Badges 3.0
credential issued when a pathway is completed: tests/pathways/test_badges.py."""

import pytest
from django.utils import timezone

from pathways.models import Recognition
from tests.factories import EnrollmentFactory, PersonFactory, RecognitionFactory

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
