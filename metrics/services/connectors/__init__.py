"""Tool connectors: Jira, GitHub pull requests, GitHub Copilot usage, Zendesk and
Freshdesk satisfaction exports to weekly outcome observations per team, through the
identity map. Modules: `reading` (CSV/JSON with line numbers), `sources` (one parser per
export), `identity` (logins to people), `hr_logins` (logins set by HR sync's people
file), `figures` (items to weekly figures),
`pipeline` (the importer's passes for a tool export), `samples` (demo files)."""

from metrics.services.connectors.figures import (
    MEASURES,
    SOURCE_MEASURES,
    measures_ensure,
    observations_recompute,
    percentile,
)
from metrics.services.connectors.hr_logins import (
    HR_LOGIN_COLUMN,
    HR_LOGIN_COLUMNS,
    hr_logins_apply,
    hr_logins_plan,
    tool_logins_held,
)
from metrics.services.connectors.identity import (
    SINCE_ALWAYS,
    LoginImportReport,
    LoginMap,
    LoginRowsInvalid,
    tool_login_counts,
    tool_logins_import,
)
from metrics.services.connectors.pipeline import (
    CONNECTORS,
    Connector,
    connector_file_apply,
    connector_file_validate,
)
from metrics.services.connectors.samples import (
    SAMPLES,
    github_sample_json,
    jira_sample_csv,
)

__all__ = [
    "CONNECTORS",
    "HR_LOGIN_COLUMN",
    "HR_LOGIN_COLUMNS",
    "MEASURES",
    "SINCE_ALWAYS",
    "SAMPLES",
    "SOURCE_MEASURES",
    "Connector",
    "LoginImportReport",
    "LoginMap",
    "LoginRowsInvalid",
    "connector_file_apply",
    "connector_file_validate",
    "github_sample_json",
    "hr_logins_apply",
    "hr_logins_plan",
    "jira_sample_csv",
    "measures_ensure",
    "observations_recompute",
    "percentile",
    "tool_login_counts",
    "tool_logins_held",
    "tool_logins_import",
]
