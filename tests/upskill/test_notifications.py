"""Notifications end to end on the upskill side: delivery through a real SMTP server
(aiosmtpd on loopback), batching and quiet defaults, preferences and one-click
unsubscribe, leavers, a broker outage then the catch-up, the bell and the list."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pathways.services import learning
from tests.factories import PersonFactory, UserFactory
from tests.faults.harness import free_port, web_app_on_broker
from tests.pathways.factories import a_journey
from upskill import celery as celery_module
from upskill import notifications
from upskill.models import Notification, NotificationPreference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

EVIDENCE = "Secret draft: replied to ACME-4411 about the refund with the assistant's help."
Kind = Notification.Kind


def submit(journey, capture, evidence=EVIDENCE):
    with capture(execute=True):
        return learning.evidence_submit(
            enrollment=journey.enrollment, step=journey.practise, evidence=evidence
        )


def draft(user, key, kind=Kind.OVERDUE, subject="Something"):
    return notifications.NotificationDraft(
        recipient_id=user.pk, kind=kind, key=key, subject=subject, url="/learning/"
    )


# --- Email through a real SMTP server ------------------------------------------------------


def test_submitted_evidence_emails_the_manager_a_link_to_the_review_page(
    smtp_server, django_capture_on_commit_callbacks, caplog
):
    journey = a_journey()
    with caplog.at_level(logging.DEBUG):
        progress = submit(journey, django_capture_on_commit_callbacks)

    [received] = smtp_server.received
    assert received.rcpt_tos == [journey.manager.user.email]
    assert received.message["To"] == journey.manager.user.email
    assert received.message["Subject"] == "Sam Rivera submitted evidence for review"
    review_url = f"https://upskill.example/learning/reviews/{progress.pk}/"
    assert review_url in received.text
    assert f'href="{review_url}"' in received.html
    # RFC 8058 one-click unsubscribe
    unsubscribe = received.message["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<https://upskill\.example/notifications/unsubscribe/[^>]+/>", unsubscribe)
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The evidence itself is in no email and no log line.
    assert "ACME-4411" not in received.message.as_string()
    # (aiosmtpd's own "mail.log" is the test's SMTP server, logging what it received.)
    app_records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert app_records
    assert all("ACME-4411" not in r.getMessage() for r in app_records)
    assert Notification.objects.get().email == Notification.Email.SENT


def test_review_outcomes_email_at_once_with_level_or_comment(
    smtp_server, django_capture_on_commit_callbacks
):
    journey = a_journey()
    progress = submit(journey, django_capture_on_commit_callbacks)
    smtp_server.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        learning.evidence_request_changes(
            progress=progress, reviewer=journey.manager, comment="Add the customer's reply."
        )
    [changes] = smtp_server.received
    assert changes.rcpt_tos == [journey.learner.user.email]
    assert changes.message["Subject"].strip() == "Changes requested: “Draft five real replies”"
    assert "Add the customer's reply." in changes.text
    assert "https://upskill.example/learning/" in changes.text

    progress = submit(journey, django_capture_on_commit_callbacks, evidence="Second go.")
    smtp_server.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        learning.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)
    # Two outcome emails the same day: review outcomes are not held for the daily batch.
    [approved] = smtp_server.received
    assert approved.message["Subject"].strip() == "Approved: “Draft five real replies” at level 3"
    assert "Second go." not in approved.message.as_string()


def test_other_kinds_are_batched_into_one_email_a_day(
    smtp_server, django_capture_on_commit_callbacks
):
    user = UserFactory(email="pat@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_create(
            drafts=[draft(user, "a", subject="First"), draft(user, "b", subject="Second")]
        )
    [first] = smtp_server.received
    assert first.message["Subject"].strip() == "2 things waiting for you in Upskill"
    assert "First" in first.text
    assert "Second" in first.text

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_create(drafts=[draft(user, "c", subject="Third")])
    assert len(smtp_server.received) == 1  # today's email has gone: held for tomorrow
    assert Notification.objects.get(key="c").email == Notification.Email.PENDING

    tomorrow = timezone.now() + dt.timedelta(days=1)
    result = notifications.notification_emails_send(now=tomorrow)
    assert result.emails_sent == 1
    assert smtp_server.received[1].message["Subject"].strip() == "Third"
    # Nothing is sent twice.
    assert notifications.notification_emails_send(now=tomorrow).emails_sent == 0
    assert len(smtp_server.received) == 2


def test_a_reviewer_gets_one_email_a_day_listing_every_submission_waiting(
    smtp_server, django_capture_on_commit_callbacks
):
    journey = a_journey()
    other = PersonFactory(team=journey.learner.team, manager=journey.manager)
    from tests.factories import EnrollmentFactory

    other_enrollment = EnrollmentFactory(person=other, pathway=journey.pathway)
    with django_capture_on_commit_callbacks(execute=True):
        learning.evidence_submit(
            enrollment=journey.enrollment, step=journey.practise, evidence="one"
        )
        learning.evidence_submit(enrollment=other_enrollment, step=journey.practise, evidence="two")
    [email] = smtp_server.received
    assert email.rcpt_tos == [journey.manager.user.email]
    assert email.message["Subject"].strip() == "2 things waiting for you in Upskill"
    assert email.text.count("/learning/reviews/") == 2


def test_a_failed_send_is_retried_later_and_sent_once(
    smtp_server, django_capture_on_commit_callbacks
):
    user = UserFactory(email="kim@example.com")
    smtp_server.refuse_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_create(drafts=[draft(user, "x", kind=Kind.REVIEW_OUTCOME)])
    row = Notification.objects.get()
    assert row.email == Notification.Email.PENDING
    assert row.email_attempts == 1
    assert smtp_server.received == []

    call_command("send_notifications")  # the beat catch-up

    assert len(smtp_server.received) == 1
    call_command("send_notifications")
    assert len(smtp_server.received) == 1


def test_a_worker_that_died_mid_send_leaves_rows_that_are_sent_after_the_stale_claim(
    smtp_server,
):
    user = UserFactory(email="lee@example.com")
    notifications.notifications_create(drafts=[draft(user, "y", kind=Kind.REVIEW_OUTCOME)])
    Notification.objects.update(
        email=Notification.Email.SENDING, email_claimed_at=timezone.now(), email_claim="dead"
    )
    assert notifications.notification_emails_send().emails_sent == 0  # still claimed
    later = timezone.now() + notifications.delivery.STALE_CLAIM + dt.timedelta(seconds=1)
    assert notifications.notification_emails_send(now=later).emails_sent == 1
    assert len(smtp_server.received) == 1


def test_the_console_backend_is_the_local_default():
    from upskill import settings as project_settings

    assert project_settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


# --- Idempotency ---------------------------------------------------------------------------


def test_the_same_key_notifies_once():
    user = UserFactory()
    assert notifications.notifications_create(drafts=[draft(user, "k")]) == 1
    assert notifications.notifications_create(drafts=[draft(user, "k")]) == 0
    assert notifications.notifications_create(drafts=[draft(user, "k"), draft(user, "k")]) == 0
    assert Notification.objects.count() == 1


# --- Preferences, unsubscribe, leavers -----------------------------------------------------


def test_a_kind_turned_off_is_not_emailed_but_shows_in_the_bell(
    smtp_server, client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="off@example.com")
    notifications.preferences_set(user_id=user.pk, email_off=[Kind.OVERDUE], digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_create(drafts=[draft(user, "off")])
    assert smtp_server.received == []
    assert Notification.objects.get().email == Notification.Email.SKIPPED
    client.force_login(user)
    assert 'data-unread="1"' in client.get(reverse("notifications:bell")).content.decode()


def test_the_preferences_page_saves_choices(client):
    user = UserFactory()
    client.force_login(user)
    kinds = [k for k in Kind.values if k != Kind.DIGEST]
    response = client.post(
        reverse("notifications:preferences"),
        {"email_on": kinds, "time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=user)
    assert preference.email_off == [Kind.DIGEST]
    assert (preference.digest, preference.time_zone) == (False, "Asia/Tokyo")
    bad = client.post(reverse("notifications:preferences"), {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert NotificationPreference.objects.get(user=user).time_zone == "Asia/Tokyo"


def test_one_click_unsubscribe_works_without_a_session_and_a_forged_token_does_nothing(
    smtp_server, client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="unsub@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_create(drafts=[draft(user, "u", kind=Kind.REVIEW_OUTCOME)])
    header = smtp_server.received[0].message["List-Unsubscribe"].strip()
    path = header.strip("<>").removeprefix("https://upskill.example")

    # GET only asks (mail scanners follow links); nothing changes.
    assert client.get(path).status_code == 200
    assert not NotificationPreference.objects.get(user=user).email_off

    forged = path.replace(path.split("/")[-2], path.split("/")[-2][:-3] + "abc")
    other_user = UserFactory()
    forged_for_other = reverse("notifications:unsubscribe", args=[f'{{"u": {other_user.pk}}}:abc'])
    for bad in (forged, forged_for_other, "/notifications/unsubscribe/nonsense/"):
        response = client.post(bad, headers={"content-type": "x"})
        assert response.status_code == 400
    assert not NotificationPreference.objects.get(user=user).email_off
    assert not NotificationPreference.objects.filter(user=other_user).exists()

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no cookie, no CSRF.
    client.logout()
    client_without_csrf = client.__class__(enforce_csrf_checks=True)
    response = client_without_csrf.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user).email_off == [Kind.REVIEW_OUTCOME]
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notifications_create(drafts=[draft(user, "u2", kind=Kind.REVIEW_OUTCOME)])
    assert len(smtp_server.received) == 1


def test_leavers_get_nothing(smtp_server):
    leaver = UserFactory(is_active=False)
    assert notifications.notifications_create(drafts=[draft(leaver, "gone")]) == 0
    # Someone who leaves after a notification was created is not emailed it.
    stayer = UserFactory(email="soon-gone@example.com")
    notifications.notifications_create(drafts=[draft(stayer, "later")])  # not sent yet
    stayer.is_active = False
    stayer.save()
    notifications.notification_emails_send()
    assert smtp_server.received == []
    assert Notification.objects.get(key="later").email == Notification.Email.SKIPPED


# --- Broker outage ---------------------------------------------------------------------------


def test_a_broker_outage_delays_emails_and_the_catch_up_sends_them(
    smtp_server, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    journey = a_journey()
    with web_app_on_broker(f"redis://127.0.0.1:{free_port()}/0"):
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
        with caplog.at_level(logging.INFO, "upskill.celery"):
            progress = submit(journey, django_capture_on_commit_callbacks)
    assert progress.status == "submitted"  # the learner's request succeeded
    # Refused by the broker (or skipped while it is known to be down): not sent, not lost.
    assert "enqueuing upskill.tasks.notification_emails_send" in caplog.text or (
        "enqueue upskill.tasks.notification_emails_send" in caplog.text
    )
    assert smtp_server.received == []
    assert Notification.objects.get().email == Notification.Email.PENDING

    call_command("send_notifications")  # what beat runs once the broker is back

    [received] = smtp_server.received
    assert received.rcpt_tos == [journey.manager.user.email]


# --- The bell and the list -------------------------------------------------------------------


def test_the_bell_counts_unread_and_mark_read_updates_it(client, django_assert_num_queries):
    user, other = UserFactory(), UserFactory()
    notifications.notifications_create(drafts=[draft(user, "1"), draft(user, "2")])
    notifications.notifications_create(drafts=[draft(other, "theirs")])
    client.force_login(user)
    assert 'data-unread="2"' in client.get(reverse("notifications:bell")).content.decode()
    mine = Notification.objects.filter(recipient=user).first()
    theirs = Notification.objects.get(key="theirs")

    client.post(reverse("notifications:read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None  # someone else's changes nothing

    response = client.post(
        reverse("notifications:read", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    assert "notifications-changed" in response["HX-Trigger"]
    assert '<section id="notification-list"' in response.content.decode()
    assert "1 unread" in response.content.decode()
    client.post(reverse("notifications:read_all"))
    assert "data-unread" not in client.get(reverse("notifications:bell")).content.decode()


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_and_bell_take_a_constant_number_of_queries(
    client, django_assert_num_queries, rows
):
    user = UserFactory()
    notifications.notifications_create(drafts=[draft(user, f"n{i}") for i in range(rows)])
    client.force_login(user)
    # session, user, the notifications, the unread count, then the navigation's three
    # (groups, Person, led teams)
    with django_assert_num_queries(7):
        response = client.get(reverse("notifications:list"))
    assert response.content.decode().count('class="notification unread"') == rows
    # session, user, the count: the navigation is worked out only where a template asks
    # for it, and the bell's own template does not
    with django_assert_num_queries(3):
        client.get(reverse("notifications:bell"))
    # the partial: the list's two, and no navigation
    with django_assert_num_queries(4):
        client.get(reverse("notifications:list"), headers={"HX-Request": "true"})


def test_pages_spend_no_query_on_the_bell(client, employee):
    client.force_login(employee.user)
    page = client.get(reverse("responsibilities:matrix")).content.decode()
    # Someone with nobody to review: the bell loads itself after the page (My learning
    # has its commitments panel bring it instead).
    assert (
        'hx-get="/notifications/bell/" hx-trigger="load, notifications-changed from:body"' in page
    )


# --- Query counts of the preferences and unsubscribe pages ---------------------------------


@pytest.mark.parametrize("rows", [1, 25])
def test_the_preferences_page_takes_a_constant_number_of_queries(
    client, django_assert_num_queries, rows
):
    user = UserFactory()
    notifications.preferences_set(user_id=user.pk, email_off=[Kind.OVERDUE], digest=True)
    notifications.notifications_create(drafts=[draft(user, f"p{i}") for i in range(rows)])
    for _ in range(rows):  # other people's preferences
        notifications.preferences_set(user_id=UserFactory().pk, email_off=[], digest=False)
    client.force_login(user)
    # session, user, their preference row, then the navigation's three (groups, Person,
    # led teams)
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:preferences"))
    assert 'value="overdue"' in response.content.decode()
    # Saving: session, user, the preference row, then preferences_set's savepoint, row
    # lock and update, its release (the redirect renders nothing)
    with django_assert_num_queries(7):
        response = client.post(
            reverse("notifications:preferences"), {"email_on": [Kind.OVERDUE], "digest": "on"}
        )
    assert response.status_code == 302


@pytest.mark.parametrize("rows", [1, 25])
def test_the_unsubscribe_page_takes_a_constant_number_of_queries(
    client, django_assert_num_queries, rows
):
    user = UserFactory()
    notifications.preferences_set(user_id=user.pk, email_off=[], digest=True)
    notifications.notifications_create(drafts=[draft(user, f"u{i}") for i in range(rows)])
    for _ in range(rows):
        notifications.preferences_set(user_id=UserFactory().pk, email_off=[], digest=True)
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token_for(user)])
    # No session, no query: the signed token names the person and the kinds.
    with django_assert_num_queries(0):
        response = client.get(path)
    assert "A pathway is overdue" in response.content.decode()
    # The one-click POST (no session): unsubscribe_apply's savepoint, the user exists, the
    # preference row locked, updated, the savepoint released
    with django_assert_num_queries(5):
        response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user).email_off == [Kind.OVERDUE]


def unsubscribe_token_for(user):
    return notifications.unsubscribe_token(user_id=user.pk, kinds=[Kind.OVERDUE])
