"""What retiring a commitment and closing a pulse early ask before they act, by URL
name: registered with upskill's confirmation port in ResponsibilitiesConfig.ready()."""

from __future__ import annotations

from upskill.confirmation import Confirmation

CONFIRMATIONS = {
    # Only retiring asks; restoring a commitment is not destructive.
    "responsibilities:commitment_set_active": lambda commitment: Confirmation(
        f"Retire “{commitment.title}”?",
        "It stops appearing in fulfilment; its check-ins are kept.",
        "Retire it",
    ),
    "responsibilities:pulse_close": lambda survey: Confirmation(
        f"Close “{survey.title}” now?",
        "Nobody can answer or change their answers after this.",
        "Close the pulse",
    ),
}
