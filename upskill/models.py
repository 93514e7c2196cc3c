import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# Rows made before provisioning (the demo seed, the Django admin, rows that existed when
# the keys were introduced) carry a placeholder key with this prefix. The first HR sync
# or SCIM create that names the same email (people) or name (teams) adopts the row and
# gives it the real key, so an organisation can start from what is already there
# without a second copy of anyone; a real key is never changed afterwards.
UNKEYED_PREFIX = "unkeyed-"
EXTERNAL_KEY_LENGTH = 64


def unkeyed_id() -> str:
    return UNKEYED_PREFIX + secrets.token_hex(8)


class Team(models.Model):
    """A team in the organisation tree. Leaders see their teams and every team below."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_teams")
    external_id = models.CharField(
        "team id",
        max_length=EXTERNAL_KEY_LENGTH,
        unique=True,
        default=unkeyed_id,
        help_text="The HR system's immutable team id; HR sync and SCIM key teams on it.",
    )
    # Set when a full HR sync no longer lists the team. The row stays (its history and
    # rollups are keyed on it); nobody active may be in it, and it leads nobody.
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="team_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JobRole(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """An employee: exactly one team, one job role, optionally a manager (another person)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members")
    job_role = models.ForeignKey(JobRole, on_delete=models.PROTECT, related_name="people")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    joined_on = models.DateField(null=True, blank=True)
    employee_id = models.CharField(
        max_length=EXTERNAL_KEY_LENGTH,
        unique=True,
        default=unkeyed_id,
        help_text=(
            "The HR system's immutable employee id; HR sync and SCIM key people on it, "
            "never on email (an email change keeps the same person)."
        ),
    )
    # Set when HR sync or SCIM makes the person a leaver (their user is deactivated;
    # the Person and all their history stay).
    left_on = models.DateField(null=True, blank=True)
    # Set when the identity provider DELETEs the user over SCIM: a leaver whom SCIM no
    # longer lists (the Person and its history stay).
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(manager__isnull=True) | ~Q(manager=F("pk")),
                name="person_not_own_manager",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_leaver(self) -> bool:
        return self.left_on is not None


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


class Notification(models.Model):
    """Something a person should act on, shown in the bell and (unless they turned the
    kind off) emailed. `key` names the event, so the same event never notifies twice:
    a re-run of a due job, a redelivered task or two workers at once all hit the unique
    key. Bodies never quote evidence or pulse answers: they say what happened and link
    to the page that acts on it."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled in a pathway"
        DUE_SOON = "due_soon", "A pathway is due in 7 days"
        OVERDUE = "overdue", "A pathway is overdue"
        REVIEW_OUTCOME = "review_outcome", "Your evidence was reviewed"
        PULSE_OPENED = "pulse_opened", "A pulse opened"
        PULSE_CLOSING = "pulse_closing", "A pulse closes in 2 days"
        RECOGNISED = "recognised", "A colleague recognised you"
        REVIEW_WAITING = "review_waiting", "Evidence waiting for your review"
        CHECK_IN_DUE = "check_in_due", "A commitment check-in is due"
        COMMITMENT_BEHIND = "commitment_behind", "A commitment is falling behind"
        DIGEST = "digest", "The weekly leader digest"
        IMPORT_FINISHED = "import_finished", "An import finished or failed"
        HR_SYNC_APPLIED = "hr_sync_applied", "An HR sync was applied"

    class Email(models.TextChoices):
        PENDING = "pending", "Waiting to be emailed"
        SENDING = "sending", "Being emailed"
        SENT = "sent", "Emailed"
        SKIPPED = "skipped", "Not emailed (turned off, or no address)"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, help_text="The page that acts on it (a path).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.PENDING)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_claim = models.CharField(max_length=32, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["email", "recipient"],
                condition=Q(email__in=["pending", "sending"]),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for user #{self.recipient_id}"


class NotificationPreference(models.Model):
    """One person's choices. Absent means the quiet defaults: every kind in the bell,
    every kind by email (batched into at most one email a day, review outcomes at once),
    the leader digest on, the site time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_off = models.JSONField(
        default=list, blank=True, help_text="Kinds never emailed (still shown in the bell)."
    )
    digest = models.BooleanField(default=True, help_text="The weekly leader digest.")
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="For due dates; empty means the site time zone."
    )
    # The day (in the person's time zone) their batched email last went; taken under a
    # row lock (select_for_update, skip_locked) so two workers never both send "today's".
    batch_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notification preferences of user #{self.user_id}"


class TeamChatWebhook(models.Model):
    """A team's chat channel: a Slack or Microsoft Teams incoming-webhook URL, set by an
    L&D admin. Only team-level notifications are posted to it (check-in due, commitment
    behind, the weekly digest summary); never anything personal. The URL is a secret
    (whoever has it can post to the channel), so pages show only its host."""

    class Service(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="chat_webhook")
    service = models.CharField(max_length=8, choices=Service.choices)
    url = models.URLField("webhook URL", max_length=500)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.get_service_display()} webhook of {self.team}"


class TeamChatPost(models.Model):
    """One message for a team's chat channel, delivered like an email: `pending`, claimed
    (`sending`, with the claimer's token), then `sent`; a failed POST goes back to
    `pending` for the retry and the beat catch-up. `key` names the event, so it is posted
    once. `failed` is a refusal the service will repeat (a 4xx: a deleted webhook); saving
    the team's webhook again puts those back to pending. `skipped`: the team had no
    active webhook by the time it was sent."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be posted"
        SENDING = "sending", "Being posted"
        SENT = "sent", "Posted"
        FAILED = "failed", "Refused by the chat service"
        SKIPPED = "skipped", "Not posted (no active webhook)"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="chat_posts")
    kind = models.CharField(max_length=32, choices=Notification.Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, help_text="The page that acts on it (a path).")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["state", "team"],
                condition=Q(state__in=["pending", "sending"]),
                name="team_chat_post_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.team_id} ({self.state})"


class OutcomeMeasure(models.Model):
    """One of the organisation's outcome measures (cycle time, quality, customer
    outcomes, confidence): the shared vocabulary that pathways target and metrics
    observes, so it lives in the app both read.

    The table keeps the name it had when metrics owned the model (moved with a state-only
    migration, no data copied)."""

    class Direction(models.TextChoices):
        LOWER = "lower", "Lower is better"
        HIGHER = "higher", "Higher is better"

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "metrics_outcomemeasure"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
