"""Reads for metrics: the leaders' outcome dashboard, the rollup export and the import
pages. Re-exports every public name of its parts (`__all__`).

Dashboards read WeeklyRollup only (plus the commitment fulfilment read from
responsibilities). Every figure describing fewer than MIN_GROUP_SIZE people is replaced
by None before any template, chart or export sees it. Each function runs a fixed number
of queries whatever the number of teams, weeks or rows.

- `filters`: the dashboard's filter form and the team tree it picks from;
- `totals`: the rollups added up by the database (by week, part and cohort);
- `outcome_dashboard`: the dashboard's cards, charts, teams table and freshness;
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
    "EXPORT_HEADER",
    "FORMULA_STARTS",
    "MAX_WEEKS",
    "RECENT_IMPORT_RUNS",
    "REMAINDER",
    "SHOWN_ROW_ERRORS",
    "SHOWN_UNMAPPED",
    "SUMMED",
    "Dashboard",
    "DashboardFilterForm",
    "DashboardFilters",
    "DrillRow",
    "Freshness",
    "OutcomeCard",
    "RollupTotals",
    "Series",
    "Sums",
    "XapiReport",
    "csv_cell",
    "dashboard",
    "dashboard_filters",
    "freshness",
    "import_run_errors_shown",
    "import_runs_recent",
    "rollup_export_lines",
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
