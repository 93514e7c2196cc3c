"""From the stored items of one source to its weekly outcome observations per team.

A week's figures are recomputed from every item stored for it, whichever file brought
them, so an overlapping export adds its new items and the figures stay exact; a file
that brings nothing new changes nothing. Each observation stores its sample size and
its people: the number of distinct people whose work produced it, which the rollup
carries to every figure so fewer than MIN_GROUP_SIZE are suppressed like any other.

Items count for the person's current team (the rule every rollup follows). A person
who moves later moves their figures the next time that source is imported."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, DateField
from django.db.models.functions import TruncWeek
from django.utils import timezone

from metrics.models import OutcomeMeasure, OutcomeObservation, ToolLogin, ToolRecord
from metrics.services.imports.validation import _site_tz
from metrics.services.imports.writer import dirty_buckets_mark
from upskill.models import Person

# key: (name, unit, direction, description) — created on first use.
MEASURES = {
    "cycle_time_days": ("Cycle time", "days", "lower",
                        "Median days from the first move to In Progress (else created) to "
                        "resolved, per resolved Jira issue."),
    "cycle_time_p85_days": ("Cycle time (85th percentile)", "days", "lower",
                            "85th percentile of days from the first move to In Progress "
                            "(else created) to resolved (Jira)."),
    "bug_share": ("Bug share", "share", "lower",
                  "Share of resolved Jira issues of type Bug or Incident."),
    "pr_cycle_time_hours": ("Pull-request cycle time", "hours", "lower",
                            "Median hours from opened to merged (GitHub)."),
    "pr_time_to_first_review_hours": ("Time to first review", "hours", "lower",
                                      "Median hours from a merged pull request's opening to "
                                      "its first submitted review (GitHub)."),
    "ai_active_share": ("AI-assistant active share", "share", "higher",
                        "Share of the team's Copilot users active in the week."),
    "ai_acceptances_per_user": ("AI suggestions accepted per active user", "accepted",
                                "higher", "Copilot suggestions accepted per active user."),
    "csat_share": ("Customer satisfaction (CSAT)", "share", "higher",
                   "Good ratings / (good + bad), Zendesk and Freshdesk."),
}  # fmt: skip

SOURCE_MEASURES = {
    "jira": ("cycle_time_days", "cycle_time_p85_days", "bug_share"),
    "github": ("pr_cycle_time_hours", "pr_time_to_first_review_hours"),
    "copilot": ("ai_active_share", "ai_acceptances_per_user"),
    "zendesk": ("csat_share",),
    "freshdesk": ("csat_share",),
}


def measures_ensure(keys: Iterable[str]) -> dict[str, int]:
    """The measures' ids, creating the missing ones with their unit and direction."""
    keys = list(dict.fromkeys(keys))
    found = dict(OutcomeMeasure.objects.filter(key__in=keys).values_list("key", "id"))
    for key in keys:
        if key not in found:
            name, unit, direction, description = MEASURES[key]
            measure, _ = OutcomeMeasure.objects.get_or_create(
                key=key,
                defaults={"name": name, "unit": unit, "direction": direction,
                          "description": description},
            )  # fmt: skip
            found[key] = measure.pk
    return found


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def monday(moment: dt.datetime, site_tz) -> dt.date:
    day = moment.astimezone(site_tz).date()
    return day - dt.timedelta(days=day.weekday())


Figure = tuple[float, int, int]  # value, sample size, people


