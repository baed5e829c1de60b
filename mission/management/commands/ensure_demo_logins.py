"""Create the demo logins once, one per role and organisation, and say how to log in and how to reset them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from academies.staff import recovery_codes_regenerate, staff_user_create, totp_device_create, totp_uri

# username, organisation slug, role. None is a superuser: each sees and changes what its role and organisation allow.
DEMO_LOGINS = [
    ("hq-approver", "mission-hq", "approver"),
    ("catc-coordinator", "catc", "coordinator"),
    ("stc-coordinator", "stc", "coordinator"),
    ("hq-observer", "mission-hq", "observer"),
]


class Command(BaseCommand):
    help = (
        "Create the demo logins (first run only): a mission HQ approver, a CAT-C and an ST-C coordinator and a "
        "read-only observer, and print their passwords once."
    )

    def handle(self, *args, **options):
        existing = set(
            get_user_model()
            .objects.filter(username__in=[name for name, _org, _role in DEMO_LOGINS])
            .values_list("username", flat=True)
        )
        created = []
        with transaction.atomic():
            for username, organisation, role in DEMO_LOGINS:
                if username in existing:
                    continue
                user, password = staff_user_create(
                    username=username, email=f"{username}@eumam.invalid", organisation_slug=organisation, role=role
                )
                enrolment = None
                if settings.EUMAM_STAFF_2FA_REQUIRED:
                    device = totp_device_create(user=user, confirmed=True)
                    enrolment = (totp_uri(device), recovery_codes_regenerate(user=user))
                created.append((username, organisation, role, password, enrolment))
        reset = "python manage.py changepassword <username>  (inside the virtualenv: .venv/bin/python manage.py …)"
        if created:
            self.stdout.write(self.style.SUCCESS("Demo logins created. Log in at http://127.0.0.1:8000/admin/"))
            for username, organisation, role, password, enrolment in created:
                self.stdout.write(f"    {role:<12} {organisation:<11} username: {username:<17} password: {password}")
                if enrolment is not None:
                    uri, codes = enrolment
                    self.stdout.write(f"        authenticator app: {uri}\n        recovery codes: {' '.join(codes)}")
            self.stdout.write("These passwords are shown only now. To set a new one: " + reset)
        kept = [username for username, _org, _role in DEMO_LOGINS if username in existing]
        if kept:
            self.stdout.write(f"Demo logins {', '.join(kept)} exist. Forgot a password? {reset}")
