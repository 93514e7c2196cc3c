from metrics.management.commands._import_command import ImportCommand
from metrics.services.connectors import CONNECTORS


class Command(ImportCommand):
    help = (
        "Import a tool export (jira, github-prs, copilot, zendesk, freshdesk) as weekly "
        "outcome observations per team, through the identity map (README, Connecting "
        "your tools)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(CONNECTORS))
        super().add_arguments(parser)

    def handle(self, *args, source: str, **options):
        self.kind = source
        return super().handle(*args, **options)
