import os
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
            return
        try:
            for line in lines:
                self.stdout.write(line, ending="")
            self.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (`export_rollups | head`): nothing is wrong. Point
            # stdout at /dev/null so Python's flush at exit does not raise again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
