"""Reads for metrics: the leaders' outcome dashboard, the rollup export and the import
pages. Re-exports every public name of its parts (`__all__`).

Dashboards read WeeklyRollup only (plus the commitment fulfilment read from
responsibilities), and only its published cells (upskill.privacy): every figure, on the
page or in the CSV, is built from cells about MIN_GROUP_SIZE people or more. Each
function runs a fixed number of queries whatever the number of teams, weeks or rows.

- `filters`: the dashboard's filter form and the team tree it picks from;
- `totals`: the rollups added up by the database (by week, part and cohort);
- `outcome_dashboard`: the dashboard's cards, charts, teams table and freshness;
- `impact`: the cached impact estimates the dashboard's outcome cards show;
- `export`: the rollups as CSV;
- `imports`: import runs and xAPI keys;
- `xapi`: the xAPI mapping tables and what the receiver made of its statements.
"""

from metrics.selectors.export import (
    EXPORT_HEADER,
    FORMULA_STARTS,
    csv_cell,
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
    CREDENTIALS_PER_PAGE,
    RECENT_IMPORT_RUNS,
    SHOWN_ROW_ERRORS,
    import_run_errors_shown,
    import_runs_recent,
    outcome_measure_keys,
    xapi_keys,
)
from metrics.selectors.outcome_dashboard import (
    ATTENDANCE,
    WEEKLY_AVERAGE,
    WEEKLY_AVERAGE_TITLE,
    Dashboard,
    DrillRow,
    Freshness,
    OutcomeCard,
    Series,
    dashboard,
    figure_text,
    freshness,
    two_places,
    week_label,
)
from metrics.selectors.totals import (
    DISTINCT_PEOPLE,
    REMAINDER,
    SUMMED,
    RollupTotals,
    Sums,
    pathway_cells,
    rollup_totals,
)
from metrics.selectors.xapi import (
    SHOWN_UNMAPPED,
    XapiReport,
    xapi_activity_mappings,
    xapi_report,
    xapi_verb_mappings,
)

__all__ = [
    "ATTENDANCE",
    "DEFAULT_WEEKS",
    "DISTINCT_PEOPLE",
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
    "CREDENTIALS_PER_PAGE",
    "RECENT_IMPORT_RUNS",
    "REMAINDER",
    "REPORT_ESTIMATE_KEYS",
    "ROLLOUT_WAVES",
    "RollupTotals",
    "SHOWN_ROW_ERRORS",
    "SHOWN_UNMAPPED",
    "SUMMED",
    "Series",
    "Sums",
    "WEEKLY_AVERAGE",
    "WEEKLY_AVERAGE_TITLE",
    "XapiReport",
    "all_team_ids",
    "csv_cell",
    "dashboard",
    "dashboard_filters",
    "figure_text",
    "freshness",
    "impact_estimates",
    "impact_planner",
    "impact_report_json",
    "import_run_errors_shown",
    "import_runs_recent",
    "outcome_measure_keys",
    "outcome_measures",
    "pathway_cells",
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
    "xapi_activity_mappings",
    "xapi_keys",
    "xapi_report",
    "xapi_verb_mappings",
]