def _figures(source: str, records: list[tuple], seats: dict[int, int]) -> dict:
    """{(team, week, measure): (value, sample, people)} from (person, team, week,
    hours, flag, count, response hours) items."""
    groups: dict[tuple[int, dt.date], list[tuple]] = defaultdict(list)
    for person, team, week, hours, flag, count, response in records:
        groups[(team, week)].append((person, hours, flag, count, response))
    figures: dict[tuple[int, dt.date, str], Figure] = {}
    for (team, week), items in groups.items():
        people = len({item[0] for item in items})
        n = len(items)
        if source == "jira":
            days = [item[1] / 24 for item in items]
            figures[(team, week, "cycle_time_days")] = (statistics.median(days), n, people)
            figures[(team, week, "cycle_time_p85_days")] = (percentile(days, 0.85), n, people)
            bugs = sum(1 for item in items if item[2])
            figures[(team, week, "bug_share")] = (bugs / n, n, people)
        elif source == "github":
            hours = [item[1] for item in items]
            figures[(team, week, "pr_cycle_time_hours")] = (statistics.median(hours), n, people)
            reviewed = [item for item in items if item[4] is not None]
            if reviewed:
                figures[(team, week, "pr_time_to_first_review_hours")] = (
                    statistics.median(item[4] for item in reviewed), len(reviewed),
                    len({item[0] for item in reviewed}),
                )  # fmt: skip
        elif source == "copilot":
            active = [item for item in items if item[2]]
            users = len({item[0] for item in active})
            seat_holders = max(seats.get(team, 0), people)
            figures[(team, week, "ai_active_share")] = (
                users / seat_holders, seat_holders, seat_holders,
            )  # fmt: skip
            if users:
                accepted = sum(item[3] or 0 for item in active)
                figures[(team, week, "ai_acceptances_per_user")] = (accepted / users, users, users)
        else:  # zendesk, freshdesk
            good = sum(1 for item in items if item[2])
            figures[(team, week, "csat_share")] = (good / n, n, people)
    return figures


def _copilot_seats() -> dict[int, int]:
    """Per team, its current people holding a GitHub login: Copilot's users."""
    return dict(
        Person.objects.filter(user__is_active=True, tool_logins__system=ToolLogin.System.GITHUB)
        .values("team_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("team_id", "n")
    )


def _observations_write(source: str, figures: dict, measure_ids: dict, import_run_id) -> None:
    """On PostgreSQL one COPY (a year of 200 teams is 30,000 observations, which
    bulk_create took seconds to build); elsewhere bulk_create."""
    if connection.vendor == "postgresql":
        now = timezone.now().isoformat()
        run = "\\N" if import_run_id is None else str(import_run_id)
        table = OutcomeObservation._meta.db_table
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.copy(
                f"COPY {table} (measure_id, team_id, period_start, value, sample_size, people,"
                " source, source_id, import_run_id, created_at) FROM STDIN"
            ) as copy,
        ):
            lines = [
                f"{measure_ids[key]}\t{team}\t{week.isoformat()}\t{value!r}\t{sample}"
                f"\t{people}\t{source}\t{key}:{team}:{week.isoformat()}\t{run}\t{now}\n"
                for (team, week, key), (value, sample, people) in figures.items()
            ]
            for start in range(0, len(lines), 2_000):  # one write per line waits per line
                copy.write("".join(lines[start : start + 2_000]))
        return
    OutcomeObservation.objects.bulk_create(
        [
            OutcomeObservation(
                measure_id=measure_ids[key], team_id=team, period_start=week, value=value,
                sample_size=sample, people=people, source=source,
                source_id=f"{key}:{team}:{week.isoformat()}", import_run_id=import_run_id,
            )
            for (team, week, key), (value, sample, people) in figures.items()
        ],
        batch_size=2_000,
    )  # fmt: skip


