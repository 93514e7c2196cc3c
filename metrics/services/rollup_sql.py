"""The rollup's computation on PostgreSQL: one INSERT ... SELECT, no row through Python.

The same figures as rollups._compute (the portable ORM version SQLite runs): per
team (the person's current team), ISO week in the site time zone and pathway or "no
pathway" — disjoint cells, plus the team-week as a whole for active_learners (GROUPING
SETS, one pass over the raw rows):
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
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from metrics.models import ActivityRecord, OutcomeMeasure, OutcomeObservation, WeeklyRollup
from pathways.models import ConfidenceRating, Enrollment, Pathway
from upskill.models import Person

_SCOPE_TABLE = "metrics_rollup_scope"


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
        "scope": _SCOPE_TABLE,
    }


def _week(column: str) -> str:
    return f"(date_trunc('week', {column} AT TIME ZONE %(tz)s))::date"


def statement(*, scoped: bool) -> str:
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
    WITH raw_activity AS (
        -- Only what the aggregates need, narrow: the sort for the distinct counts is
        -- most of the statement's time.
        SELECT p.team_id, {activity_week} AS week_start, pw.id AS pathway_id, a.person_id,
               a.minutes, ({completed}) AS completed
        FROM {t["activity"]} a
        JOIN {t["person"]} p ON p.id = a.person_id
        LEFT JOIN {t["pathway"]} pw ON pw.id = a.pathway_id
        WHERE TRUE{narrow("p.team_id", "a.occurred_at")}
    ),
    activity AS (
        SELECT team_id, week_start, pathway_id, GROUPING(pathway_id) AS all_pathways,
               sum(minutes) AS minutes, count(DISTINCT person_id) AS learners,
               count(*) FILTER (WHERE completed) AS steps,
               count(DISTINCT person_id) FILTER (WHERE completed) AS completers
        FROM raw_activity
        GROUP BY GROUPING SETS ((team_id, week_start), (team_id, week_start, pathway_id))
    ),
    completions AS (
        SELECT p.team_id, {completion_week} AS week_start, e.pathway_id,
               count(*) AS n, count(DISTINCT e.person_id) AS people
        FROM {t["enrollment"]} e
        JOIN {t["person"]} p ON p.id = e.person_id
        WHERE e.completed_at IS NOT NULL{narrow("p.team_id", "e.completed_at")}
        GROUP BY p.team_id, {completion_week}, e.pathway_id
    ),
    weighted AS (
        SELECT o.team_id, o.period_start AS week_start, m.key AS metric,
               sum(o.value * o.sample_size) AS total, sum(o.sample_size) AS weight,
               sum(coalesce(o.people, o.sample_size)) AS people
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
        -- The team-week as a whole only for distinct people; the counts that add up
        -- get one cell per pathway and one for no pathway (pathway_id NULL).
        WHERE CASE WHEN all_pathways = 1 THEN figure.metric = 'active_learners'
                   WHEN pathway_id IS NULL THEN figure.metric <> 'active_learners'
                   ELSE TRUE END
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


def rollup_all_replace(*, completion_metric: str, confidence_measure: str) -> int:
    """Replace every rollup row. Returns the number written."""
    with connection.cursor() as cursor:
        # TRUNCATE is instant where DELETE scans and logs every row. Its exclusive lock
        # lasts until commit, which the advisory lock already serialises against other
        # rollups; dashboards wait for the new rows rather than see none.
        cursor.execute(f"TRUNCATE {WeeklyRollup._meta.db_table}")
    with _secondary_indexes_rebuilt_after():
        written = _rows_write(None, completion_metric, confidence_measure)
    with connection.cursor() as cursor:
        # Fresh planner statistics for the dashboards' queries over the new rows: without
        # them (and with autovacuum off or behind) PostgreSQL sorts where it would hash,
        # doubling the all-teams dashboard's time.
        cursor.execute(f"ANALYZE {WeeklyRollup._meta.db_table}")
    return written


def rollup_buckets_replace(
    *,
    scope: set[tuple[int, dt.date]],
    bounds: tuple[dt.datetime, dt.datetime],
    completion_metric: str,
    confidence_measure: str,
) -> int:
    """Replace the rollup rows of exactly these (team, week) buckets, which lie between
    `bounds` (site-time midnights of the first week's Monday and after the last week)."""
    if not scope:
        return 0
    with connection.cursor() as cursor:
        scope_table_fill(cursor, scope)
        cursor.execute(
            f"DELETE FROM {WeeklyRollup._meta.db_table} AS rollup USING {_SCOPE_TABLE} AS bucket"
            " WHERE rollup.team_id = bucket.team_id AND rollup.week_start = bucket.week_start"
        )
    return _rows_write(bounds, completion_metric, confidence_measure)


def scope_table_fill(cursor, scope: set[tuple[int, dt.date]]) -> None:
    """The (team, week) buckets to recompute, as a temporary table the statement joins
    (dropped at commit)."""
    teams, weeks = zip(*sorted(scope), strict=True)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_SCOPE_TABLE}"
        " (team_id bigint, week_start date, PRIMARY KEY (team_id, week_start))"
        " ON COMMIT DROP"
    )
    cursor.execute(f"TRUNCATE {_SCOPE_TABLE}")
    cursor.execute(
        f"INSERT INTO {_SCOPE_TABLE} SELECT * FROM unnest(%s::bigint[], %s::date[])",
        [list(teams), list(weeks)],
    )
    cursor.execute(f"ANALYZE {_SCOPE_TABLE}")


def statement_params(bounds: tuple[dt.datetime, dt.datetime] | None, **metrics: str) -> dict:
    """The parameters of the statement: the site time zone, the metric names, and with
    `bounds` the scope's first Monday and the Monday after its last week."""
    params: dict = {
        "tz": settings.TIME_ZONE,
        "completion": metrics["completion_metric"],
        "confidence": metrics["confidence_measure"],
    }
    if bounds is not None:
        params["start"], params["end"] = bounds
        params["start_day"], params["end_day"] = bounds[0].date(), bounds[1].date()
    return params


def _rows_write(
    bounds: tuple[dt.datetime, dt.datetime] | None,
    completion_metric: str,
    confidence_measure: str,
) -> int:
    """Compute and insert the rows of every bucket, or of the scope table's buckets
    (which lie between the `bounds` given)."""
    params = statement_params(
        bounds, completion_metric=completion_metric, confidence_measure=confidence_measure
    )
    with connection.cursor() as cursor:
        # For this transaction only: no JIT (compiling this statement's expressions
        # took a second, longer than it saves), and room to sort in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(statement(scoped=bounds is not None), params)
        return cursor.rowcount


@contextmanager
def _secondary_indexes_rebuilt_after():
    """Drop WeeklyRollup's indexes other than the primary key, and build them again on
    the way out: building an index over the rows once is cheaper than maintaining it
    row by row during a full rebuild. Only inside the rebuild's transaction, after its
    TRUNCATE, whose exclusive lock keeps every reader out until commit anyway."""
    table = WeeklyRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
