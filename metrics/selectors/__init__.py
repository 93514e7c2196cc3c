"""Reads for metrics: the leaders' outcome dashboard, the rollup export and the import
pages. Re-exports every public name of its parts (`__all__`).

Dashboards read WeeklyRollup only (plus the commitment fulfilment read from
responsibilities). Every figure describing fewer than MIN_GROUP_SIZE people is replaced
by None before any template, chart or export sees it. Each function runs a fixed number
of queries whatever the number of teams, weeks or rows.

- `filters`: the dashboard's filter form and the team tree it picks from;
- `totals`: the rollups added up by the database (by week, part and cohort);
- `outcome_dashboard`: the dashboard's cards, charts, teams table and freshness;
- `impact`: the cached impact estimates the dashboard's outcome cards show;
- `export`: the rollups as CSV;
- `imports`: import runs and xAPI keys.
"""

from metrics.selectors.export import (
    EXPORT_HEADER,
    FORMULA_STARTS,
    rollup_export_lines,
    spreadsheet_safe,
)
from metrics.selectors.filters import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    DashboardFilterForm,
    DashboardFilters,
    dashboard_filters,
    scope_team_ids,
    team_children,
    team_subtree,
)
from metrics.selectors.impact import (
    PRE_TREND_ALPHA,
    REPORT_ESTIMATE_KEYS,
    ROLLOUT_WAVES,
    ImpactEstimates,
    ImpactView,
    PlannerRow,
    all_team_ids,
    impact_estimates,
    impact_planner,
    impact_report_json,
    outcome_measures,
    rollout_candidates,
    rollout_order,
    rollup_generation,
)
from metrics.selectors.imports import (
    RECENT_IMPORT_RUNS,
    SHOWN_ROW_ERRORS,
    import_run_errors_shown,
    import_runs_recent,
    xapi_keys,
)
from metrics.selectors.outcome_dashboard import (
    ATTENDANCE,
    Dashboard,
    DrillRow,
    Freshness,
    OutcomeCard,
    Series,
    dashboard,
    freshness,
    two_places,
    week_label,
)
from metrics.selectors.totals import (
    REMAINDER,
    SUMMED,
    RollupTotals,
    Sums,
    rollup_totals,
)

__all__ = [
    "ATTENDANCE",
    "DEFAULT_WEEKS",
    "Dashboard",
    "DashboardFilterForm",
    "DashboardFilters",
    "DrillRow",
    "EXPORT_HEADER",
    "FORMULA_STARTS",
    "Freshness",
    "ImpactEstimates",
    "ImpactView",
    "MAX_WEEKS",
    "OutcomeCard",
    "PRE_TREND_ALPHA",
    "PlannerRow",
    "RECENT_IMPORT_RUNS",
    "REPORT_ESTIMATE_KEYS",
    "ROLLOUT_WAVES",
    "REMAINDER",
    "RollupTotals",
    "SHOWN_ROW_ERRORS",
    "SUMMED",
    "Series",
    "Sums",
    "all_team_ids",
    "dashboard",
    "dashboard_filters",
    "freshness",
    "impact_estimates",
    "impact_planner",
    "impact_report_json",
    "import_run_errors_shown",
    "import_runs_recent",
    "outcome_measures",
    "rollout_candidates",
    "rollout_order",
    "rollup_export_lines",
    "rollup_generation",
    "rollup_totals",
    "scope_team_ids",
    "spreadsheet_safe",
    "team_children",
    "team_subtree",
    "two_places",
    "week_label",
    "xapi_keys",
]
