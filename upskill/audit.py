"""The audit trail L&D admins browse, and where each of its kinds is written.

- configuration changes: django-auditlog, for the models in AUDITLOG_INCLUDE_TRACKING_MODELS
  (upskill/settings.py);
- sign-ins, sign-outs and failed sign-ins: django-axes (AXES_* settings);
- refused requests: `AccessDenial`, written by upskill.middleware.AccessDenialMiddleware.

The read that pages through them is `upskill.selectors.audit_page`.
"""

KINDS = {
    "changes": "Configuration changes",
    "sign-ins": "Sign-ins and sign-outs",
    "failed-sign-ins": "Failed sign-ins",
    "denials": "Refused requests",
}
