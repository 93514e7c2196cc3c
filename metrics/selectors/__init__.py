"""Reads for metrics: the leaders' outcome dashboard, the rollup export and the import
pages.

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
)
from metrics.selectors.totals import SUMMED, RollupTotals, Sums, rollup_totals
from metrics.selectors.xapi import (
    SHOWN_UNMAPPED,
    XapiReport,
    xapi_activity_mappings,
    xapi_report,
    xapi_verb_mappings,
)

__all__ = [
    "csv_cell",
    "XapiReport",
    "xapi_activity_mappings",
    "xapi_report",
    "xapi_verb_mappings",
    "ATTENDANCE",
    "DEFAULT_WEEKS",
    "EXPORT_HEADER",
    "FORMULA_STARTS",
    "MAX_WEEKS",
    "RECENT_IMPORT_RUNS",
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
    "dashboard",
    "dashboard_filters",
    "freshness",
    "import_run_errors_shown",
    "import_runs_recent",
    "rollup_export_lines",
    "rollup_totals",
    "scope_team_ids",
    "spreadsheet_safe",
    "xapi_keys",
]
