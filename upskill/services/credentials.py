"""Bearer secrets that machines present (SCIM tokens, xAPI keys): a random secret shown
once, of which only the SHA-256 and the first characters are stored; revocable at once;
the last use stamped. One implementation for every kind of credential row, each a model
with a hash field, `revoked_at` and `last_used_at`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TypeVar

from django.db import models
from django.utils import timezone

# Longer than any secret this module makes: a longer one is refused without hashing.
MAX_SECRET_LENGTH = 200

Credential = TypeVar("Credential", bound=models.Model)


@dataclass(frozen=True)
class NewSecret:
    secret: str  # shown once, never stored
    prefix: str  # stored, to recognise the secret in a list
    digest: str  # stored: the SHA-256, what a presented secret is compared with


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_generate(*, prefix: str) -> NewSecret:
    secret = prefix + secrets.token_urlsafe(32)
    return NewSecret(secret=secret, prefix=secret[:12], digest=secret_digest(secret))


def credential_revoke(*, credential: Credential) -> Credential:
    """Stop a credential working at once; revoking twice keeps the first time."""
    type(credential).objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    credential.refresh_from_db()
    return credential


def credential_authenticate(
    *, model: type[Credential], digest_field: str, secret: str | None
) -> Credential | None:
    """The live (unrevoked) row whose digest is the secret's, its last use stamped; None
    for a missing, over-long, unknown or revoked secret."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    credential = model.objects.filter(
        **{digest_field: secret_digest(secret)}, revoked_at__isnull=True
    ).first()
    if credential is not None:
        model.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    return credential
