"""Commitment periods: weeks start on Monday, months and quarters on their first day."""

from datetime import date, timedelta

WEEK, MONTH, QUARTER = "week", "month", "quarter"


def period_start(day: date, period: str) -> date:
    if period == WEEK:
        return day - timedelta(days=day.weekday())
    if period == MONTH:
        return day.replace(day=1)
    if period == QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown period {period!r}")


def next_period_start(start: date, period: str) -> date:
    if period == WEEK:
        return start + timedelta(days=7)
    months = 1 if period == MONTH else 3
    month_index = start.month - 1 + months
    return date(start.year + month_index // 12, month_index % 12 + 1, 1)


def recent_period_starts(period: str, count: int, today: date) -> list[date]:
    """The `count` most recent period starts up to and including today's, oldest first."""
    starts = [period_start(today, period)]
    while len(starts) < count:
        starts.append(period_start(starts[-1] - timedelta(days=1), period))
    return starts[::-1]


def period_label(start: date, period: str) -> str:
    if period == WEEK:
        return f"w/c {start:%-d %b %Y}"
    if period == MONTH:
        return f"{start:%b %Y}"
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"
