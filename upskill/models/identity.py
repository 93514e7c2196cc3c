"""Identity: refused requests, identity-provider connections (SCIM), HR sync runs,
single sign-on links and sign-in events."""

from django.conf import settings
from django.db import models


class AccessDenial(models.Model):
    """A refused request (HTTP 403): who asked for what. Part of the audit trail that
    L&D admins browse; sign-ins come from django-axes and changes from django-auditlog."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_denials",
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} refused"


class ScimConnection(models.Model):
    """One identity provider (Okta, Entra ID) provisioning over SCIM 2.0, with its own
    bearer token. Only the token's SHA-256 and first characters are stored."""

    name = models.CharField(max_length=120)
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell tokens apart."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SCIM connection"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class HrSyncRun(models.Model):
    """An HR sync uploaded in the browser: the two files, the plan a job made of them,
    and whether it was applied. The files are kept as text (they are small: 50,000 people
    is about 5 MB) so the job and the confirmation read exactly what was uploaded."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PLANNING = "planning", "Planning"
        PLANNED = "planned", "Planned — waiting for confirmation"
        APPLYING = "applying", "Applying"
        DONE = "done", "Applied"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.PENDING, Status.PLANNING, Status.APPLYING)

    teams_csv = models.TextField(blank=True)
    people_csv = models.TextField(blank=True)
    teams_name = models.CharField(max_length=255, blank=True)
    people_name = models.CharField(max_length=255, blank=True)
    full = models.BooleanField(
        default=False, help_text="People and teams missing from the files leave / are removed."
    )
    allow_mass_leavers = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    plan = models.JSONField(default=dict, blank=True)
    row_errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "HR sync run"

    def __str__(self) -> str:
        return f"HR sync #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total or self.status == self.Status.APPLYING:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)


class IdentityLink(models.Model):
    """A person's identity at the identity provider: the issuer's immutable subject
    (`sub`), stored the first time they sign in with it and matched first from then on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_links"
    )
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_link_unique"),
            models.UniqueConstraint(fields=["user", "issuer"], name="identity_link_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"


class SignInEvent(models.Model):
    """Single sign-on and sign-out in the audit trail: sign-ins, refusals with their
    reason, first links and sign-outs. Never a token, code or secret: `identity` is the
    claim the person was looked up by (an email or employee id) and the `sub`."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in with single sign-on"
        REFUSED = "refused", "Sign-in refused"
        LINKED = "linked", "Identity linked"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_ENDED = "session_ended", "Session ended"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sign_in_events",
    )
    identity = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identity}".strip()
