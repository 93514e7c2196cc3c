"""Reads for the core app, by area: `hr_sync` (the Organisation pages: syncs, plans,
SCIM tokens), `audit` (the audit trail, team sizes) and `scim`
(users and groups as an identity provider lists them: filter, paging). Callers import
from `upskill.selectors`."""

from upskill.selectors.audit import PAGE_SIZE, AuditRow, audit_page, team_sizes
from upskill.selectors.hr_sync import (
    HR_SYNC_ROWS_SHOWN,
    HR_SYNC_RUNS_SHOWN,
    ROW_ERRORS,
    SCIM_CONNECTIONS_PER_PAGE,
    PlanSection,
    hr_sync_mass_leavers,
    hr_sync_plan_sections,
    hr_sync_row_errors,
    hr_sync_run_shown,
    hr_sync_runs_recent,
    scim_connections,
)
from upskill.selectors.scim import (
    ScimPage,
    scim_filter_parse,
    scim_group_members,
    scim_groups_page,
    scim_team_get,
    scim_user_get,
    scim_users_page,
)

__all__ = [
    "HR_SYNC_ROWS_SHOWN",
    "HR_SYNC_RUNS_SHOWN",
    "ROW_ERRORS",
    "SCIM_CONNECTIONS_PER_PAGE",
    "PlanSection",
    "hr_sync_mass_leavers",
    "hr_sync_plan_sections",
    "hr_sync_row_errors",
    "hr_sync_run_shown",
    "hr_sync_runs_recent",
    "scim_connections",
    "PAGE_SIZE",
    "AuditRow",
    "audit_page",
    "team_sizes",
    "ScimPage",
    "scim_filter_parse",
    "scim_group_members",
    "scim_groups_page",
    "scim_team_get",
    "scim_user_get",
    "scim_users_page",
]
