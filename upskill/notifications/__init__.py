"""Notifications (upskill owns them; DESIGN.md): every app creates its own through
`notifications_create`, registers its due job with `due_job_register`, and upskill
delivers them by email, in the bell and (team-level kinds) to a team's chat webhook."""

from upskill.notifications.bell import bell_html
from upskill.notifications.chat import (
    CHAT_KINDS,
    ChatDeliveryFailed,
    ChatDeliveryResult,
    TeamChatPostDraft,
    chat_payload,
    chat_team_ids,
    release_stale_chat_claims,
    team_chat_posts_create,
    team_chat_posts_send,
)
from upskill.notifications.creation import (
    NotificationDraft,
    notification_create,
    notifications_create,
)
from upskill.notifications.delivery import (
    DeliveryResult,
    EmailDeliveryFailed,
    absolute,
    build_email,
    notification_emails_send,
    release_stale_claims,
)
from upskill.notifications.due import (
    due_job_register,
    due_jobs,
    local_date,
    notifications_due_run,
    time_zones_of,
    zone_named,
)
from upskill.notifications.inbox import (
    notifications_mark_read,
    notifications_recent,
    unread_count,
)
from upskill.notifications.preferences import (
    IMMEDIATE_KINDS,
    preference_of,
    preferences_set,
    unsubscribe_apply,
)
from upskill.notifications.tokens import Unsubscribe, unsubscribe_read, unsubscribe_token
from upskill.notifications.webhooks import (
    WEBHOOKS_PER_PAGE,
    WebhookRow,
    chat_webhook_url_validate,
    team_chat_webhook_delete,
    team_chat_webhook_rows,
    team_chat_webhook_save,
    team_chat_webhooks,
)

__all__ = [
    "bell_html",
    "CHAT_KINDS",
    "IMMEDIATE_KINDS",
    "ChatDeliveryFailed",
    "ChatDeliveryResult",
    "TeamChatPostDraft",
    "WebhookRow",
    "chat_payload",
    "chat_team_ids",
    "chat_webhook_url_validate",
    "release_stale_chat_claims",
    "team_chat_posts_create",
    "team_chat_posts_send",
    "team_chat_webhook_delete",
    "WEBHOOKS_PER_PAGE",
    "team_chat_webhook_rows",
    "team_chat_webhooks",
    "team_chat_webhook_save",
    "DeliveryResult",
    "EmailDeliveryFailed",
    "NotificationDraft",
    "Unsubscribe",
    "absolute",
    "build_email",
    "due_job_register",
    "due_jobs",
    "local_date",
    "notification_create",
    "notification_emails_send",
    "notifications_create",
    "notifications_due_run",
    "notifications_mark_read",
    "notifications_recent",
    "preference_of",
    "preferences_set",
    "release_stale_claims",
    "time_zones_of",
    "unread_count",
    "unsubscribe_apply",
    "unsubscribe_read",
    "unsubscribe_token",
    "zone_named",
]
