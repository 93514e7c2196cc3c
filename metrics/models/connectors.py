"""The identity map (who a login in another tool is) and the per-item records the tool
connectors keep, from which each team's weekly outcome observations are computed."""

from django.db import models
from django.db.models import Q

from upskill.models import Person


class ToolLogin(models.Model):
    """A person's login in another tool, effective from `valid_from` to `valid_to`
    (inclusive; open when null). A login that passes to someone else (a recycled
    helpdesk agent id, a shared Jira account handed over) gets a new row, and work dated
    inside a row's period counts for that row's person. Which *team* it counts for is
    the person's current team, the rule every rollup follows (README, "Connecting your
    tools"). Copilot reports GitHub logins, so it reads the `github` rows."""

    class System(models.TextChoices):
        JIRA = "jira", "Jira"
        GITHUB = "github", "GitHub (pull requests and Copilot)"
        ZENDESK = "zendesk", "Zendesk"
        FRESHDESK = "freshdesk", "Freshdesk"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tool_logins")
    system = models.CharField(max_length=16, choices=System.choices)
    # Stored trimmed and lower-cased: GitHub logins and emails compare case-insensitively,
    # and Jira account ids and helpdesk ids are lower case or digits anyway.
    login = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "login", "valid_from"], name="tool_login_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="tool_login_period_ordered",
            ),
        ]
        ordering = ["system", "login", "valid_from"]

    def __str__(self) -> str:
        return f"{self.system}:{self.login} -> {self.person_id} from {self.valid_from}"


class ToolRecord(models.Model):
    """One item of work from a tool, attributed to a person: a resolved Jira issue, a
    merged pull request, a person's day of Copilot use, a helpdesk satisfaction rating.

    Kept (rather than only the weekly figures) so that a re-imported or overlapping
    export is deduplicated item by item on (source, source_id), and a week's figures
    are recomputed from every item stored for it, whichever files they came in.
    Which fields an item fills, by source:
    - jira: hours = start → resolved, where start is the issue's first transition to an
      In Progress-category status when an issue-history file gave one (a ToolMilestone),
      else created; flag = is a Bug/Incident; ref = the Jira issue id (the history
      file's `issue_id`);
    - github: hours = created → merged; response_hours = created → first review, when
      a reviews file gave one (a ToolMilestone keyed by the source id);
    - copilot: flag = was active that day, count = suggestions accepted;
    - zendesk / freshdesk: flag = the rating was good.
    Written in bulk by the importer like ActivityRecord, so the person's foreign key is
    not checked by the database; the importer locks the people rows it refers to."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    occurred_at = models.DateTimeField()
    hours = models.FloatField(null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    count = models.IntegerField(null=True, blank=True)
    response_hours = models.FloatField(null=True, blank=True)
    ref = models.CharField(max_length=40, blank=True, default="")
    source = models.CharField(max_length=40)
    source_id = models.CharField(max_length=200)
    import_run = models.ForeignKey(
        "ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="tool_record_unique_source_id"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "occurred_at"], name="tool_record_source_when"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} ({self.person_id})"


class ToolMilestone(models.Model):
    """When an item first reached a milestone that another file of the same tool tells:
    a Jira issue's first transition to an In Progress-category status (from the data
    pipeline's issue-history file; `ref` = the issue id), a pull request's first review
    (from the list-reviews JSON; `ref` = "owner/repo#number"). Kept apart from the items
    so either file can come first: the items' hours are updated from it whenever one
    of the two arrives, and an earlier moment replaces a later one (an overlapping
    export)."""

    source = models.CharField(max_length=40)  # the items' source: jira, github
    ref = models.CharField(max_length=200)
    reached_at = models.DateTimeField()
    import_run = models.ForeignKey(
        "ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "ref"], name="tool_milestone_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.ref} at {self.reached_at}"
