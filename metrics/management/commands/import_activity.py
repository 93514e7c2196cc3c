from metrics.management.commands._import_command import ImportCommand
from metrics.models import ImportRun


class Command(ImportCommand):
    help = "Import learning activity from a CSV file (see README, Import formats)."
    kind = ImportRun.Kind.ACTIVITY
