"""Notifications: what a person should act on, their preferences, and team chat channels."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from upskill.models.organisation import Team


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
