"""Views of the core app, by area: `base` (home, health, favicon, the audit trail),
`sign_in` (password and single sign-on), `scim` (the SCIM 2.0 endpoints at /scim/v2/,
routed by `upskill.scim.urls`). Callers import from `upskill.views`."""

from upskill.views.base import audit_trail, favicon, healthz, home
from upskill.views.scim import (
    scim_group,
    scim_groups,
    scim_groups_search,
    scim_not_found,
    scim_resource_type,
    scim_resource_types,
    scim_root_search,
    scim_schema,
    scim_schemas,
    scim_service_provider_config,
    scim_user,
    scim_users,
    scim_users_search,
)
from upskill.views.sign_in import (
    OidcCallbackView,
    OidcSignInStartView,
    SignInView,
    SignOutView,
)

__all__ = [
    "OidcCallbackView",
    "OidcSignInStartView",
    "SignInView",
    "SignOutView",
    "audit_trail",
    "favicon",
    "healthz",
    "home",
    "scim_group",
    "scim_groups",
    "scim_groups_search",
    "scim_not_found",
    "scim_resource_type",
    "scim_resource_types",
    "scim_root_search",
    "scim_schema",
    "scim_schemas",
    "scim_service_provider_config",
    "scim_user",
    "scim_users",
    "scim_users_search",
]
