"""Create an API key for a partner organisation and print it once; only its hash is stored."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from academies.models import Organisation
from academies.scope import SYSTEM
from academies.services import api_key_create
from config.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Create an API key for a partner organisation. The key is printed once and cannot be shown again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument("--read-only", action="store_true", help="The key may only read.")
        parser.add_argument("--expires", help="Expiry date, YYYY-MM-DD (the key stops working that day).")
        parser.add_argument("--name", default="", help="A label for the key, e.g. the partner system's name.")

    def handle(self, *args, organisation: str, read_only: bool, expires: str | None, name: str, **options) -> None:
        try:
            owner = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist as error:
            raise CommandError(f"No organisation with slug {organisation!r}.") from error
        expires_on = None
        if expires:
            try:
                expires_on = dt.date.fromisoformat(expires)
            except ValueError as error:
                raise CommandError("--expires takes a date as YYYY-MM-DD.") from error
        try:
            api_key, plaintext = api_key_create(
                organisation=owner,
                name=name or f"{owner.slug} key",
                read_only=read_only,
                expires_on=expires_on,
                actor=SYSTEM,  # an operator at the console
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        mode = "read-only" if read_only else "read-write"
        self.stderr.write(
            f"Created a {mode} key {api_key.prefix} for {owner.slug}"
            + (f", expiring {expires_on}" if expires_on else "")
            + ". Store it now: it is shown only once."
        )
        self.stdout.write(plaintext)
