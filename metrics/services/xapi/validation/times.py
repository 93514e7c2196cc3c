"""Timestamps and durations as xAPI writes them (ISO 8601)."""

from __future__ import annotations

import datetime as dt

from metrics.services.xapi.validation.grammar import DURATION, TIMESTAMP


def parse_timestamp(text: str) -> dt.datetime | None:
    """The moment an xAPI timestamp names (UTC when it carries no zone), or None if it is
    not one. Extended format only; "-00:00" (an unknown offset in ISO 8601) is refused."""
    match = TIMESTAMP.fullmatch(text)
    if not match:
        return None
    zone = match["zone"]
    if zone and zone[0] == "-" and not zone[1:].replace(":", "").strip("0"):
        return None
    if zone in (None, "Z"):
        tz = dt.UTC
    else:
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tz = dt.timezone(-offset if zone[0] == "-" else offset)
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    try:
        return dt.datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            int(fraction),
            tzinfo=tz,
        )
    except ValueError:
        return None


def duration_seconds(text: str) -> float | None:
    """Seconds in an ISO 8601 duration (a year counted as 365 days, a month as 30), or
    None if the text is not one."""
    match = DURATION.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    parts = {
        name: float(value.replace(",", ".")) if value else 0.0
        for name, value in match.groupdict().items()
    }
    days = parts["weeks"] * 7 + parts["years"] * 365 + parts["months"] * 30 + parts["days"]
    return days * 86_400 + parts["hours"] * 3_600 + parts["minutes"] * 60 + parts["seconds"]
