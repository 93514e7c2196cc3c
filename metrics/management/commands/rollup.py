from django.core.management.base import BaseCommand

from metrics import services


class Command(BaseCommand):
    help = (
        "Roll up synchronously: the queued buckets plus a scan from the watermark "
        "(what the beat job does), or everything with --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Recompute every rollup.")

    def handle(self, *args, full=False, **options):
        result = services.rollup_rebuild() if full else services.rollup_catch_up()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rollup done: {result.buckets} buckets, {result.rows_written} rows written."
            )
        )
