"""Reads for recognition (colleagues to recognise, what was received, the team's feed)
and badges (completed pathways, their Open Badges 3.0 credential)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from pathways.models import (
    Enrollment,
    Recognition,
    Stage,
)
from upskill.models import Person

# --- Recognition and badges ---------------------------------------------------------------


def recognition_colleagues(person: Person) -> QuerySet[Person]:
    """Whom the person can recognise: their team, their manager and their reports —
    never a leaver."""
    condition = Q(team_id=person.team_id) | Q(manager=person)
    if person.manager_id:
        condition |= Q(pk=person.manager_id)
    return (
        Person.objects.filter(condition, user__is_active=True)
        .exclude(pk=person.pk)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )


def recognitions_received(person: Person, *, limit: int = 20) -> list[Recognition]:
    return list(
        Recognition.objects.filter(to_person=person)
        .select_related("from_person__user")
        .order_by("-created_at")[:limit]
    )


def team_recognition_feed(person: Person, *, limit: int = 20) -> list[Recognition]:
    """Recognitions received by people in the person's team, newest first."""
    return list(
        Recognition.objects.filter(to_person__team_id=person.team_id)
        .select_related("from_person__user", "to_person__user")
        .order_by("-created_at")[:limit]
    )


def completed_enrollments(person: Person) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(person=person, completed_at__isnull=False)
        .select_related("pathway")
        .order_by("-completed_at")
    )


def badge_enrollment(person: Person, enrollment_id: int) -> Enrollment | None:
    """The person's own completed enrolment, or None (never someone else's)."""
    return (
        Enrollment.objects.filter(pk=enrollment_id, person=person, completed_at__isnull=False)
        .select_related("pathway", "person__user")
        .prefetch_related(Prefetch("pathway__stages", queryset=Stage.objects.order_by("position")))
        .first()
    )


# --- Open Badges 3.0 ----------------------------------------------------------------------

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def badge_document(enrollment: Enrollment, *, credential_url: str, site_url: str) -> dict:
    """The completed enrolment as an Open Badges 3.0 OpenBadgeCredential (a W3C
    Verifiable Credential 2.0). Unsigned: it carries no `proof`, so a verifier can read
    it but cannot check it cryptographically.

    The learner is identified by a salted SHA-256 hash of their email (OB 3.0's
    IdentityObject), so the file names no address in clear text."""
    pathway = enrollment.pathway
    person = enrollment.person
    site_url = site_url.rstrip("/")
    issuer_name = getattr(settings, "BADGE_ISSUER_NAME", "Upskill")
    stages = [stage.title for stage in pathway.stages.all()]
    narrative = (
        f"Completed every step of the “{pathway.title}” pathway"
        + (f" ({', '.join(stages)})" if stages else "")
        + ", including practice on real work reviewed against the learner's role rubric."
    )
    subject: dict = {"type": ["AchievementSubject"]}
    if person.email:
        salt = uuid.uuid5(uuid.NAMESPACE_URL, credential_url).hex
        digest = hashlib.sha256((person.email.lower() + salt).encode()).hexdigest()
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": f"sha256${digest}",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    subject["achievement"] = {
        "id": f"{site_url}/achievements/{pathway.slug}",
        "type": ["Achievement"],
        "achievementType": "LearningProgram",
        "name": pathway.title,
        "description": pathway.summary or f"Completed the “{pathway.title}” pathway.",
        "criteria": {"narrative": narrative},
    }
    return {
        "@context": OB3_CONTEXT,
        "id": credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": f"{site_url}/", "type": ["Profile"], "name": issuer_name},
        "validFrom": enrollment.completed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": f"{pathway.title} — pathway completed",
        "credentialSubject": subject,
    }
