"""Per-person choices: which kinds are emailed, the digest, the time zone."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from upskill.models import Notification, NotificationPreference
from upskill.notifications.tokens import unsubscribe_read

# Review outcomes are emailed at once; everything else waits for the daily email.
IMMEDIATE_KINDS = frozenset({Notification.Kind.REVIEW_OUTCOME})


def preference_of(user_id: int) -> NotificationPreference:
    """The person's preferences (the defaults, unsaved, if they never chose)."""
    return NotificationPreference.objects.filter(user_id=user_id).first() or (
        NotificationPreference(user_id=user_id)
    )


@transaction.atomic
def preferences_set(
    *, user_id: int, email_off: list[str], digest: bool, time_zone: str = ""
) -> NotificationPreference:
    unknown = set(email_off) - set(Notification.Kind.values)
    if unknown:
        raise ValidationError({"email_off": ["Choose from the kinds listed."]})
    if time_zone and time_zone not in available_timezones():
        raise ValidationError({"time_zone": ["Choose a time zone from the list."]})
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        user_id=user_id
    )
    preference.email_off = sorted(set(email_off))
    preference.digest = digest
    preference.time_zone = time_zone
    preference.save(update_fields=["email_off", "digest", "time_zone"])
    return preference


@transaction.atomic
def unsubscribe_apply(*, token: str) -> NotificationPreference:
    """Stop emailing the kinds a signed token names (no session needed: RFC 8058). A
    forged token raises ValidationError and changes nothing."""
    unsubscribe = unsubscribe_read(token)
    if not get_user_model().objects.filter(pk=unsubscribe.user_id).exists():
        raise ValidationError("This unsubscribe link is not valid; nothing was changed.")
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        user_id=unsubscribe.user_id
    )
    preference.email_off = sorted(set(preference.email_off) | set(unsubscribe.kinds))
    if Notification.Kind.DIGEST in unsubscribe.kinds:
        preference.digest = False
    preference.save(update_fields=["email_off", "digest"])
    return preference
