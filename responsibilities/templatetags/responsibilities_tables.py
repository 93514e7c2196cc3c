"""The cells of the two tables that grow with the organisation — the fulfilment
overview (a team x commitment grid) and the standoff table (team x pulse) — written in
Python. The template engine spent 20-100 µs a cell on them, most of an L&D admin's
request (a fifth of a second for 225 teams, bench/page_cpu_bench.py); so did
format_html, whose lazy-string checks cost more than the escaping. Every value is
escaped with html.escape, which is what django.utils.html.escape does to a str; none of
them is markup. The markup is the templates' own, moved here unchanged."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_DOES_NOT_APPLY = '<td class="num"><span class="muted" title="Does not apply">·</span></td>'


def _overview_cell(cell) -> str:
    if cell is None:
        return _DOES_NOT_APPLY
    return (
        f'<td class="num"><span class="light {escape(cell.state)}" '
        f'title="{escape(cell.label)}">{escape(cell.text)}</span></td>'
    )


@register.filter
def overview_cells(cells) -> SafeString:
    """`{{ row.cells|overview_cells }}`: one <td> per commitment, its latest state."""
    return mark_safe("".join(_overview_cell(cell) for cell in cells))


def _or(value, missing: str) -> str:
    return missing if value is None else escape(str(value))


def _standoff_cell(score) -> str:
    missing = escape("; ".join(score.missing))
    if score.score is None:
        return (
            f'<td class="num"><span class="muted" title="Not enough data: {missing}">–</span></td>'
        )
    level = "low" if score.score <= 30 else "mid" if score.score <= 55 else "high"
    gap = _or(score.perception_gap, "not shown")
    employer = _or(score.employer_shortfall, "no data")
    employee = _or(score.employee_shortfall, "no data")
    left_out = f'<p class="muted small">Left out: {missing}.</p>' if score.missing else ""
    return (
        f'<td class="num"><details class="score-detail"><summary title="Perception gap {gap}'
        f' · employer shortfall {employer} · employee shortfall {employee}">'
        f'<span class="score {level}">{score.score}</span></summary>'
        f"<ul><li>Perception gap: {gap}</li><li>Employer shortfall: {employer}</li>"
        f"<li>Employee shortfall: {employee}</li></ul>{left_out}</details></td>"
    )


@register.filter
def standoff_cells(scores) -> SafeString:
    """`{{ scores|standoff_cells }}`: one <td> per pulse, the score with its parts."""
    return mark_safe("".join(_standoff_cell(score) for score in scores))
