"""SCIM connections: one bearer token per identity provider; only its SHA-256 and first
characters are stored."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from upskill.models import ScimConnection
from upskill.services.credentials import (
    credential_authenticate,
    credential_revoke,
    secret_generate,
)

TOKEN_PREFIX = "ups_"


@dataclass(frozen=True)
class CreatedToken:
    connection: ScimConnection
    token: str  # shown once, never stored


def scim_connection_create(*, name: str, created_by) -> CreatedToken:
    """A new identity-provider connection with a random bearer token; only its SHA-256
    and first characters are stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the connection, e.g. the identity provider that will use it.")
    new = secret_generate(prefix=TOKEN_PREFIX)
    connection = ScimConnection(
        name=name, prefix=new.prefix, token_hash=new.digest, created_by=created_by
    )
    connection.full_clean()
    connection.save()
    return CreatedToken(connection=connection, token=new.secret)


def scim_connection_revoke(*, connection: ScimConnection) -> ScimConnection:
    """Stop a token working at once; revoking twice keeps the first time."""
    return credential_revoke(credential=connection)


def scim_connection_authenticate(*, authorization: str) -> ScimConnection | None:
    """The live connection of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer":
        return None
    return credential_authenticate(model=ScimConnection, digest_field="token_hash", secret=token)
