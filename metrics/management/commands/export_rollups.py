import sys

from django.core.management.base import BaseCommand

from metrics import selectors


class Command(BaseCommand):
    help = (
        "Write every rollup as CSV (team,week_start,pathway,metric,value,people,note); "
        "figures for fewer than MIN_GROUP_SIZE people are blanked and noted 'suppressed'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="A file to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        lines = selectors.rollup_export_lines(None)
        if output:
            with open(output, "w", newline="", encoding="utf-8") as target:
                target.writelines(lines)
        else:
            stream = self.stdout if self.stdout else sys.stdout
            for line in lines:
                stream.write(line, ending="")
