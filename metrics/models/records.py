"""Raw activity and outcome records, import runs, and the rollups computed from them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pathways.models import Pathway, Step
from upskill.learning_activity import ActivityKind

# OutcomeMeasure lives in upskill (the organisation's vocabulary of measures, which
# pathways target too); metrics' own modules import it from here.
from upskill.models import OutcomeMeasure, Person, Team


class ActivityRecord(models.Model):
    """One raw learning activity. May hold millions of rows; never read by dashboards.

    Written in bulk (imports of a million rows), so the table carries only the indexes
    something reads through, and its foreign keys are not checked by the database
    (db_constraint=False): PostgreSQL checks a deferred foreign key with one query per
    inserted row at commit, which cost more than the insert itself
    (bench/metrics_bench.py). Integrity is kept where the rows are written instead: every
    writer validates the person, pathway and step, and the importer locks the rows it
    refers to (FOR KEY SHARE, as a foreign-key check would) in one statement per table.
    Deletes still cascade / set null, done by Django. Readers join to person and
    pathway, so a row whose referent vanished in a race is never counted."""

    # The kinds are upskill's (the port pathways records its learners' activity through).
    Kind = ActivityKind

    # No single-column index on person: (person, occurred_at) below serves it.
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="activity",
        db_constraint=False,
        db_index=False,
    )
    pathway = models.ForeignKey(
        Pathway,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
        db_constraint=False,
        db_index=False,
    )
    step = models.ForeignKey(
        Step,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
        db_constraint=False,
        db_index=False,
    )
    occurred_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(1440)]
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=40, help_text='e.g. "app", "csv", "xapi"')
    source_id = models.CharField(max_length=200)
    # import_run grows with insertion order, so on PostgreSQL it has a BRIN index
    # (migration 0005: a few pages, nearly free to maintain). created_at keeps a btree:
    # it only ever appends at the right edge (cheap), and a BRIN range answers only
    # once VACUUM has summarised it, which made the dashboard's "rows waiting" count
    # scan every recent page where autovacuum is off or behind (migration 0007).
    import_run = models.ForeignKey(
        "ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="activity_unique_source_id"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=0, minutes__lte=1440), name="activity_minutes_in_a_day"
            ),
        ]
        indexes = [
            # The incremental rollup reads a scope's rows through this index alone (an
            # index-only scan: every column it aggregates is in it), so its cost follows
            # the rows of the weeks it recomputes, not the table's size; without the
            # included columns PostgreSQL scanned the whole table instead (README,
            # "Ten million rows"). SQLite ignores `include` (models.W040, silenced).
            models.Index(
                fields=["person", "occurred_at"],
                include=["pathway", "step", "minutes", "kind"],
                name="activity_person_occurred_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.kind} {self.minutes} min at {self.occurred_at:%Y-%m-%d}"


class OutcomeObservation(models.Model):
    """A team's value for an outcome measure in one ISO week (period_start is a Monday)."""

    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="observations"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="outcome_observations")
    period_start = models.DateField()
    value = models.FloatField()
    sample_size = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # The number of distinct people whose work produced the value (a tool connector
    # knows it: the assignees, authors, agents). Null for uploaded rows, which say only
    # their sample size; the rollup then counts the sample size as the people.
    people = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=40)
    source_id = models.CharField(max_length=200)
    import_run = models.ForeignKey(
        "ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="observation_unique_source_id"
            ),
            models.CheckConstraint(
                condition=Q(sample_size__gte=1), name="observation_sample_positive"
            ),
        ]
        indexes = [models.Index(fields=["team", "period_start"], name="observation_team_period")]

    def __str__(self) -> str:
        return f"{self.measure.key} · {self.team} · {self.period_start}: {self.value}"


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        ACTIVITY = "activity", "Activity"
        OUTCOMES = "outcomes", "Outcomes"
        # Tool exports, mapped to people by the identity map (metrics/services/connectors).
        JIRA = "jira", "Jira issues"
        GITHUB_PRS = "github-prs", "GitHub pull requests"
        COPILOT = "copilot", "GitHub Copilot usage"
        ZENDESK = "zendesk", "Zendesk satisfaction"
        FRESHDESK = "freshdesk", "Freshdesk satisfaction"
        # The identity map (whose login in which tool), loaded on its own page, all or
        # nothing: a run records each load and keeps a refused file for its bad rows.
        IDENTITY_MAP = "identity-map", "Identity map"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VALIDATING = "validating", "Validating"
        VALIDATED = "validated", "Validated — waiting for confirmation"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.PENDING, Status.VALIDATING, Status.IMPORTING)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    row_errors = models.JSONField(default=list, blank=True)
    # Tool exports: {login: rows} whose login no identity-map row or email matched, and
    # {reason: rows} left out without being wrong (an unresolved issue, an open PR).
    unmatched_logins = models.JSONField(default=dict, blank=True)
    rows_skipped = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    # Progress of the current pass, for the upload page's progress bar.
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        """A job is working on it: the page keeps polling."""
        return self.status in self.ACTIVE

    @property
    def progress_percent(self) -> int | None:
        if not self.bytes_total or self.status == self.Status.IMPORTING:
            return None  # apply's progress is inside its transaction: indeterminate
        return min(100, self.bytes_done * 100 // self.bytes_total)


class WeeklyRollup(models.Model):
    """One metric for one team, ISO week and pathway: a cell of the privacy layer.

    Null pathway: for the counts that add up (learning_minutes, steps_completed) the
    activity on no pathway, so a team-week's cells are disjoint and "all pathways" is
    their sum; for active_learners, whose distinct people don't add up across pathways,
    and for outcome measures, which are not split by pathway, the team-week as a whole.

    `people` is the number of distinct people behind `value`; a row for fewer than
    MIN_GROUP_SIZE is a hidden cell and contributes to no figure (upskill.privacy).
    """

    # Derived rows, rewritten wholesale from the raw tables by the rollup, which joins
    # teams and pathways as it computes: the database's per-row foreign-key checks would
    # cost a full rebuild a second (bench/metrics_bench.py) and guard nothing more.
    # Deletes still cascade, done by Django.
    # (team, week_start) below serves what a single-column team index would.
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        related_name="rollups",
        db_constraint=False,
        db_index=False,
    )
    week_start = models.DateField()
    pathway = models.ForeignKey(
        Pathway,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rollups",
        db_constraint=False,
    )
    metric = models.CharField(max_length=60)
    value = models.FloatField()
    people = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Two partial indexes because NULLs are distinct in a plain unique index and
            # SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["team", "week_start", "pathway", "metric"],
                condition=Q(pathway__isnull=False),
                name="rollup_unique_pathway_bucket",
            ),
            models.UniqueConstraint(
                fields=["team", "week_start", "metric"],
                condition=Q(pathway__isnull=True),
                name="rollup_unique_all_pathways_bucket",
            ),
        ]
        indexes = [models.Index(fields=["team", "week_start"], name="rollup_team_week")]

    def __str__(self) -> str:
        return f"{self.team} · {self.week_start} · {self.metric} = {self.value} ({self.people})"


