"""The rollups as CSV lines, for the dashboard's download and `manage.py export_rollups`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.conf import settings

from metrics.models import WeeklyRollup
from metrics.selectors.filters import DashboardFilters

EXPORT_HEADER = ("team", "week_start", "pathway", "metric", "value", "people", "note")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    """CSV lines (header first) of the rollups of the given teams (None = all), with
    figures for fewer than MIN_GROUP_SIZE people blanked and noted. One query, streamed."""
    rows = WeeklyRollup.objects.order_by("team__slug", "week_start", "pathway__slug", "metric")
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    if filters is not None:
        rows = rows.filter(week_start__gte=filters.start, week_start__lte=filters.end)
        if filters.pathway:
            rows = rows.filter(pathway=filters.pathway)
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
            suppressed = people < settings.MIN_GROUP_SIZE
            shown = "" if suppressed else value
            yield line(
                (
                    team,
                    week.isoformat(),
                    pathway or "",
                    metric,
                    shown,
                    people,
                    "suppressed" if suppressed else "",
                )
            )

    return lines()
