"""Team chat delivery against a real HTTP server on loopback (tests/chat_peer.py):
team-level notifications reach the team's Slack or Teams channel in the service's own
format, once; a failed POST is retried and sent once; a refusal waits for the admin; a
broker outage delays, the catch-up posts; nothing personal is ever posted. And the L&D
admins' webhooks page: validation, access, a constant number of queries."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from metrics.notifications import leader_digests_notify
from pathways.services import learning
from responsibilities.notifications import commitments_due_notify
from tests.factories import (
    CommitmentFactory,
    EnrollmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)
from tests.faults.harness import free_port, web_app_on_broker
from tests.pathways.factories import a_journey
from upskill import celery as celery_module
from upskill import notifications
from upskill.models import Notification, TeamChatPost, TeamChatWebhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
Kind = Notification.Kind
State = TeamChatPost.State


def webhook(team, url, service="slack", active=True):
    return notifications.team_chat_webhook_save(team=team, service=service, url=url, active=active)


def post_draft(team, key="k", kind=Kind.DIGEST, subject="Weekly digest", body="A\nB"):
    return notifications.TeamChatPostDraft(
        team_id=team.pk, kind=kind, key=key, subject=subject, body=body, url="/dashboard/"
    )


# --- Delivery in each service's format ---------------------------------------------------


def test_a_check_in_due_is_posted_once_to_the_team_slack_channel(
    chat_peer, django_capture_on_commit_callbacks
):
    team = TeamFactory(name="Support")
    quiet_team = TeamFactory(name="No channel")
    for t in (team, quiet_team):
        t.leaders.add(UserFactory(), UserFactory())
    commitment = CommitmentFactory(
        party="manager", teams=[team, quiet_team], title="Coaching hours & <time>"
    )
    webhook(team, chat_peer.url)

    with django_capture_on_commit_callbacks(execute=True):
        commitments_due_notify(timezone.now())

    # Two leaders each get their notification; the channel gets one post for the team.
    assert Notification.objects.filter(kind=Kind.CHECK_IN_DUE).count() == 4
    [payload] = chat_peer.received
    link = "https://upskill.example" + reverse(
        "responsibilities:check_in_record", args=[commitment.pk, team.pk]
    )
    assert payload["text"] == f"Check-in due: “Coaching hours & <time>” for Support — {link}"
    section, actions = payload["blocks"]
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    # Slack's control characters escaped in mrkdwn
    assert section["text"]["text"].startswith(
        "*Check-in due: “Coaching hours &amp; &lt;time&gt;” for Support*\nRecord what was"
    )
    assert actions["elements"][0]["url"] == link
    assert chat_peer.headers[0]["Content-Type"] == "application/json"

    # The job again (beat every 15 minutes), and the catch-up: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        commitments_due_notify(timezone.now())
    call_command("send_notifications")  # (which also posts the team's weekly digest)
    check_ins = [p for p in chat_peer.received if p["text"].startswith("Check-in due")]
    assert len(check_ins) == 1
    assert TeamChatPost.objects.get(kind=Kind.CHECK_IN_DUE).state == State.SENT
    assert not TeamChatPost.objects.filter(team=quiet_team).exists()


def test_a_teams_channel_gets_an_adaptive_card(chat_peer, django_capture_on_commit_callbacks):
    team = TeamFactory()
    webhook(team, chat_peer.url, service="teams")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.team_chat_posts_create(drafts=[post_draft(team)])

    [payload] = chat_peer.received
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert [block["text"] for block in card["body"]] == ["Weekly digest", "A", "B"]
    assert all(block["type"] == "TextBlock" for block in card["body"])
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in Upskill",
            "url": "https://upskill.example/dashboard/",
        }
    ]


def test_the_team_digest_summary_obeys_the_minimum_group_and_leaves_out_reviews(
    chat_peer, settings, django_capture_on_commit_callbacks
):
    settings.MIN_GROUP_SIZE = 5
    parent = TeamFactory(name="Operations")
    big, small = TeamFactory(name="Big", parent=parent), TeamFactory(name="Small", parent=parent)
    for _ in range(6):
        EnrollmentFactory(person=PersonFactory(team=big))
    for _ in range(2):
        EnrollmentFactory(person=PersonFactory(team=small))
    webhook(parent, chat_peer.url)  # no leader needed: the channel is the team's

    with django_capture_on_commit_callbacks(execute=True):
        leader_digests_notify(timezone.now())
        leader_digests_notify(timezone.now())  # once a week

    [payload] = chat_peer.received
    text = payload["blocks"][0]["text"]["text"]
    assert text.startswith("*Operations: the weekly Upskill digest (week ")
    assert "Big — people learning: 6" in text
    assert "Small — people learning: fewer than the minimum group" in text
    assert "Evidence waiting" not in text  # the channel is the whole team, not reviewers


# --- Never personal ------------------------------------------------------------------------


def test_personal_notifications_never_reach_a_channel(
    chat_peer, django_capture_on_commit_callbacks, caplog
):
    journey = a_journey()
    webhook(journey.learner.team, chat_peer.url)
    evidence = "Secret: the ACME-4411 refund reply"
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        progress = learning.evidence_submit(
            enrollment=journey.enrollment, step=journey.practise, evidence=evidence
        )
        learning.evidence_request_changes(
            progress=progress, reviewer=journey.manager, comment="More detail"
        )
    assert Notification.objects.filter(kind=Kind.REVIEW_OUTCOME).exists()
    assert not TeamChatPost.objects.exists()
    assert chat_peer.requests == 0
    assert evidence not in caplog.text
    for kind in set(Kind.values) - notifications.CHAT_KINDS:
        with pytest.raises(ValueError, match="Not a team-level kind"):
            notifications.team_chat_posts_create(
                drafts=[post_draft(journey.learner.team, kind=kind)]
            )
    assert not TeamChatPost.objects.exists()


# --- Retries, refusals, outages --------------------------------------------------------------


def test_a_failed_post_is_retried_and_sent_once(chat_peer, caplog):
    team = TeamFactory()
    webhook(team, chat_peer.url)
    notifications.team_chat_posts_create(drafts=[post_draft(team)])  # queued, not yet run
    chat_peer.fail_next = [500]

    with caplog.at_level(logging.WARNING), pytest.raises(notifications.ChatDeliveryFailed):
        notifications.team_chat_posts_send()
    post = TeamChatPost.objects.get()
    assert (post.state, post.last_error, post.attempts) == (State.PENDING, "HTTP 500", 1)
    assert chat_peer.received == []
    assert "/services/T000/B000/secret" not in caplog.text  # the URL is a secret

    result = notifications.team_chat_posts_send()  # the task's retry
    assert result.sent == 1
    notifications.team_chat_posts_send()  # and the beat catch-up later
    assert len(chat_peer.received) == 1
    assert chat_peer.requests == 2
    post.refresh_from_db()
    assert (post.state, post.attempts) == (State.SENT, 2)


def test_a_webhook_that_does_not_answer_keeps_the_post_pending(chat_peer):
    team = TeamFactory()
    webhook(team, f"http://127.0.0.1:{free_port()}/hooks/gone")  # nothing listens there
    notifications.team_chat_posts_create(drafts=[post_draft(team)])
    with pytest.raises(notifications.ChatDeliveryFailed):
        notifications.team_chat_posts_send()
    post = TeamChatPost.objects.get()
    assert (post.state, post.last_error) == (State.PENDING, "no answer")


def test_a_refused_post_waits_for_the_admin_and_saving_the_webhook_retries_it(
    chat_peer, django_capture_on_commit_callbacks
):
    team = TeamFactory()
    webhook(team, chat_peer.url)
    chat_peer.fail_next = [404]  # Slack: the channel or webhook was deleted
    with django_capture_on_commit_callbacks(execute=True):
        notifications.team_chat_posts_create(drafts=[post_draft(team)])
    post = TeamChatPost.objects.get()
    assert (post.state, post.last_error) == (State.FAILED, "HTTP 404")
    notifications.team_chat_posts_send()  # the catch-up does not hammer a refusal
    assert chat_peer.requests == 1

    with django_capture_on_commit_callbacks(execute=True):
        webhook(team, chat_peer.url)  # the admin fixed the webhook
    post.refresh_from_db()
    assert post.state == State.SENT
    assert len(chat_peer.received) == 1


def test_a_broker_outage_delays_chat_posts_and_the_catch_up_posts_them(
    chat_peer, django_capture_on_commit_callbacks, monkeypatch
):
    team = TeamFactory()
    webhook(team, chat_peer.url)
    with web_app_on_broker(f"redis://127.0.0.1:{free_port()}/0"):
        monkeypatch.setattr(celery_module, "_broker_down_until", 0.0)
        with django_capture_on_commit_callbacks(execute=True):
            assert notifications.team_chat_posts_create(drafts=[post_draft(team)]) == 1
    assert chat_peer.received == []
    assert TeamChatPost.objects.get().state == State.PENDING

    call_command("send_notifications")  # what beat runs once the broker is back

    assert [p["text"] for p in chat_peer.received].count(
        "Weekly digest — https://upskill.example/dashboard/"
    ) == 1
    assert TeamChatPost.objects.get(key="k").state == State.SENT


def test_a_claimed_post_is_not_posted_by_a_second_worker(chat_peer):
    team = TeamFactory()
    webhook(team, chat_peer.url)
    notifications.team_chat_posts_create(drafts=[post_draft(team)])
    # Another worker has claimed it (and is posting right now).
    TeamChatPost.objects.update(state=State.SENDING, claim="other", claimed_at=timezone.now())
    assert notifications.team_chat_posts_send().sent == 0
    assert chat_peer.requests == 0
    # A worker that died mid-post: after the stale-claim delay the row is posted.
    later = timezone.now() + notifications.chat.STALE_CLAIM * 2
    assert notifications.team_chat_posts_send(now=later).sent == 1
    assert len(chat_peer.received) == 1


def test_an_inactive_or_removed_webhook_posts_nothing(chat_peer):
    team = TeamFactory()
    webhook(team, chat_peer.url, active=False)
    assert notifications.team_chat_posts_create(drafts=[post_draft(team, key="a")]) == 0
    hook = webhook(team, chat_peer.url)
    notifications.team_chat_posts_create(drafts=[post_draft(team, key="b")])
    notifications.team_chat_webhook_delete(webhook_id=hook.pk)
    assert notifications.team_chat_posts_send().skipped == 1
    assert chat_peer.requests == 0


# --- Configuring webhooks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "loopback_allowed", "ok"),
    [
        ("https://hooks.slack.com/services/T1/B1/x", False, True),
        ("https://prod-01.westeurope.logic.azure.com/workflows/1/triggers/manual", False, True),
        ("http://hooks.slack.com/services/T1/B1/x", True, False),  # http only for loopback
        ("http://127.0.0.1:8080/hook", True, True),
        ("http://127.0.0.1:8080/hook", False, False),  # production: never
        ("https://10.0.0.5/hook", True, False),  # the internal network
        ("https://169.254.169.254/latest", False, False),
        ("https://user:pass@hooks.slack.com/x", False, False),
        ("ftp://hooks.slack.com/x", False, False),
    ],
)
def test_a_webhook_url_is_https_with_loopback_http_only_for_tests(
    settings, url, loopback_allowed, ok
):
    settings.CHAT_WEBHOOK_ALLOW_HTTP_LOOPBACK = loopback_allowed
    team = TeamFactory()
    if ok:
        webhook(team, url)
        assert TeamChatWebhook.objects.get().url == url
    else:
        with pytest.raises(ValidationError):
            webhook(team, url)
        assert not TeamChatWebhook.objects.exists()


def test_an_ld_admin_sets_replaces_and_removes_a_team_webhook(client, ld_admin, chat_peer):
    team = TeamFactory(name="Support")
    client.force_login(ld_admin)
    page = reverse("notifications:chat_webhooks")
    response = client.post(page, {"team": team.pk, "service": "slack", "url": chat_peer.url})
    assert response.status_code == 302
    hook = TeamChatWebhook.objects.get()
    assert (hook.team, hook.service, hook.active, hook.updated_by) == (
        team,
        "slack",
        False,
        ld_admin,
    )

    response = client.post(
        page, {"team": team.pk, "service": "teams", "url": chat_peer.url, "active": "on"}
    )
    hook = TeamChatWebhook.objects.get()  # replaced, not a second one
    assert (hook.service, hook.active) == ("teams", True)
    shown = client.get(page).content.decode()
    assert "127.0.0.1" in shown
    assert "/services/T000/B000/secret" not in shown  # the secret part is never shown

    bad = client.post(
        page, {"team": team.pk, "service": "slack", "url": "http://hooks.example/x", "active": "on"}
    )
    assert bad.status_code == 200
    assert "Use the https:// address the chat service gave you." in bad.content.decode()
    assert TeamChatWebhook.objects.get().service == "teams"  # nothing changed
    unknown = client.post(page, {"team": 999999, "service": "irc", "url": "nonsense"})
    assert unknown.status_code == 200
    assert TeamChatWebhook.objects.count() == 1

    client.post(reverse("notifications:chat_webhook_delete", args=[hook.pk]))
    assert not TeamChatWebhook.objects.exists()
    assert (
        client.post(reverse("notifications:chat_webhook_delete", args=[hook.pk])).status_code == 404
    )


def test_only_ld_admins_reach_the_webhooks_page(client, employee, leader):
    for user in (employee.user, leader):
        client.force_login(user)
        assert client.get(reverse("notifications:chat_webhooks")).status_code == 403
    client.logout()
    assert client.get(reverse("notifications:chat_webhooks")).status_code == 302


@pytest.mark.parametrize("teams", [1, 4, 55])
def test_the_webhooks_page_takes_a_constant_number_of_queries(
    client, ld_admin, django_assert_num_queries, teams
):
    for i in range(teams):
        team = TeamFactory()
        webhook(team, f"https://hooks.slack.com/services/T{i}/B/x")
        notifications.team_chat_posts_create(drafts=[post_draft(team, key=f"p{i}")])
    TeamFactory()  # a team without a webhook, in the form's choices
    client.force_login(ld_admin)
    # session, user, the admin's groups (the access check, cached for the navigation),
    # how many webhooks (the pager) + a page of them with their teams, the posts counted
    # by state, the navigation's Person (an admin's led teams are not asked), the form's
    # teams = 8
    with django_assert_num_queries(8):
        response = client.get(reverse("notifications:chat_webhooks"))
    assert response.content.decode().count("<td>hooks.slack.com</td>") == min(teams, 50)
    with django_assert_num_queries(8):
        last = client.get(reverse("notifications:chat_webhooks") + "?page=2")
    assert last.content.decode().count("<td>hooks.slack.com</td>") == (teams - 1) % 50 + 1
