"""The rollup's computation on PostgreSQL: one INSERT ... SELECT, no row through Python.

The same figures as rollups._compute (the portable ORM version SQLite runs): per
team (the person's current team), ISO week in the site time zone and pathway or "all
pathways" (GROUPING SETS, one pass over the raw rows):
- learning_minutes, active_learners, steps_completed from ActivityRecord;
- pathway_completions from completed enrolments;
- each outcome measure as the mean weighted by sample size, confidence also counting
  each learner's own rating with weight one (people = samples + distinct raters).

With a scope (the incremental rollup) the raw rows are narrowed to the scope's teams
and weeks first and only the exact (team, week) buckets are written. Activity whose
person or pathway no longer exists (ActivityRecord has no database foreign keys) is
left out by the joins, as in the ORM version.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from metrics.models import ActivityRecord, OutcomeMeasure, OutcomeObservation, WeeklyRollup
from pathways.models import ConfidenceRating, Enrollment, Pathway
from upskill.models import Person

SCOPE_TABLE = "metrics_rollup_scope"


def _tables() -> dict[str, str]:
    return {
        "activity": ActivityRecord._meta.db_table,
        "person": Person._meta.db_table,
        "pathway": Pathway._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "rating": ConfidenceRating._meta.db_table,
        "observation": OutcomeObservation._meta.db_table,
        "measure": OutcomeMeasure._meta.db_table,
        "rollup": WeeklyRollup._meta.db_table,
        "scope": SCOPE_TABLE,
    }


def _week(column: str) -> str:
    return f"(date_trunc('week', {column} AT TIME ZONE %(tz)s))::date"


def _statement(scoped: bool) -> str:
    t = _tables()

    def narrow(team: str, moment: str, *, dates: bool = False) -> str:
        """Narrow the raw rows to the scope's teams and weeks (so indexes serve the
        incremental run); the exact buckets are kept at the end."""
        if not scoped:
            return ""
        start, end = ("start_day", "end_day") if dates else ("start", "end")
        return (
            f" AND {team} IN (SELECT team_id FROM {t['scope']})"
            f" AND {moment} >= %({start})s AND {moment} < %({end})s"
        )

    exact = (
        f" WHERE (team_id, week_start) IN (SELECT team_id, week_start FROM {t['scope']})"
        if scoped
        else ""
    )
    activity_week = _week("a.occurred_at")
    completion_week = _week("e.completed_at")
    rating_week = _week("r.created_at")
    completed = "a.kind = 'completed' AND a.step_id IS NOT NULL"
    return f"""
    INSERT INTO {t["rollup"]} (team_id, week_start, pathway_id, metric, value, people, computed_at)
    WITH activity AS (
        SELECT p.team_id, {activity_week} AS week_start, pw.id AS pathway_id,
               GROUPING(pw.id) AS all_pathways,
               sum(a.minutes) AS minutes, count(DISTINCT a.person_id) AS learners,
               count(*) FILTER (WHERE {completed}) AS steps,
               count(DISTINCT a.person_id) FILTER (WHERE {completed}) AS completers
        FROM {t["activity"]} a
        JOIN {t["person"]} p ON p.id = a.person_id
        LEFT JOIN {t["pathway"]} pw ON pw.id = a.pathway_id
        WHERE TRUE{narrow("p.team_id", "a.occurred_at")}
        GROUP BY GROUPING SETS ((p.team_id, {activity_week}), (p.team_id, {activity_week}, pw.id))
    ),
    completions AS (
        SELECT p.team_id, {completion_week} AS week_start,
               CASE WHEN GROUPING(e.pathway_id) = 1 THEN NULL ELSE e.pathway_id END AS pathway_id,
               count(*) AS n, count(DISTINCT e.person_id) AS people
        FROM {t["enrollment"]} e
        JOIN {t["person"]} p ON p.id = e.person_id
        WHERE e.completed_at IS NOT NULL{narrow("p.team_id", "e.completed_at")}
        GROUP BY GROUPING SETS (
            (p.team_id, {completion_week}), (p.team_id, {completion_week}, e.pathway_id)
        )
    ),
    weighted AS (
        SELECT o.team_id, o.period_start AS week_start, m.key AS metric,
               sum(o.value * o.sample_size) AS total, sum(o.sample_size) AS weight,
               sum(o.sample_size) AS people
        FROM {t["observation"]} o
        JOIN {t["measure"]} m ON m.id = o.measure_id
        WHERE TRUE{narrow("o.team_id", "o.period_start", dates=True)}
        GROUP BY o.team_id, o.period_start, m.key
        UNION ALL
        SELECT p.team_id, {rating_week}, %(confidence)s,
               sum(r.rating)::float8, count(*), count(DISTINCT e.person_id)
        FROM {t["rating"]} r
        JOIN {t["enrollment"]} e ON e.id = r.enrollment_id
        JOIN {t["person"]} p ON p.id = e.person_id
        WHERE TRUE{narrow("p.team_id", "r.created_at")}
        GROUP BY p.team_id, {rating_week}
    ),
    computed AS (
        SELECT team_id, week_start, CASE WHEN all_pathways = 1 THEN NULL ELSE pathway_id END
               AS pathway_id, figure.metric, figure.value, figure.people
        FROM activity
        CROSS JOIN LATERAL (VALUES
            ('learning_minutes', minutes::float8, learners),
            ('active_learners', learners::float8, learners),
            ('steps_completed', steps::float8, completers)
        ) AS figure (metric, value, people)
        WHERE all_pathways = 1 OR pathway_id IS NOT NULL
        UNION ALL
        SELECT team_id, week_start, pathway_id, %(completion)s, n::float8, people
        FROM completions
        UNION ALL
        SELECT team_id, week_start, NULL, metric, sum(total) / sum(weight), sum(people)
        FROM weighted
        GROUP BY team_id, week_start, metric
    )
    SELECT team_id, week_start, pathway_id, metric, value, people::integer, now()
    FROM computed{exact}
    """


def rollup_rows_write(
    *, scope: set[tuple[int, dt.date]] | None, completion_metric: str, confidence_measure: str
) -> int:
    """Compute and insert the rollup rows of `scope` (every bucket when None), after the
    caller deleted the old ones. Returns the number of rows written."""
    params: dict = {
        "tz": settings.TIME_ZONE,
        "completion": completion_metric,
        "confidence": confidence_measure,
    }
    with connection.cursor() as cursor:
        if scope is not None:
            if not scope:
                return 0
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {SCOPE_TABLE}"
                " (team_id bigint, week_start date, PRIMARY KEY (team_id, week_start))"
                " ON COMMIT DROP"
            )
            cursor.execute(f"TRUNCATE {SCOPE_TABLE}")
            teams, weeks = zip(*sorted(scope), strict=True)
            cursor.execute(
                f"INSERT INTO {SCOPE_TABLE} SELECT * FROM unnest(%s::bigint[], %s::date[])",
                [list(teams), list(weeks)],
            )
            cursor.execute(f"ANALYZE {SCOPE_TABLE}")
            first, last = min(weeks), max(weeks) + dt.timedelta(days=7)
            params["start_day"], params["end_day"] = first, last
            params["start"], params["end"] = _site_midnight(first), _site_midnight(last)
        cursor.execute(_statement(scoped=scope is not None), params)
        return cursor.rowcount


def rollup_rows_delete(*, scope: set[tuple[int, dt.date]]) -> None:
    """Delete the rollup rows of exactly these (team, week) buckets, in one statement."""
    if not scope:
        return
    teams, weeks = zip(*sorted(scope), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {WeeklyRollup._meta.db_table} AS rollup"
            " USING unnest(%s::bigint[], %s::date[]) AS bucket (team_id, week_start)"
            " WHERE rollup.team_id = bucket.team_id AND rollup.week_start = bucket.week_start",
            [list(teams), list(weeks)],
        )


def _site_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE))
