"""The xAPI receiver's records: API keys, statements as received, and the mapping an
L&D admin configures from verb IRIs to activity kinds and from activity ids to steps."""

from django.conf import settings
from django.db import models

from metrics.models.records import ActivityRecord
from pathways.models import Step

IRI_MAX = 2_000  # the receiver refuses longer strings (services.xapi.MAX_STRING)
# Unique columns stay under PostgreSQL's btree row limit (2,704 bytes) even when every
# character takes four bytes in UTF-8.
MAPPED_IRI_MAX = 600


class XapiKey(models.Model):
    """An API key an LMS/LRS uses to forward xAPI statements. Only a hash is stored."""

    name = models.CharField(max_length=120)
    prefix = models.CharField(
        max_length=12, help_text="The key's first characters, to tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class XapiStatement(models.Model):
    """One statement exactly as a client sent it (plus the id the receiver gave it when it
    had none), and what Upskill made of it. Counted statements also have an
    ActivityRecord with source "xapi" and source_id = statement_id."""

    class Outcome(models.TextChoices):
        # Labels complete "42 statements ..." on the mapping page's report.
        COUNTED = "counted", "counted as activity"
        VOIDING = "voiding", "voiding other statements"
        VOIDED = "voided", "voided"
        VERB_NOT_COUNTED = "verb", "with verbs Upskill does not count"
        ACTIVITY_NOT_MAPPED = "activity", "about activities not mapped to a step"
        PERSON_NOT_FOUND = "person", "whose actor is not one known person"
        NOT_RECORDABLE = "other", "not recordable as activity (e.g. over a day long)"

    statement_id = models.UUIDField(unique=True)
    xapi_key = models.ForeignKey(XapiKey, on_delete=models.CASCADE, related_name="statements")
    received = models.JSONField(help_text="The statement as received.")
    stored_at = models.DateTimeField()
    verb_iri = models.CharField(max_length=IRI_MAX)
    voids = models.UUIDField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(
        max_length=IRI_MAX, blank=True, help_text="Why it is not counted, in a few words."
    )

    class Meta:
        ordering = ["-stored_at"]
        # Not verb_iri too: a long IRI would overflow a btree row.
        indexes = [models.Index(fields=["outcome"], name="xapi_statement_outcome")]

    def __str__(self) -> str:
        return f"{self.statement_id} ({self.get_outcome_display()})"


class XapiVerbMapping(models.Model):
    """A verb IRI (matched exactly) that counts as one activity kind."""

    verb_iri = models.CharField(max_length=MAPPED_IRI_MAX, unique=True)
    kind = models.CharField(max_length=16, choices=ActivityRecord.Kind.choices)

    class Meta:
        ordering = ["verb_iri"]

    def __str__(self) -> str:
        return f"{self.verb_iri} -> {self.kind}"


class XapiActivityMapping(models.Model):
    """A foreign activity id (e.g. a Moodle course URL), matched exactly, that is a step."""

    activity_iri = models.CharField(max_length=MAPPED_IRI_MAX, unique=True)
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="xapi_mappings")

    class Meta:
        ordering = ["activity_iri"]

    def __str__(self) -> str:
        return f"{self.activity_iri} -> {self.step_id}"