def observations_recompute(*, source: str, weeks: set[dt.date], import_run_id: int | None) -> int:
    """Rewrite the source's observations for `weeks` from its stored items. Call inside
    the import's transaction. Returns the number of observations written."""
    if not weeks:
        return 0
    site_tz = _site_tz()
    start = min(weeks)
    end = max(weeks) + dt.timedelta(days=7)
    start_at = dt.datetime(start.year, start.month, start.day, tzinfo=site_tz)
    end_at = dt.datetime(end.year, end.month, end.day, tzinfo=site_tz)
    measure_ids = measures_ensure(SOURCE_MEASURES[source])
    if connection.vendor == "postgresql" and source in _SQL_FIGURES:
        figures = _figures_sql(source, weeks, start_at, end_at)
    else:
        figures = _figures(source, _records(source, weeks, start_at, end_at),
                           _copilot_seats() if source == "copilot" else {})  # fmt: skip
    stale = OutcomeObservation.objects.filter(source=source, period_start__in=weeks)
    touched = set(stale.values_list("team_id", "period_start"))
    stale.delete()
    _observations_write(source, figures, measure_ids, import_run_id)
    touched |= {(team, week) for team, week, _key in figures}
    dirty_buckets_mark(buckets=touched)
    return len(figures)


def _records(source: str, weeks: set[dt.date], start_at: dt.datetime, end_at: dt.datetime):
    # The week is computed by the database, in the site's time zone (as the rollups'
    # TruncWeek): converting a million timestamps in Python cost more than reading them.
    return [
        record
        for record in ToolRecord.objects.filter(
            source=source, occurred_at__gte=start_at, occurred_at__lt=end_at
        )
        .annotate(week=TruncWeek("occurred_at", output_field=DateField()))
        .values_list(
            "person_id", "person__team_id", "week", "hours", "flag", "count", "response_hours"
        )
        .iterator(chunk_size=20_000)
        if record[2] in weeks
    ]


# On PostgreSQL the figures of the sources whose figures are medians, percentiles and
# shares are computed by the database, one row per team-week: percentile_cont
# interpolates between closest ranks exactly as percentile() and statistics.median do.
# Reading a year of a large Jira (940,000 items) back into Python to group it took most
# of an import's time (bench/connectors_bench.py, README "Connecting your tools").
_SQL_FIGURES = {
    "jira": (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.hours) / 24,"
        " percentile_cont(0.85) WITHIN GROUP (ORDER BY r.hours) / 24,"
        " avg(CASE WHEN r.flag THEN 1.0 ELSE 0.0 END)",
        ("cycle_time_days", "cycle_time_p85_days", "bug_share"),
    ),
    "github": (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY r.hours),"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY r.response_hours),"
        " count(r.response_hours),"
        " count(DISTINCT r.person_id) FILTER (WHERE r.response_hours IS NOT NULL)",
        ("pr_cycle_time_hours",),
    ),
    "zendesk": ("avg(CASE WHEN r.flag THEN 1.0 ELSE 0.0 END)", ("csat_share",)),
    "freshdesk": ("avg(CASE WHEN r.flag THEN 1.0 ELSE 0.0 END)", ("csat_share",)),
}


def _figures_sql(source: str, weeks: set[dt.date], start_at: dt.datetime,
                 end_at: dt.datetime) -> dict:  # fmt: skip
    aggregates, keys = _SQL_FIGURES[source]
    record, person = ToolRecord._meta.db_table, Person._meta.db_table
    sql = (
        f"SELECT p.team_id, w.week, count(*), count(DISTINCT r.person_id), {aggregates}"
        f" FROM {record} r JOIN {person} p ON p.id = r.person_id,"
        " LATERAL (SELECT date_trunc('week', r.occurred_at AT TIME ZONE %s)::date AS week) w"
        " WHERE r.source = %s AND r.occurred_at >= %s AND r.occurred_at < %s"
        " AND w.week = ANY(%s) GROUP BY p.team_id, w.week"
    )
    figures: dict[tuple[int, dt.date, str], Figure] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(_site_tz()), source, start_at, end_at, sorted(weeks)])
        for team, week, n, people, *values in cursor.fetchall():
            for key, value in zip(keys, values, strict=False):
                figures[(team, week, key)] = (float(value), n, people)
            if source == "github" and values[2]:
                figures[(team, week, "pr_time_to_first_review_hours")] = (
                    values[1], values[2], values[3],
                )  # fmt: skip
    return figures
