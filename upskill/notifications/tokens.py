"""One-click unsubscribe tokens: signed (django.core.signing, with SECRET_KEY), naming a
user and the kinds to stop emailing. No expiry: an old email's link keeps working."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError

from upskill.models import Notification

SALT = "upskill.notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kinds: tuple[str, ...]


def unsubscribe_token(*, user_id: int, kinds: list[str]) -> str:
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def unsubscribe_read(token: str) -> Unsubscribe:
    """The unsubscribe a token names; a forged, altered or malformed one is refused."""
    try:
        payload = signing.loads(token, salt=SALT)
        user_id, kinds = int(payload["u"]), [str(k) for k in payload["k"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError("This unsubscribe link is not valid; nothing was changed.") from exc
    if not kinds or not set(kinds) <= set(Notification.Kind.values):
        raise ValidationError("This unsubscribe link is not valid; nothing was changed.")
    return Unsubscribe(user_id=user_id, kinds=tuple(kinds))
