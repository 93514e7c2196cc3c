from django.core.management.base import BaseCommand

from metrics import services


class Command(BaseCommand):
    help = "Recompute the weekly rollups that dashboards read, synchronously."

    def handle(self, *args, **options):
        result = services.rollup_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rollup done: {result.buckets} buckets, {result.rows_written} rows written."
            )
        )
