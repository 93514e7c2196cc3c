from django.core.management.base import BaseCommand

from pathways.services.builder import pathway_assignments_apply


class Command(BaseCommand):
    help = (
        "Enrol everyone covered by the standing pathway assignments (teams, sub-teams, job "
        "roles) who is not enrolled yet. Safe to run at any time; beat runs it hourly. Use "
        "it after changing people's teams or roles in bulk (the app or the Django admin)."
    )

    def handle(self, *args, **options):
        result = pathway_assignments_apply()
        self.stdout.write(
            f"Enrolled {result.enrolled} people; {result.already_enrolled} were already enrolled."
        )
