"""Verifiable Open Badges 3.0: the keys that sign them, the status lists that revoke
them, and each credential as it was issued."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from pathways.models.enrolment import Enrollment

# W3C Bitstring Status List: a list is at least 16 KB (131,072 entries) so that a
# credential's index says nothing about how many were issued (herd privacy).
STATUS_LIST_LENGTH = 131_072


def _dumps(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _public_id() -> str:
    # 128 random bits: the verification page's address is unguessable.
    return secrets.token_urlsafe(16)


class BadgeSigningKey(models.Model):
    """An Ed25519 key that signs badges, identified as a `did:key`. One is current; a
    retired key signs nothing new but stays listed (its credentials keep verifying) and
    keeps signing its own status list (its credentials can still be revoked)."""

    public_key_multibase = models.CharField(max_length=64, unique=True)
    # Empty when the key comes from BADGE_SIGNING_KEY / BADGE_RETIRED_SIGNING_KEYS:
    # a key from the environment is never written to the database.
    private_key_multibase = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["retired_at"],
                condition=Q(retired_at__isnull=True),
                name="badge_signing_key_one_current",
            ),
        ]

    def __str__(self) -> str:
        return self.did

    @property
    def did(self) -> str:
        return f"did:key:{self.public_key_multibase}"

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.public_key_multibase}"


class BadgeStatusList(models.Model):
    """One revocation list per signing key (a list's issuer must be its credentials'
    issuer). `signed_json` is the signed BitstringStatusListCredential as served; it
    is re-signed whenever a credential on it is revoked."""

    signing_key = models.OneToOneField(
        BadgeSigningKey, on_delete=models.PROTECT, related_name="status_list"
    )
    # Text, not JSONField: served byte for byte as signed (PostgreSQL's jsonb would
    # reorder the keys; harmless to the proof, but not "exactly as issued").
    signed_json = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    document = property(
        lambda self: json.loads(self.signed_json),
        lambda self, value: setattr(self, "signed_json", _dumps(value)),
    )

    def __str__(self) -> str:
        return f"Status list of {self.signing_key}"


class IssuedBadge(models.Model):
    """The Open Badges 3.0 credential issued for a completed enrolment, exactly as signed."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="issued_badge"
    )
    public_id = models.CharField(max_length=32, unique=True, default=_public_id, editable=False)
    signing_key = models.ForeignKey(BadgeSigningKey, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    signed_json = models.TextField()  # text for the reason given on BadgeStatusList
    is_public = models.BooleanField(
        default=False, help_text="The owner lets anyone with the link see the verification page."
    )
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["signing_key", "status_index"], name="issued_badge_status_index_unique"
            ),
            models.CheckConstraint(
                condition=Q(status_index__lt=STATUS_LIST_LENGTH),
                name="issued_badge_status_index_in_list",
            ),
        ]

    def __str__(self) -> str:
        return f"Badge for {self.enrollment}"

    document = property(
        lambda self: json.loads(self.signed_json),
        lambda self, value: setattr(self, "signed_json", _dumps(value)),
    )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
