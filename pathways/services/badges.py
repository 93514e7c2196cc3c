"""Writes for verifiable Open Badges 3.0: signing keys and their rotation, issuing a
credential for a completed enrolment, the owner's public switch, and revocation through
the signing key's Bitstring Status List (re-signed on every change)."""

from __future__ import annotations

import base64
import gzip
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathways.models import (
    STATUS_LIST_LENGTH,
    BadgeSigningKey,
    BadgeStatusList,
    Enrollment,
    IssuedBadge,
)
from pathways.selectors import badges as selectors
from pathways.services import data_integrity
from upskill.models import Person

# --- Keys ---------------------------------------------------------------------------------


def _environment_key(variable: str, text: str, *, entry: int | None = None) -> Ed25519PrivateKey:
    try:
        return data_integrity.private_key_from_text(text)
    except data_integrity.ProofError as exc:
        where = variable if entry is None else f"{variable} (entry {entry})"
        raise ImproperlyConfigured(f"Environment variable {where} is malformed: {exc}") from exc


def signing_keys_configured() -> dict[str, Ed25519PrivateKey]:
    """The keys in BADGE_SIGNING_KEY and BADGE_RETIRED_SIGNING_KEYS, by public Multikey.

    A value that cannot be decoded raises ImproperlyConfigured naming its variable (never
    the value: it is a secret). PathwaysConfig.ready() calls this, so a bad key stops
    every process at start-up (gunicorn and Celery run no system checks) instead of
    failing badge pages later, as a malformed value in upskill/settings.py does."""
    keys = {}
    if settings.BADGE_SIGNING_KEY:
        key = _environment_key("BADGE_SIGNING_KEY", settings.BADGE_SIGNING_KEY)
        keys[data_integrity.public_key_multibase(key)] = key
    for entry, text in enumerate(settings.BADGE_RETIRED_SIGNING_KEYS, start=1):
        key = _environment_key("BADGE_RETIRED_SIGNING_KEYS", text, entry=entry)
        keys[data_integrity.public_key_multibase(key)] = key
    return keys


def _private_key(signing_key: BadgeSigningKey) -> Ed25519PrivateKey:
    if signing_key.private_key_multibase:
        return data_integrity.private_key_from_text(signing_key.private_key_multibase)
    key = signing_keys_configured().get(signing_key.public_key_multibase)
    if key is None:
        raise ValidationError(
            f"The private half of {signing_key.did} is not configured: put it back in "
            "BADGE_SIGNING_KEY or BADGE_RETIRED_SIGNING_KEYS to sign with it."
        )
    return key


@transaction.atomic
def signing_key_current() -> BadgeSigningKey:
    """The key that signs new badges: BADGE_SIGNING_KEY when set (its public half is
    recorded, its private half never is), otherwise the current key in the database,
    generated on first use. A different key becoming current retires the previous one."""
    if settings.BADGE_SIGNING_KEY:
        key = _environment_key("BADGE_SIGNING_KEY", settings.BADGE_SIGNING_KEY)
        public = data_integrity.public_key_multibase(key)
        current = BadgeSigningKey.objects.select_for_update().filter(retired_at__isnull=True)
        found = current.first()
        if found is not None and found.public_key_multibase == public:
            return found
        current.update(retired_at=timezone.now())
        signing_key, _ = BadgeSigningKey.objects.update_or_create(
            public_key_multibase=public, defaults={"retired_at": None}
        )
        return signing_key
    found = BadgeSigningKey.objects.filter(retired_at__isnull=True).first()
    if found is not None:
        return found
    return _signing_key_generate()


def _signing_key_generate() -> BadgeSigningKey:
    key = data_integrity.private_key_generate()
    signing_key = BadgeSigningKey(
        public_key_multibase=data_integrity.public_key_multibase(key),
        private_key_multibase=data_integrity.private_key_multibase(key),
    )
    signing_key.full_clean()
    signing_key.save()
    return signing_key


