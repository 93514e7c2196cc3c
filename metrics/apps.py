from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Outcome metrics"

    def ready(self) -> None:
        # The app's own learning activity reaches metrics through upskill's port, so
        # pathways never imports metrics (upskill/learning_activity.py says why).
        from metrics.services.app_activity import app_activity_record
        from upskill.learning_activity import learning_activity_recorder_register

        learning_activity_recorder_register(app_activity_record)

        from metrics.notifications import leader_digests_notify
        from upskill.notifications import due_job_register

        due_job_register("metrics-leader-digests", leader_digests_notify)

        # Tool logins set by HR sync: optional people-file columns, planned and applied
        # in the sync's transaction through upskill's port (upskill.services.hr_sync.columns).
        from metrics.services.connectors.hr_logins import HR_LOGIN_COLUMNS
        from upskill.services import hr_sync_columns_register

        hr_sync_columns_register(HR_LOGIN_COLUMNS)

        # What its destructive actions ask first (upskill/confirmation.py).
        from metrics.confirmations import CONFIRMATIONS
        from upskill.confirmation import confirmation_register

        for name, ask in CONFIRMATIONS.items():
            confirmation_register(name, ask)
