"""Team chat delivery: team-level notifications posted to a team's Slack or Microsoft
Teams incoming webhook. Never lost, never posted twice — the email delivery's shape.

Only CHAT_KINDS go to a channel (check-in due, commitment behind, the weekly digest
summary): things about the team, read by the team. Personal kinds (review outcomes,
pathways due, pulses, recognition) and anything quoting evidence or answers never do;
`team_chat_posts_create` refuses them.

A post starts `pending`. A sender claims rows with a conditional UPDATE (`pending` ->
`sending`, stamped with its own token), so two workers never post the same row; a 2xx
answer marks it `sent`. A 429, a 5xx or no answer puts it back to `pending` (the task
retries with back-off; the beat catch-up posts whatever is still pending, e.g. after a
broker outage). Another 4xx is the service refusing for good (a deleted webhook): the
post is `failed`, shown on the webhooks page, and saving the webhook again retries it.
A worker that died mid-post leaves `sending` rows; after STALE_CLAIM they are pending
again (the one case a channel may see a message twice — preferred to losing it)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from upskill.models import Notification, TeamChatPost, TeamChatWebhook
from upskill.notifications.creation import rows_insert_new

logger = logging.getLogger(__name__)

Kind = Notification.Kind
State = TeamChatPost.State
Service = TeamChatWebhook.Service
CHAT_KINDS = frozenset({Kind.CHECK_IN_DUE, Kind.COMMITMENT_BEHIND, Kind.DIGEST})
STALE_CLAIM = dt.timedelta(minutes=10)
POSTS_PER_BATCH = 200


class ChatDeliveryFailed(Exception):
    """Some posts could not be delivered; they are pending again."""


@dataclass(frozen=True)
class TeamChatPostDraft:
    """One message for a team's channel. `key` names the event (one post per team and
    event, however many leaders were notified); `url` is the path of the page that acts
    on it. `body` never quotes evidence or answers."""

    team_id: int
    kind: str
    key: str
    subject: str
    url: str
    body: str = ""


@dataclass
class ChatDeliveryResult:
    sent: int = 0
    failed: int = 0  # retryable: pending again
    refused: int = 0  # the service said no for good: `failed`
    skipped: int = 0


def chat_team_ids() -> set[int]:
    """Teams with an active webhook (one query): the only teams worth composing for."""
    return set(TeamChatWebhook.objects.filter(active=True).values_list("team_id", flat=True))


def team_chat_posts_create(*, drafts: Iterable[TeamChatPostDraft]) -> int:
    """Create the drafts whose key is new, for teams with an active webhook, and queue
    their delivery. Three queries however many drafts. A key created concurrently by
    another worker is skipped by the unique constraint, never duplicated."""
    from upskill import enqueue

    drafts = {draft.key: draft for draft in drafts}
    personal = {d.kind for d in drafts.values()} - CHAT_KINDS
    if personal:
        raise ValueError(f"Not a team-level kind, never posted to a channel: {sorted(personal)}")
    if not drafts:
        return 0
    teams = chat_team_ids()
    new = rows_insert_new(
        TeamChatPost,
        [
            TeamChatPost(
                team_id=d.team_id,
                kind=d.kind,
                key=key[:200],
                subject=d.subject[:200],
                body=d.body,
                url=d.url[:500],
            )
            for key, d in drafts.items()
            if d.team_id in teams
        ],
    )
    if new:
        enqueue.team_chat_posts_send()
    return len(new)


# --- Payloads in each service's format ---------------------------------------------------


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats &, < and > as control characters; everything else is literal.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_payload(*, service: str, subject: str, body: str, link: str) -> dict:
    """The JSON a service's incoming webhook takes. Slack: `text` (the notification
    fallback) plus Block Kit `blocks`. Teams (Workflows "post to a channel when a
    webhook request is received", and the older connectors): a `message` whose one
    attachment is an Adaptive Card with an Open URL action."""
    if service == Service.SLACK:
        section = f"*{_slack_escape(subject)}*"
        if body:
            section += "\n" + _slack_escape(body)
        return {
            "text": f"{subject} — {link}",
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": section}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Open in Upskill"},
                            "url": link,
                        }
                    ],
                },
            ],
        }
    card_body = [
        {"type": "TextBlock", "text": subject, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    card_body += [{"type": "TextBlock", "text": line, "wrap": True} for line in body.splitlines()]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": card_body,
                    "actions": [
                        {"type": "Action.OpenUrl", "title": "Open in Upskill", "url": link}
                    ],
                },
            }
        ],
    }


# --- Delivery ----------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A webhook answers, it never redirects: following one would POST the message
    # (and the next ones) somewhere the admin never configured.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, payload: dict) -> int:
    """POST the JSON; the HTTP status (0 when the service did not answer)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Upskill"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.CHAT_WEBHOOK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):  # refused, timed out, DNS, TLS
        return 0


def _retryable(status: int) -> bool:
    return status == 0 or status == 429 or status >= 500


def release_stale_chat_claims(*, now: dt.datetime) -> int:
    return TeamChatPost.objects.filter(
        state=State.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(state=State.PENDING, claim="")


def team_chat_posts_send(
    *, post_ids: list[int] | None = None, now: dt.datetime | None = None
) -> ChatDeliveryResult:
    """Post what is pending (the given posts, or all): the task queued after posts are
    created, and the beat catch-up, call this. Safe at any time, on several workers.
    Raises ChatDeliveryFailed when some posts must be retried."""
    now = now or timezone.now()
    result = ChatDeliveryResult()
    release_stale_chat_claims(now=now)
    pending = TeamChatPost.objects.filter(state=State.PENDING)
    if post_ids is not None:
        pending = pending.filter(pk__in=post_ids)
    due = list(pending.order_by("created_at", "pk").values_list("pk", flat=True))
    for start in range(0, len(due), POSTS_PER_BATCH):
        _send_batch(due[start : start + POSTS_PER_BATCH], result)
    if result.failed:
        raise ChatDeliveryFailed(f"{result.failed} chat posts failed; they stay pending")
    return result


def _send_batch(post_ids: list[int], result: ChatDeliveryResult) -> None:
    """Claim, then post each and record its outcome at once (so a worker that dies
    mid-batch re-posts at most the one message in flight)."""
    token = uuid.uuid4().hex
    TeamChatPost.objects.filter(pk__in=post_ids, state=State.PENDING).update(
        state=State.SENDING, claim=token, claimed_at=timezone.now()
    )
    # Only rows this claim won (the conditional UPDATE) are posted.
    won = list(
        TeamChatPost.objects.filter(claim=token, state=State.SENDING)
        .select_related("team__chat_webhook")
        .order_by("created_at", "pk")
    )
    skipped = []
    for post in won:
        webhook = getattr(post.team, "chat_webhook", None)
        if webhook is None or not webhook.active:
            skipped.append(post.pk)
            continue
        link = settings.SITE_URL.rstrip("/") + post.url
        payload = chat_payload(
            service=webhook.service, subject=post.subject, body=post.body, link=link
        )
        status = _post(webhook.url, payload)
        mine = TeamChatPost.objects.filter(pk=post.pk, claim=token)
        if 200 <= status < 300:
            mine.update(
                state=State.SENT, sent_at=timezone.now(), claim="", attempts=F("attempts") + 1
            )
            result.sent += 1
            continue
        # The status only: never the URL (a secret) nor the message.
        logger.warning(
            "Posting to the chat webhook of team #%s failed (HTTP %s)", post.team_id, status
        )
        retry = _retryable(status)
        mine.update(
            state=State.PENDING if retry else State.FAILED,
            claim="",
            last_error=f"HTTP {status}" if status else "no answer",
            attempts=F("attempts") + 1,
        )
        if retry:
            result.failed += 1
        else:
            result.refused += 1
    if skipped:
        TeamChatPost.objects.filter(pk__in=skipped, claim=token).update(
            state=State.SKIPPED, claim=""
        )
        result.skipped += len(skipped)
