"""Reads for the core app, by area: `scim` (users and groups as an identity provider
lists them: filter, paging). Callers import from `upskill.selectors`."""

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
    "ScimPage",
    "scim_filter_parse",
    "scim_group_members",
    "scim_groups_page",
    "scim_team_get",
    "scim_user_get",
    "scim_users_page",
]
