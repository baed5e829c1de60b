"""Recovery codes kept before they were hashed become their digests (`academies.staff.recovery_code_digest`).

A stored code is 8 characters (django-otp's `random_token`); a digest is 16. Codes cannot be recovered from
digests, so there is no way back: the reverse leaves the digests, which still verify.
"""

from django.db import migrations


def hash_plain_codes(apps, schema_editor):
    from academies.staff import recovery_code_digest

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.exclude(token__regex=r"^[0-9a-f]{16}$").iterator():
        token.token = recovery_code_digest(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("academies", "0003_staff_membership"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]
