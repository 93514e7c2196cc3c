"""The audit trail L&D admins browse, and where each of its kinds is written.

- configuration changes: django-auditlog, for the models in AUDITLOG_INCLUDE_TRACKING_MODELS
  (upskill/settings.py), one entry per user action, named (upskill.services.audit);
  import runs and HR syncs write their own entry when they settle;
- sign-ins, sign-outs and failed sign-ins: django-axes (AXES_* settings);
- single sign-on (sign-ins, refusals with their reason, first links), sign-outs and
  sessions ended by deactivation or SESSION_MAX_AGE: `SignInEvent`, written by
  upskill.services.sign_in_event_record (from upskill.views and upskill.middleware);
- refused requests: `AccessDenial`, written by upskill.middleware.AccessDenialMiddleware.

The read that pages through them is `upskill.selectors.audit_page`.
"""

KINDS = {
    "changes": "Configuration changes",
    "sign-ins": "Sign-ins and sign-outs",
    "failed-sign-ins": "Failed sign-ins",
    "single-sign-on": "Single sign-on and sessions",
    "denials": "Refused requests",
}
