"""Create a staff account with its organisation and role, print its one-time password, and optionally enrol TOTP."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from academies.staff import ROLES, recovery_codes_regenerate, staff_user_create, totp_device_create, totp_uri
from config.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Create a staff account in one organisation with one role, and print its one-time password. With --totp "
        "(the default while EUMAM_STAFF_2FA_REQUIRED is on) also enrol an authenticator app and print its otpauth:// "
        "URI and 10 recovery codes. Everything is shown once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", required=True, help="The login name of the new account.")
        parser.add_argument("--email", required=True, help="The account holder's e-mail address.")
        parser.add_argument(
            "--organisation", required=True, help="The slug of the organisation the account works for, e.g. catc."
        )
        parser.add_argument(
            "--role",
            required=True,
            choices=sorted(ROLES),
            help="coordinator, approver (mission HQ only) or observer: the group of setup_roles it joins.",
        )
        parser.add_argument(
            "--totp",
            action="store_true",
            default=None,
            help="Enrol an authenticator app and print its otpauth:// URI and 10 recovery codes "
            "(default: on when EUMAM_STAFF_2FA_REQUIRED is on).",
        )
        parser.add_argument(
            "--no-totp", dest="totp", action="store_false", help="Do not enrol a second factor, even when required."
        )

    def handle(self, *args, username: str, email: str, organisation: str, role: str, totp: bool | None, **options):
        enrol = settings.EUMAM_STAFF_2FA_REQUIRED if totp is None else totp
        try:
            with transaction.atomic():
                user, password = staff_user_create(
                    username=username, email=email, organisation_slug=organisation, role=role
                )
                device = totp_device_create(user=user, confirmed=True) if enrol else None
                codes = recovery_codes_regenerate(user=user) if enrol else []
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username} for {organisation}."))
        self.stdout.write(f"    username: {username}\n    password: {password}")
        if device is not None:
            self.stdout.write(
                "Authenticator app: scan or enter this URI, then log in with the code it shows:\n"
                f"    {totp_uri(device)}"
            )
            self.stdout.write("Recovery codes (each works once, in place of the app's code):")
            self.stdout.write("\n".join(f"    {code}" for code in codes))
        self.stdout.write("These are shown only now; hand them over in person or over a protected channel.")
