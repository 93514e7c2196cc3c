"""What revoking an xAPI key asks before it acts, by URL name: registered with upskill's
confirmation port in MetricsConfig.ready()."""

from __future__ import annotations

from upskill.confirmation import Confirmation

CONFIRMATIONS = {
    "metrics:xapi_key_revoke": lambda xapi_key: Confirmation(
        f"Revoke the key “{xapi_key.name}”?",
        "Anything still sending statements with it will be refused.",
        "Revoke the key",
    ),
}
