"""`manage.py scim_token_create NAME`: a bearer token for one identity-provider
connection (Okta, Entra ID). Printed once; only its hash is stored."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from upskill import services


class Command(BaseCommand):
    help = "Create a SCIM bearer token for an identity provider and print it once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the connection, e.g. 'Okta' or 'Entra ID'")

    def handle(self, *args, **options):
        try:
            created = services.scim_connection_create(name=options["name"], created_by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(created.token)
        self.stderr.write(
            f"SCIM token for {created.connection.name} (shown once; revoke it on the "
            "Organisation page). Base URL: https://<your host>/scim/v2/"
        )
