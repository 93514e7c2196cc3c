"""Hypothesis throws arbitrary files at the CSV importer: it either reports or refuses
the file with a ValidationError — never another exception — and a refused or invalid
file writes nothing."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import ActivityRecord, ImportRun, OutcomeObservation
from metrics.services.imports import import_file_apply, import_file_validate
from tests.factories import PersonFactory, TeamFactory
from tests.metrics.csv_files import ACTIVITY_HEADER, OUTCOME_HEADER

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "fuzz@example.com",
            "FUZZ@EXAMPLE.COM",
            "2026-11-02",
            "2026-11-02T09:30:00+01:00",
            "2026-02-30",
            "30",
            "-1",
            "1441",
            "1e3",
            "NaN",
            "attended",
            "completed",
            '=HYPERLINK("http://evil")',
            "+1",
            "@SUM(A1)",
            '"quoted, with comma"',
            "fuzz-team",
            "cycle_time_days",
            "0",
        ]
    ),
)
row = st.lists(cell, min_size=0, max_size=9).map(
    lambda cells: ",".join(c.replace("\n", " ").replace("\r", " ") for c in cells)
)


def _file(header: str, rows: list[str], encoding: str) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return text.encode(encoding, errors="replace")


def _nothing_written():
    return not ActivityRecord.objects.exists() and not OutcomeObservation.objects.exists()


@pytest.fixture
def known():
    PersonFactory(user__email="fuzz@example.com")
    TeamFactory(slug="fuzz-team")


@FUZZ
@given(data=st.binary(max_size=2_000), kind=st.sampled_from(["activity", "outcomes"]))
def test_random_bytes_are_reported_or_refused_never_crash(known, data, kind):
    try:
        report = import_file_validate(kind=kind, source=io.BytesIO(data))
    except ValidationError:
        return
    assert report.rows_valid + report.rows_invalid == report.rows_total


@FUZZ
@given(
    rows=st.lists(row, max_size=12),
    kind=st.sampled_from(["activity", "outcomes"]),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_an_invalid_file_applied_all_or_nothing_writes_nothing(known, rows, kind, encoding):
    header = ACTIVITY_HEADER if kind == "activity" else OUTCOME_HEADER
    content = _file(header, rows, encoding)
    try:
        report = import_file_validate(kind=kind, source=io.BytesIO(content))
    except ValidationError:
        assert _nothing_written()
        return
    run = ImportRun.objects.create(kind=kind)
    try:
        applied = import_file_apply(
            kind=kind, source=io.BytesIO(content), import_run=run, allow_invalid=False
        )
    except ValidationError:
        assert report.rows_invalid > 0
        assert _nothing_written()
        return
    # Only a file with no bad rows gets here, and it wrote exactly its new valid rows.
    assert report.rows_invalid == 0
    written = ActivityRecord.objects.count() + OutcomeObservation.objects.count()
    assert written == applied.rows_inserted
    ActivityRecord.objects.all().delete()
    OutcomeObservation.objects.all().delete()


@FUZZ
@given(width=st.integers(10_001, 40_000))
def test_a_line_over_the_limit_refuses_the_file(known, width):
    content = _file(ACTIVITY_HEADER, ["x" * width], "utf-8")
    with pytest.raises(ValidationError):
        import_file_validate(kind="activity", source=io.BytesIO(content))
