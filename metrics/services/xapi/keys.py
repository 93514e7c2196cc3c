"""API keys for the xAPI receiver: shown once, only a SHA-256 kept, revocable; sent as
`Authorization: Bearer <key>` or as the password of Basic auth (what most LRS clients send)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from metrics.models import XapiKey

KEY_PREFIX = "upx_"


# --- Keys ---------------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    xapi_key: XapiKey
    key: str  # shown once, never stored


def xapi_key_create(*, name: str, created_by) -> CreatedKey:
    """A new random key; only its SHA-256 and first characters are stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the key a name, e.g. the LMS that will use it.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    xapi_key = XapiKey(name=name, prefix=key[:12], key_hash=_key_hash(key), created_by=created_by)
    xapi_key.full_clean()
    xapi_key.save()
    return CreatedKey(xapi_key=xapi_key, key=key)


def xapi_key_revoke(*, xapi_key: XapiKey) -> XapiKey:
    """Stop a key working at once; revoking twice keeps the first time."""
    XapiKey.objects.filter(pk=xapi_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    xapi_key.refresh_from_db()
    return xapi_key


def _key_from_header(header: str) -> str | None:
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, _, password = decoded.partition(":")
        return password or None
    return None


def xapi_key_authenticate(*, authorization: str) -> XapiKey | None:
    """The live key in an `Authorization: Bearer <key>` header, or Basic with the key
    as the password (what most LRS clients send); None if missing, unknown or revoked."""
    key = _key_from_header(authorization or "")
    if not key or len(key) > 200:
        return None
    xapi_key = XapiKey.objects.filter(key_hash=_key_hash(key), revoked_at__isnull=True).first()
    if xapi_key is not None:
        XapiKey.objects.filter(pk=xapi_key.pk).update(last_used_at=timezone.now())
    return xapi_key
