"""Create the demo coordinator account once, and say how to log in and how to reset the password."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the demo coordinator login (first run only) and print how to log in and reset it."

    @transaction.atomic
    def handle(self, *args, **options):
        username = settings.EUMAM_DEMO_ADMIN_USERNAME
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@eumam.invalid", "is_staff": True, "is_superuser": True},
        )
        reset = f"python manage.py changepassword {username}  (inside the virtualenv: .venv/bin/python manage.py …)"
        if created:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=["Coordinator", "Mission HQ approver"]))
            self.stdout.write(self.style.SUCCESS("Demo coordinator created. Log in at http://127.0.0.1:8000/admin/"))
            self.stdout.write(f"    username: {username}\n    password: {password}")
            self.stdout.write("This password is shown only now. To set a new one: " + reset)
        else:
            self.stdout.write(f"Demo coordinator '{username}' exists. Forgot the password? {reset}")
