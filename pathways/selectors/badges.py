"""Reads for verifiable Open Badges 3.0: the credential document, the issuer's public
profile, the public verification and achievement pages, and the L&D admin's list.

Every id in a document is built on settings.SITE_URL, never on the request's Host, so
a credential means the same thing however it was fetched."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from pathways.models import (
    BadgeSigningKey,
    Enrollment,
    IssuedBadge,
    Pathway,
)
from pathways.selectors.learning.recognition import OB3_CONTEXT, badge_document
from upskill.models import Person


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def issuer_url() -> str:
    return site_url(reverse("pathways:badge_issuer"))


def status_list_url(signing_key: BadgeSigningKey) -> str:
    return site_url(reverse("pathways:badge_status_list", args=[signing_key.pk]))


def credential_url(public_id: str) -> str:
    return site_url(reverse("pathways:badge_public", args=[public_id]))


def achievement_url(pathway: Pathway) -> str:
    return site_url(reverse("pathways:achievement", args=[pathway.slug]))


def achievement_image_url(pathway: Pathway) -> str:
    return site_url(reverse("pathways:achievement_image", args=[pathway.slug]))


def issuer_embedded(signing_key: BadgeSigningKey) -> dict:
    """The issuer as a credential names it: its did:key, and where its profile lives."""
    return {
        "id": signing_key.did,
        "type": ["Profile"],
        "name": settings.BADGE_ISSUER_NAME,
        "url": issuer_url(),
    }


def badge_credential(
    enrollment: Enrollment, *, public_id: str, signing_key: BadgeSigningKey, status_index: int
) -> dict:
    """The completed enrolment as an OpenBadgeCredential, ready to sign: the document
    of badge_document with a stable issuer, resolvable ids, the badge image and a
    revocation entry in the signing key's Bitstring Status List."""
    url = credential_url(public_id)
    document = badge_document(enrollment, credential_url=url, site_url=settings.SITE_URL)
    document["issuer"] = issuer_embedded(signing_key)
    achievement = document["credentialSubject"]["achievement"]
    achievement["id"] = achievement_url(enrollment.pathway)
    achievement["image"] = {
        "id": achievement_image_url(enrollment.pathway),
        "type": "Image",
        "caption": f"The “{enrollment.pathway.title}” badge",
    }
    list_url = status_list_url(signing_key)
    document["credentialStatus"] = {
        "id": f"{list_url}#{status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status_index),
        "statusListCredential": list_url,
    }
    return document


def issuer_profile(keys: list[BadgeSigningKey]) -> dict:
    """The public issuer profile (OB 3.0 Profile): the current DID as its id, the DIDs
    of retired keys as other identifiers, so a verifier holding an older credential can
    still see the site vouch for the key that signed it."""
    current = next((key for key in keys if key.retired_at is None), None)
    profile: dict = {
        "@context": OB3_CONTEXT,
        "id": current.did if current else issuer_url(),
        "type": ["Profile"],
        "name": settings.BADGE_ISSUER_NAME,
        "url": issuer_url(),
        "description": (
            "Issues Open Badges 3.0 credentials for completed learning pathways. Each "
            "credential is signed with an eddsa-rdfc-2022 Data Integrity proof by the "
            "did:key named here; keys listed as other identifiers are retired and "
            "sign nothing new."
        ),
    }
    retired = [key for key in keys if key.retired_at is not None]
    if retired:
        profile["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": key.did, "identifierType": "identifier"}
            for key in retired
        ]
    return profile


def signing_keys() -> list[BadgeSigningKey]:
    return list(BadgeSigningKey.objects.order_by("created_at", "pk"))


def own_badge_enrollment(person: Person, enrollment_id: int) -> Enrollment | None:
    """The person's own completed enrolment (never someone else's), with its pathway
    and, when issued, its badge and signing key joined: one query."""
    return (
        Enrollment.objects.filter(pk=enrollment_id, person=person, completed_at__isnull=False)
        .select_related("pathway", "person__user", "issued_badge__signing_key")
        .first()
    )


def public_badge(public_id: str) -> IssuedBadge | None:
    """A credential its owner has made public, with what its page shows; None for an
    unknown id and for a credential its owner keeps private (the same answer, so the
    page leaks nothing about a private one)."""
    return (
        IssuedBadge.objects.filter(public_id=public_id, is_public=True)
        .select_related("enrollment__pathway", "enrollment__person__user", "signing_key")
        .first()
    )


def achievement_pathway(slug: str) -> Pathway | None:
    """A pathway whose badge can exist: published or archived, never a draft."""
    return (
        Pathway.objects.filter(slug=slug)
        .exclude(status=Pathway.Status.DRAFT)
        .only("slug", "title", "summary", "status")
        .first()
    )


def issued_badges_for_admin() -> QuerySet[IssuedBadge]:
    """Every issued badge, newest first, with what the L&D admin's list shows (the view
    pages it)."""
    return IssuedBadge.objects.select_related(
        "enrollment__pathway", "enrollment__person__user", "revoked_by"
    ).order_by("-issued_at", "-pk")
