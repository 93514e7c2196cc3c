from django.apps import AppConfig


class UpskillConfig(AppConfig):
    name = "upskill"
    verbose_name = "Organisation"