class RollupDirtyBucket(models.Model):
    """A (team, ISO week) whose rollups must be recomputed.

    Written in the same transaction as the raw rows that dirtied it, so a rollup either
    sees both or neither. Deliberately not unique: a rollup deletes exactly the markers
    it read (by id), so a marker committed by an overlapping import after the rollup
    took its snapshot survives for the next run instead of being swallowed by a
    conflicting older marker.
    """

    team_id = models.BigIntegerField()
    week_start = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["team_id", "week_start"], name="dirty_bucket_team_week")]

    def __str__(self) -> str:
        return f"dirty team {self.team_id} week {self.week_start}"


class RollupAttribution(models.Model):
    """The team each person's activity was last rolled up under. A person whose current
    team differs has moved: the catch-up recomputes both teams' weeks they were active."""

    person_id = models.BigIntegerField(primary_key=True)
    team_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"person {self.person_id} -> team {self.team_id}"


class RollupState(models.Model):
    """Singleton (pk=1): when rollups last ran, and the catch-up's scan watermark."""

    last_run_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    scanned_until = models.DateTimeField(null=True, blank=True)
    # Grows by one with every rollup that rewrote rows: the cached impact estimates are
    # keyed on it (a catch-up that found nothing keeps them).
    generation = models.PositiveBigIntegerField(default=0)
    # The generation of the last rollup that rewrote every team's rows (a full rebuild,
    # rows edited by hand); an incremental one records its teams in RollupTeamGeneration.
    rebuilt_generation = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"rollups last ran {self.last_run_at}"


class RollupTeamGeneration(models.Model):
    """The generation of the last incremental rollup that rewrote a team's rows. The
    dashboard's cached figures (upskill.cache) are keyed on the largest of its teams'
    and the last rebuild's, so a rollup of other teams' activity leaves them cached."""

    team_id = models.BigIntegerField(primary_key=True)
    generation = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"team {self.team_id} rolled up at generation {self.generation}"
