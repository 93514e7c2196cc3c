from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Team(models.Model):
    """A team in the organisation tree. Leaders see their teams and every team below."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_teams")

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