@transaction.atomic
def signing_key_rotate() -> BadgeSigningKey:
    """Retire the current database key and generate a new one. Credentials already
    issued keep their proof and their did:key (which resolves from the identifier
    itself), the issuer profile keeps listing the old DID, and the old key goes on
    signing its own status list so its credentials can still be revoked."""
    if settings.BADGE_SIGNING_KEY:
        raise ValidationError(
            "The signing key comes from BADGE_SIGNING_KEY: to rotate, move its value to "
            "BADGE_RETIRED_SIGNING_KEYS and set a new BADGE_SIGNING_KEY."
        )
    BadgeSigningKey.objects.select_for_update().filter(retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    return _signing_key_generate()


# --- Status lists -------------------------------------------------------------------------


def _encoded_list(revoked_indexes: list[int]) -> str:
    """Bitstring Status List encodedList: the bitstring (index 0 is the first byte's
    high bit), GZIP-compressed, multibase base64url without padding ("u…")."""
    bits = bytearray(STATUS_LIST_LENGTH // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def _status_list_sign(status_list: BadgeStatusList) -> None:
    signing_key = status_list.signing_key
    url = selectors.status_list_url(signing_key)
    revoked = list(
        IssuedBadge.objects.filter(signing_key=signing_key, revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )
    now = timezone.now()
    document = {
        "@context": [data_integrity.VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signing_key.did,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": _encoded_list(revoked),
        },
    }
    status_list.document = data_integrity.proof_add(
        document,
        key=_private_key(signing_key),
        verification_method=signing_key.verification_method,
        created=now,
    )
    status_list.save(update_fields=["signed_json", "updated_at"])


def _status_list_for(signing_key: BadgeSigningKey) -> BadgeStatusList:
    status_list, created = BadgeStatusList.objects.get_or_create(signing_key=signing_key)
    if created:
        _status_list_sign(status_list)
    return status_list


# --- Issuing ------------------------------------------------------------------------------


def badge_issue(*, enrollment: Enrollment) -> IssuedBadge:
    """The enrolment's credential, signed and issued on first call (idempotent: later
    calls, and a concurrent first call, return the one already issued). Only a
    completed enrolment earns a badge."""
    if enrollment.completed_at is None:
        raise ValidationError("A badge is issued once every step of the pathway is done.")
    try:
        # Joined already when the enrolment came from selectors.own_badge_enrollment.
        return enrollment.issued_badge
    except IssuedBadge.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return _badge_create(enrollment)
    except IntegrityError:
        # Issued meanwhile by a concurrent request (enrolment is unique), or a random
        # status index collided: the first case returns it, the second tries again.
        existing = IssuedBadge.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        with transaction.atomic():
            return _badge_create(enrollment)


def _badge_create(enrollment: Enrollment) -> IssuedBadge:
    signing_key = signing_key_current()
    _status_list_for(signing_key)
    used = set(
        IssuedBadge.objects.filter(signing_key=signing_key).values_list("status_index", flat=True)
    )
    if len(used) >= STATUS_LIST_LENGTH:
        raise ValidationError("This signing key's status list is full: rotate the key.")
    # A random free index: neighbours on the list say nothing about each other.
    index = secrets.randbelow(STATUS_LIST_LENGTH)
    while index in used:
        index = secrets.randbelow(STATUS_LIST_LENGTH)
    badge = IssuedBadge(
        enrollment=enrollment,
        signing_key=signing_key,
        status_index=index,
        issued_at=timezone.now(),
    )
    unsigned = selectors.badge_credential(
        enrollment, public_id=badge.public_id, signing_key=signing_key, status_index=index
    )
    badge.document = data_integrity.proof_add(
        unsigned,
        key=_private_key(signing_key),
        verification_method=signing_key.verification_method,
        created=badge.issued_at,
    )
    badge.full_clean()
    badge.save()
    return badge


def badge_sharing_set(*, badge: IssuedBadge, person: Person, is_public: bool) -> IssuedBadge:
    """The owner switches the public verification page on or off."""
    if badge.enrollment.person_id != person.pk:
        raise ValidationError("Only the badge's owner can share it.")
    badge.is_public = is_public
    badge.save(update_fields=["is_public"])
    return badge


@transaction.atomic
def badge_revoke(*, badge: IssuedBadge, by: AbstractBaseUser, reason: str) -> IssuedBadge:
    """Revoke the credential: its bit is set in its key's status list, which is signed
    again. Revocation is permanent (Bitstring Status List: a revocation is not
    reversible); the credential's own document is unchanged."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the badge is revoked (the owner sees it)."})
    limit = IssuedBadge._meta.get_field("revocation_reason").max_length
    if len(reason) > limit:
        raise ValidationError({"reason": f"Keep the reason to {limit} characters."})
    # Lock the list first: two revocations on one list must not both sign a list that
    # lacks the other's bit.
    status_list = (
        BadgeStatusList.objects.select_for_update()
        .select_related("signing_key")
        .get(signing_key_id=badge.signing_key_id)
    )
    badge = IssuedBadge.objects.select_for_update().get(pk=badge.pk)
    if badge.revoked_at is not None:
        raise ValidationError("This badge is already revoked.")
    badge.revoked_at = timezone.now()
    badge.revoked_by = by
    badge.revocation_reason = reason
    badge.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _status_list_sign(status_list)
    return badge
