"""Where each kind of parsed row is written: its table, columns, staging table, COPY
text line and the rows it refers to. Both writers (writer_pg, writer_orm) read it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model

from metrics.models import ActivityRecord, ImportRun, OutcomeObservation
from pathways.models import Pathway, Step
from upskill.models import Person

COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A string as a field of COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(COPY_ESCAPES)
    return value


def _activity_line(row: tuple) -> str:
    """A parsed activity row as a line of COPY text (without its end): formatting it
    here costs half of psycopg's write_row (bench/metrics_bench.py)."""
    person, _team, pathway, step, occurred_at, minutes, kind, source_id = row
    return (
        f"{person}\t{COPY_NULL if pathway is None else pathway}"
        f"\t{COPY_NULL if step is None else step}"
        f"\t{occurred_at.isoformat()}\t{minutes}\t{kind}\t{_copy_text(source_id)}"
    )


def _outcome_line(row: tuple) -> str:
    team, measure, period_start, value, sample_size, source_id = row
    return (
        f"{team}\t{measure}\t{period_start.isoformat()}\t{value!r}\t{sample_size}"
        f"\t{_copy_text(source_id)}"
    )


@dataclass(frozen=True)
class _RawTable:
    """Where one kind of parsed row is written, and how."""

    model: type[Model]
    staging: str
    columns: tuple[tuple[str, str], ...]  # (column, SQL type) written from a row
    values: Callable[[tuple], tuple]  # a parsed row -> its values for `columns`
    line: Callable[[tuple], str]  # the same as a line of COPY text
    # (model, position in the parsed row): rows the database does not check foreign
    # keys for (ActivityRecord), locked by _referents_lock instead.
    referents: tuple[tuple[type[Model], int], ...] = ()

    @property
    def names(self) -> str:
        return ", ".join(column for column, _type in self.columns)


RAW_TABLES = {
    ImportRun.Kind.ACTIVITY: _RawTable(
        model=ActivityRecord,
        staging="metrics_activity_staging",
        columns=(
            ("person_id", "bigint"),
            ("pathway_id", "bigint"),
            ("step_id", "bigint"),
            ("occurred_at", "timestamptz"),
            ("minutes", "smallint"),
            ("kind", "varchar(16)"),
            ("source_id", "varchar(200)"),
        ),
        values=lambda row: (row[0], *row[2:]),  # all but the team
        line=_activity_line,
        referents=((Person, 0), (Pathway, 2), (Step, 3)),
    ),
    ImportRun.Kind.OUTCOMES: _RawTable(
        model=OutcomeObservation,
        staging="metrics_outcome_staging",
        columns=(
            ("team_id", "bigint"),
            ("measure_id", "bigint"),
            ("period_start", "date"),
            ("value", "double precision"),
            ("sample_size", "integer"),
            ("source_id", "varchar(200)"),
        ),
        values=lambda row: row,
        line=_outcome_line,
    ),
}


ParsedRows = Callable[[], Iterable[tuple]]  # each call reads the rows from the start
