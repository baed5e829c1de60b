"""Give an existing staff account a new authenticator app and recovery codes (a lost phone), printed once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from academies.staff import second_factor_reset, totp_uri


class Command(BaseCommand):
    help = (
        "Replace a staff account's authenticator apps and recovery codes with a new app and 10 new codes, and print "
        "them once. Its passkeys stay. For an account whose holder lost their device and their codes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", required=True, help="The staff account to enrol again.")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"No staff account named {username!r}.")
        device, codes = second_factor_reset(user=user)
        self.stdout.write(self.style.SUCCESS(f"New second factor for {username}; the old app and codes stop working."))
        self.stdout.write(f"Authenticator app: scan or enter this URI:\n    {totp_uri(device)}")
        self.stdout.write("Recovery codes (each works once):\n" + "\n".join(f"    {code}" for code in codes))
