from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Outcome metrics"

    def ready(self) -> None:
        from metrics.notifications import leader_digests_notify
        from upskill.notifications import due_job_register

        due_job_register("metrics-leader-digests", leader_digests_notify)
