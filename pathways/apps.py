from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Learning pathways"

    def ready(self) -> None:
        from pathways.notifications import due_dates_notify
        from upskill.notifications import due_job_register

        due_job_register("pathways-due-dates", due_dates_notify)
