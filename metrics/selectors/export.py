"""The rollups as CSV lines, for the dashboard's download and `manage.py export_rollups`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from metrics.models import WeeklyRollup
from metrics.selectors.filters import DashboardFilters
from metrics.selectors.totals import DISTINCT_PEOPLE, SUMMED, pathway_cells
from upskill import privacy

EXPORT_HEADER = ("team", "week_start", "pathway", "metric", "value", "people", "note")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ADDITIVE = tuple(m for m in SUMMED if m != DISTINCT_PEOPLE)


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates: a leading ' disarms it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value) -> str:
    """A number as a spreadsheet reads a number (-2.5, not '-2.5); anything else as
    disarmed text. Only real numbers take the number path, so a text that merely looks
    like one ("-1+2") is still text and still disarmed."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # the shortest text that reads back as the same float
    return spreadsheet_safe(str(value))


def rollup_export_lines(team_ids: Iterable[int] | None, filters: DashboardFilters | None = None):
    """CSV lines (header first) of the published rollup cells of the given teams (None =
    all): a hidden cell is left out entirely, value and people, so hidden and empty are
    the same in the file, and the rows are exactly the cells the dashboard adds up (for
    a pathway, its cells; else every disjoint cell and active learners of the team-week
    as a whole, noted). One query, streamed."""
    rows = WeeklyRollup.objects.filter(privacy.published_q()).order_by(
        "team__slug", "week_start", "pathway__slug", "metric"
    )
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    if filters is not None:
        rows = rows.filter(week_start__gte=filters.start, week_start__lte=filters.end)
        rows = pathway_cells(rows, filters.pathway)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(v) for v in values])
        return buffer.getvalue()

    def lines() -> Iterator[str]:
        yield line(EXPORT_HEADER)
        for team, week, pathway, metric, value, people in rows.values_list(
            "team__slug", "week_start", "pathway__slug", "metric", "value", "people"
        ).iterator(chunk_size=5_000):
            yield line(
                (
                    team,
                    week.isoformat(),
                    pathway or "",
                    metric,
                    value,
                    people,
                    _note(pathway, metric),
                )
            )

    return lines()


def _note(pathway: str | None, metric: str) -> str:
    """What a row without a pathway stands for (see WeeklyRollup)."""
    if pathway:
        return ""
    if metric in ADDITIVE:
        return "no pathway"
    return "all pathways"
