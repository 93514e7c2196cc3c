"""Views of the core app, by area: `base` (home, health, favicon, the audit trail),
`sign_in` (password and single sign-on), `organisation` (HR sync in the browser and SCIM
tokens, for L&D admins). Callers import from `upskill.views`."""

from upskill.views.base import audit_trail, favicon, healthz, home
from upskill.views.organisation import (
    organisation,
    organisation_run,
    organisation_run_cancel,
    organisation_run_confirm,
    scim_connection_revoke,
    scim_connections,
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
    "organisation",
    "organisation_run",
    "organisation_run_cancel",
    "organisation_run_confirm",
    "scim_connection_revoke",
    "scim_connections",
]
