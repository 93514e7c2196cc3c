"""Configuring a team's chat webhook (L&D admins): save, remove, and the page's rows."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from upskill.models import Team, TeamChatPost, TeamChatWebhook

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_internal_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
    return address.is_private or address.is_loopback or address.is_link_local


def chat_webhook_url_validate(url: str) -> None:
    """An incoming-webhook URL is https. Plain http is accepted only for a loopback
    address, and only when CHAT_WEBHOOK_ALLOW_HTTP_LOOPBACK is on (the default with
    DEBUG: a local test server); never an internal address otherwise, so the setting
    cannot make Upskill POST into the private network."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError({"url": ["Paste the whole webhook address, starting https://."]})
    allow_loopback = settings.CHAT_WEBHOOK_ALLOW_HTTP_LOOPBACK
    if parts.scheme == "http" and allow_loopback and _is_loopback(host):
        return
    if parts.scheme != "https":
        raise ValidationError({"url": ["Use the https:// address the chat service gave you."]})
    if _is_internal_address(host) and not (allow_loopback and _is_loopback(host)):
        raise ValidationError({"url": ["This address is inside the network; use the service's."]})
    if parts.username or parts.password:
        raise ValidationError({"url": ["A webhook address carries no user name or password."]})


@transaction.atomic
def team_chat_webhook_save(
    *, team: Team, service: str, url: str, active: bool, by_user_id: int | None = None
) -> TeamChatWebhook:
    """Set (or replace) a team's webhook. Posts the service refused for good (`failed`)
    are queued again, so fixing a wrong or deleted webhook delivers what it missed."""
    chat_webhook_url_validate(url)
    webhook = TeamChatWebhook.objects.select_for_update().filter(team=team).first()
    webhook = webhook or TeamChatWebhook(team=team)
    webhook.service, webhook.url, webhook.active = service, url, active
    webhook.updated_by_id = by_user_id
    webhook.full_clean()
    webhook.save()
    if active:
        from upskill import enqueue

        retried = TeamChatPost.objects.filter(team=team, state=TeamChatPost.State.FAILED).update(
            state=TeamChatPost.State.PENDING, last_error=""
        )
        if retried:
            enqueue.team_chat_posts_send()
    return webhook


def team_chat_webhook_delete(*, webhook_id: int) -> bool:
    """Remove a webhook; its team's waiting posts are then skipped, never posted."""
    deleted, _ = TeamChatWebhook.objects.filter(pk=webhook_id).delete()
    return bool(deleted)


@dataclass(frozen=True)
class WebhookRow:
    webhook: TeamChatWebhook
    host: str
    waiting: int
    failed: int
    sent: int


# A page of the configured webhooks (there may be one for each of 2,000 teams).
WEBHOOKS_PER_PAGE = 50


def team_chat_webhooks() -> QuerySet[TeamChatWebhook]:
    """Every configured webhook with its team, by team name: page them."""
    return TeamChatWebhook.objects.select_related("team").order_by("team__name", "pk")


def team_chat_webhook_rows(webhooks: Iterable[TeamChatWebhook]) -> list[WebhookRow]:
    """Those webhooks (a page of them) with their posts counted by state: one query."""
    webhooks = list(webhooks)
    State = TeamChatPost.State
    counts = {
        row["team_id"]: row
        for row in TeamChatPost.objects.filter(team_id__in=[w.team_id for w in webhooks])
        .values("team_id")
        .annotate(
            waiting=Count("pk", filter=Q(state__in=[State.PENDING, State.SENDING])),
            failed=Count("pk", filter=Q(state=State.FAILED)),
            sent=Count("pk", filter=Q(state=State.SENT)),
        )
        .order_by()
    }
    empty = {"waiting": 0, "failed": 0, "sent": 0}
    return [
        WebhookRow(
            webhook=w,
            host=urlsplit(w.url).hostname or "",
            waiting=counts.get(w.team_id, empty)["waiting"],
            failed=counts.get(w.team_id, empty)["failed"],
            sent=counts.get(w.team_id, empty)["sent"],
        )
        for w in webhooks
    ]
