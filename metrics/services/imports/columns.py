"""The columns of each import file: the one definition the parsers check rows against
and the upload pages show as the column rules (name, required or not, format or
allowed values, an example). The template CSV of a kind is its header and examples.

A parser takes a column's names, limits and allowed values from here, and refuses a
required column left empty with "<name> is empty" (tests/metrics/test_import_reports.py
holds every parser to its columns' `required`), so the page says what the importer
does."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.models import ActivityRecord


@dataclass(frozen=True)
class Column:
    """One column (or, in a JSON export, one field: `a.b` is field b inside object a)."""

    name: str
    required: bool
    format: str
    example: str
    allowed: tuple[str, ...] = ()  # the only values taken (any case), when the set is fixed

    @property
    def path(self) -> tuple[str, ...]:
        """The field's path in a JSON object."""
        return tuple(self.name.split("."))


MINUTES_MIN, MINUTES_MAX = 0, 24 * 60
SOURCE_ID_MAX = 200  # ActivityRecord.source_id and OutcomeObservation.source_id

_SOURCE_ID = (
    f"your id for the row, up to {SOURCE_ID_MAX} characters: a row whose id was imported "
    "before is skipped. Empty: the row's content is its identity"
)

ACTIVITY_COLUMNS = (
    Column(
        "person_email",
        True,
        "the email of exactly one person in Upskill (any case)",
        "ana@example.com",
    ),
    Column(
        "occurred_at",
        True,
        "ISO 8601 date (YYYY-MM-DD, meaning 00:00) or date and time; without an offset it is "
        "the site's time",
        "2025-03-03T10:00:00+00:00",
    ),
    Column(
        "minutes",
        True,
        f"whole number from {MINUTES_MIN} to {MINUTES_MAX:,}",
        "30",
    ),
    Column(
        "kind",
        True,
        "what the person did",
        "completed",
        allowed=tuple(ActivityRecord.Kind.values),
    ),
    Column("pathway", False, "a pathway's slug (as in its address)", "ai-basics"),
    Column("step", False, "a step's key in that pathway; needs pathway", "prompting-101"),
    Column("source_id", False, _SOURCE_ID, "lms-0001"),
)

OUTCOME_COLUMNS = (
    Column("team", True, "a team's slug (as on the Organisation page)", "payments"),
    Column("measure", True, "the key of an outcome measure", "cycle_time_days"),
    Column(
        "period_start",
        True,
        "ISO 8601 date; any day counts for the Monday of its ISO week",
        "2025-03-03",
    ),
    Column("value", True, "a number (a decimal point, no thousands separator)", "4.5"),
    Column("sample_size", True, "how many items or people the value is from: 1 or more", "12"),
    Column("source_id", False, _SOURCE_ID, "jira-2025-w10"),
)


def header_of(columns: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(column.name for column in columns)


def not_allowed(column: Column, value: str) -> str:
    """The reason a value is not one of a column's allowed values, or ""."""
    if value in column.allowed:
        return ""
    return f"{column.name} {value!r} is not one of {', '.join(column.allowed)}"
