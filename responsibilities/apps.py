from django.apps import AppConfig


class ResponsibilitiesConfig(AppConfig):
    name = "responsibilities"
    verbose_name = "Shared responsibility"

    def ready(self) -> None:
        from responsibilities.notifications import commitments_due_notify
        from upskill.notifications import due_job_register

        due_job_register("responsibilities-commitments", commitments_due_notify)

        # What its destructive actions ask first (upskill/confirmation.py).
        from responsibilities.confirmations import CONFIRMATIONS
        from upskill.confirmation import confirmation_register

        for name, ask in CONFIRMATIONS.items():
            confirmation_register(name, ask)
