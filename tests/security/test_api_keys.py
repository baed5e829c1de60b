"""API keys: hashed at rest, refused once expired or revoked, read-only keys cannot write; every failure is logged
with the key's prefix and never the key."""

import datetime as dt
import hashlib
import logging
import subprocess

import pytest
from django.contrib.auth import hashers
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key import crypto

from academies.models import OrganisationAPIKey
from academies.scope import SYSTEM
from academies.services import api_key_create
from config import clock
from config.logging import SECURITY_LOGGER

pytestmark = pytest.mark.django_db


def _client(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    return client


def _all_text_in_database() -> str:
    """Every text and JSON cell of every table (SQLite has no pg_dump)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names come from introspection)
            chunks.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return "\n".join(chunks)


def _pg_dump() -> str:
    settings = connection.settings_dict
    command = [
        "pg_dump",
        "--data-only",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-U",
        settings["USER"],
        settings["NAME"],
    ]
    if settings["PORT"]:
        command += ["-p", str(settings["PORT"])]
    env = {"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120, env=env).stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_never_contains_a_plaintext_key(world):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="dump check")
    secret_part = plaintext.split(".", 1)[1]
    assert _client(plaintext).get("/api/v1/cohorts/").status_code == 200  # the key works

    dump = _pg_dump() if connection.vendor == "postgresql" else _all_text_in_database()

    assert api_key.prefix in dump  # the dump holds the key table, so a leak would show
    assert plaintext not in dump
    assert secret_part not in dump


def test_an_expired_key_answers_401(world):
    api_key, plaintext = api_key_create(
        actor=SYSTEM,
        organisation=world.orgs["command_a"],
        name="soon expired",
        expires_on=clock.today() + dt.timedelta(days=1),
    )
    assert _client(plaintext).get("/api/v1/cohorts/").status_code == 200
    OrganisationAPIKey.objects.filter(pk=api_key.pk).update(expiry_date=timezone.now() - dt.timedelta(seconds=1))

    response = _client(plaintext).get("/api/v1/cohorts/")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_answers_401_on_reads_and_writes(world):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="to revoke")
    OrganisationAPIKey.objects.filter(pk=api_key.pk).update(revoked=True)

    assert _client(plaintext).get("/api/v1/cohorts/").status_code == 401
    assert _client(plaintext).post("/api/v1/count-returns/", {}, format="json").status_code == 401


def test_a_read_only_key_answers_403_on_every_write_method(world):
    client = world.client("command_a_ro")
    cohort = world.objects["a"]["cohort"]

    assert client.get("/api/v1/cohorts/").status_code == 200
    assert client.post("/api/v1/count-returns/", {}, format="json").status_code == 403
    assert client.patch(f"/api/v1/cohorts/{cohort.pk}/", {"notes": "x"}, format="json").status_code == 403
    assert client.post("/api/v1/enrollments/bulk/", {"items": []}, format="json").status_code == 403


def test_an_authentication_failure_is_logged_with_the_prefix_but_never_the_key(world, caplog):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="to revoke")
    OrganisationAPIKey.objects.filter(pk=api_key.pk).update(revoked=True)

    with caplog.at_level(logging.WARNING, logger=SECURITY_LOGGER):
        _client(plaintext).get("/api/v1/cohorts/")

    [record] = [r for r in caplog.records if r.name == SECURITY_LOGGER]
    assert record.event == "api.authentication_failed"
    assert record.reason == "revoked_key"
    assert record.key_prefix == api_key.prefix
    assert plaintext.split(".", 1)[1] not in caplog.text
    assert plaintext not in str(record.__dict__)


def test_an_out_of_scope_object_answers_404_and_is_logged_without_its_content(world, caplog):
    other_scope_trainee = world.objects["b"]["trainee"]
    key_prefix = world.keys["command_a"].split(".")[0]

    with caplog.at_level(logging.WARNING, logger=SECURITY_LOGGER):
        response = world.client("command_a").get(f"/api/v1/trainees/{other_scope_trainee.pk}/")
        missing = world.client("command_a").get("/api/v1/trainees/999999/")

    assert response.status_code == 404 and missing.status_code == 404
    assert response.json() == missing.json()  # the caller cannot tell "not yours" from "does not exist"
    [record] = [r for r in caplog.records if r.name == SECURITY_LOGGER]
    assert record.event == "api.object_out_of_scope"
    assert record.key_prefix == key_prefix
    assert record.path == f"/api/v1/trainees/{other_scope_trainee.pk}/"
    assert other_scope_trainee.reference not in str(record.__dict__)


# THE KEY CHECK EVERY REQUEST PAYS (issue 19)


def test_a_key_is_stored_with_the_fast_hash_of_a_high_entropy_key_not_a_password_hasher(world):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="hash check")

    algorithm, _salt, digest = api_key.hashed_key.split("$")
    assert algorithm == "sha512"
    assert digest == hashlib.sha512(plaintext.encode()).hexdigest()


def test_the_key_check_reads_the_key_and_its_organisation_in_one_query_without_a_password_hasher(
    world, django_assert_num_queries, monkeypatch
):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="one query")

    def no_password_hasher(*_args, **_kwargs):
        raise AssertionError("a password hasher ran for a key in the fast hash")

    monkeypatch.setattr(crypto, "check_password", no_password_hasher)
    monkeypatch.setattr(hashers, "check_password", no_password_hasher)
    with django_assert_num_queries(1):
        found = OrganisationAPIKey.objects.get_from_key(plaintext)
        organisation = found.organisation

    assert found == api_key
    assert organisation == world.orgs["command_a"]
    assert found.created == api_key.created and found.revoked is False and found.read_only is False
    assert found.expiry_date is None


def test_the_key_check_reads_the_same_key_as_the_orm(world):
    expires_on = clock.today() + dt.timedelta(days=30)
    api_key, plaintext = api_key_create(
        actor=SYSTEM, organisation=world.orgs["command_a"], name="same", read_only=True, expires_on=expires_on
    )
    stored = OrganisationAPIKey.objects.select_related("organisation").get(pk=api_key.pk)

    found = OrganisationAPIKey.objects.get_from_key(plaintext)

    fields = [field.attname for field in OrganisationAPIKey._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(stored, name) for name in fields]
    organisation_fields = [field.attname for field in found.organisation._meta.concrete_fields]
    assert [getattr(found.organisation, name) for name in organisation_fields] == [
        getattr(stored.organisation, name) for name in organisation_fields
    ]


def test_the_key_check_refuses_a_wrong_secret_an_unknown_prefix_and_a_revoked_key(world):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="refusals")
    prefix = plaintext.split(".", 1)[0]

    for key in (f"{prefix}.{'x' * 32}", f"nosuchpx.{'x' * 32}"):
        with pytest.raises(OrganisationAPIKey.DoesNotExist):
            OrganisationAPIKey.objects.get_from_key(key)
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])
    with pytest.raises(OrganisationAPIKey.DoesNotExist):
        OrganisationAPIKey.objects.get_from_key(plaintext)


def test_a_key_kept_with_a_password_hasher_still_works_and_moves_to_the_fast_hash(world):
    api_key, plaintext = api_key_create(actor=SYSTEM, organisation=world.orgs["command_a"], name="older hasher")
    OrganisationAPIKey.objects.filter(pk=api_key.pk).update(hashed_key=hashers.make_password(plaintext))

    assert _client(plaintext).get("/api/v1/cohorts/").status_code == 200

    assert OrganisationAPIKey.objects.get(pk=api_key.pk).hashed_key.startswith("sha512$$")
    assert _client(plaintext).get("/api/v1/cohorts/").status_code == 200
