"""`manage.py register_record_signing_key [--reason TEXT]`: put the configured record-signing key in the rotation
record, retiring the key before it. Idempotent: with the key already registered it changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academies.scope import SYSTEM
from config.exceptions import ApplicationError
from trainees.services import signing_key_register


class Command(BaseCommand):
    help = (
        "Register the public half of the key in EUMAM_RECORD_SIGNING_KEY as the key that signs training records, "
        "and retire the one in use before it (its public key stays published, so what it signed still verifies). "
        "Run it after setting a new key; with the key already registered it changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reason",
            default="First record signing key of this installation.",
            help="Why this key is put in use (kept in the rotation record), for example 'Planned yearly rotation'.",
        )

    def handle(self, *args, reason: str, **options) -> None:
        try:
            key, created = signing_key_register(actor=SYSTEM, reason=reason)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if created:
            self.stdout.write(self.style.SUCCESS(f"Registered record signing key {key.key_id}; it signs from now."))
        else:
            self.stdout.write(f"Record signing key {key.key_id} is already the one in use.")
