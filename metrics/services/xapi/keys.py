"""API keys for the xAPI receiver: shown once, only a SHA-256 kept, revocable; sent as
`Authorization: Bearer <key>` or as the password of Basic auth (what most LRS clients send)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from metrics.models import XapiKey
from upskill.services import credential_authenticate, credential_revoke, secret_generate

KEY_PREFIX = "upx_"


# --- Keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedKey:
    xapi_key: XapiKey
    key: str  # shown once, never stored


def xapi_key_create(*, name: str, created_by) -> CreatedKey:
    """A new random key; only its SHA-256 and first characters are stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the key a name, e.g. the LMS that will use it.")
    new = secret_generate(prefix=KEY_PREFIX)
    xapi_key = XapiKey(name=name, prefix=new.prefix, key_hash=new.digest, created_by=created_by)
    xapi_key.full_clean()
    xapi_key.save()
    return CreatedKey(xapi_key=xapi_key, key=new.secret)


def xapi_key_revoke(*, xapi_key: XapiKey) -> XapiKey:
    """Stop a key working at once; revoking twice keeps the first time."""
    return credential_revoke(credential=xapi_key)


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
    return credential_authenticate(model=XapiKey, digest_field="key_hash", secret=key)
