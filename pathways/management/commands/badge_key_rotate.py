"""Retire the current badge signing key and generate a new one (see README, "How a badge
is verified"). Credentials already issued stay valid and revocable."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pathways.services import badges as badge_services


class Command(BaseCommand):
    help = "Retire the current Open Badges signing key and generate a new one."

    def handle(self, *args, **options):
        try:
            signing_key = badge_services.signing_key_rotate()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"New badges are now signed by {signing_key.did}.")
