"""The training record (issue 18): its fields, pinned; its signature, which one changed byte breaks; the rotation
record of the signing keys; and `verify_training_record`, which checks a record offline."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.test import override_settings

from academies.scope import SYSTEM, Actor
from config import clock, signing
from config.exceptions import ApplicationError
from tests.factories import AcademyFactory, CohortFactory, CourseFactory, EnrollmentFactory, OrganisationFactory
from tests.security.pinned_fields import TRAINING_RECORD_COURSE_FIELDS, TRAINING_RECORD_FIELDS
from trainees.models import SigningKey
from trainees.services import signing_key_register
from trainees.training_record import training_record, training_record_signed

pytestmark = pytest.mark.django_db

# A second key, for rotations: a fixed test-only seed (32 bytes), never a real one.
OTHER_KEY = "b3RoZXItdGVzdC1vbmx5LXJlY29yZC1zaWduaW5nLWs="


@pytest.fixture
def trainee():
    """A trainee with one completed course, one withdrawn and one still under way, by dates from today."""
    today = clock.today()
    site = AcademyFactory(slug="zagan", name_en="Żagań training centre", name_uk="Навчальний центр Жагань")
    course = CourseFactory(code="basic", name_en="Basic training", name_uk="Базова підготовка")
    first = CohortFactory(reference="C-FIRST", course=course, academy=site, starts_on=today - dt.timedelta(days=120))
    enrollment = EnrollmentFactory(cohort=first, trainee__reference="UA-7F3K-0192", status="completed")
    second = CohortFactory(reference="C-SECOND", course=course, academy=site, starts_on=today - dt.timedelta(days=60))
    EnrollmentFactory(cohort=second, trainee=enrollment.trainee, status="withdrawn")
    running = CohortFactory(reference="C-RUNNING", course=course, academy=site, starts_on=today - dt.timedelta(days=5))
    EnrollmentFactory(cohort=running, trainee=enrollment.trainee, status="enrolled")
    return enrollment.trainee


@pytest.fixture
def registered():
    return signing_key_register(actor=SYSTEM, reason="First key.")[0]


def test_the_record_holds_exactly_these_fields_and_no_more(trainee):
    record = training_record(trainee)

    # Pinned: a new field is a decision (no name or other identifying detail of the person, ever).
    assert list(record) == list(TRAINING_RECORD_FIELDS)
    assert record["format"] == "eumam-training-record/1" and record["trainee"] == "UA-7F3K-0192"
    assert dt.datetime.fromisoformat(record["issued_at"]) == clock.now().replace(microsecond=0)
    assert [course["cohort"] for course in record["courses"]] == ["C-FIRST", "C-SECOND"]  # not the running one
    first = record["courses"][0]
    assert sorted(first) == sorted(TRAINING_RECORD_COURSE_FIELDS)
    starts_on = clock.today() - dt.timedelta(days=120)
    assert first == {
        "course": "basic",
        "course_name_en": "Basic training",
        "course_name_uk": "Базова підготовка",
        "course_version": 1,
        "site": "zagan",
        "site_name_en": "Żagań training centre",
        "site_name_uk": "Навчальний центр Жагань",
        "site_nation": "PL",
        "cohort": "C-FIRST",
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + dt.timedelta(days=34)).isoformat(),
        "outcome": "completed",
        "outcome_on": (starts_on + dt.timedelta(days=34)).isoformat(),
    }
    assert record["courses"][1]["outcome"] == "withdrawn"


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_utf8():
    assert signing.canonical_json({"b": [1, None, True], "a": "Жагань"}) == '{"a":"Жагань","b":[1,null,true]}'.encode()
    with pytest.raises(TypeError):
        signing.canonical_json({"share": 0.5})


def test_a_signed_record_verifies_and_one_changed_byte_fails(trainee, registered):
    document = training_record_signed(trainee)
    keys = {registered.key_id: registered.public_key}

    assert document["signature"]["alg"] == "Ed25519" and document["signature"]["key_id"] == registered.key_id
    text = json.dumps(document, ensure_ascii=False)
    assert signing.verify(json.loads(text), keys) == document["record"]
    changed = text.replace("UA-7F3K-0192", "UA-7F3K-0193", 1)  # one byte
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(json.loads(changed), keys)
    value = document["signature"]["value"]
    forged = {
        **document,
        "signature": {**document["signature"], "value": ("B" if value[0] != "B" else "C") + value[1:]},
    }
    with pytest.raises(signing.SignatureError):
        signing.verify(forged, keys)
    with pytest.raises(signing.SignatureError, match="not among the published keys"):
        signing.verify(document, {})


def test_a_record_is_signed_only_by_a_registered_key(trainee):
    with pytest.raises(ApplicationError) as refused:
        training_record_signed(trainee)
    assert refused.value.code == "signing_key_unregistered"


def test_registering_is_idempotent_and_a_rotation_keeps_the_old_key_published(trainee, registered):
    old_document = training_record_signed(trainee)
    assert signing_key_register(actor=SYSTEM, reason="Again.") == (registered, False)

    with override_settings(EUMAM_RECORD_SIGNING_KEY=OTHER_KEY):
        new, created = signing_key_register(actor=SYSTEM, reason="Planned rotation.")
        new_document = training_record_signed(trainee)

    registered.refresh_from_db()
    assert created and new.key_id != registered.key_id and new_document["signature"]["key_id"] == new.key_id
    assert registered.retired_at == new.activated_at and new.retired_at is None
    keys = dict(SigningKey.objects.values_list("key_id", "public_key"))
    assert signing.verify(old_document, keys) and signing.verify(new_document, keys)


def test_a_retired_key_is_not_registered_again(registered):
    with override_settings(EUMAM_RECORD_SIGNING_KEY=OTHER_KEY):
        signing_key_register(actor=SYSTEM, reason="Planned rotation.")
    with pytest.raises(ApplicationError) as refused:
        signing_key_register(actor=SYSTEM, reason="Back to the old key.")
    assert refused.value.code == "signing_key_retired"


def test_only_mission_hq_or_the_system_registers_keys():
    site = AcademyFactory()
    actor = Actor(organisation=OrganisationFactory(kind="academy", academy=site), is_system=False)
    with pytest.raises(ApplicationError):
        signing_key_register(actor=actor, reason="Mine.")
    assert not SigningKey.objects.exists()


def test_a_signing_key_is_an_official_record_never_deleted_nor_rewritten(registered):
    with pytest.raises((IntegrityError, DatabaseError), match="official record"), transaction.atomic():
        SigningKey.objects.filter(pk=registered.pk).delete()
    with pytest.raises((IntegrityError, DatabaseError), match="official record"), transaction.atomic():
        SigningKey.objects.filter(pk=registered.pk).update(public_key="A" * 43)
    retired = clock.now()
    SigningKey.objects.filter(pk=registered.pk).update(retired_at=retired)  # retired once: allowed
    with pytest.raises((IntegrityError, DatabaseError), match="official record"), transaction.atomic():
        SigningKey.objects.filter(pk=registered.pk).update(retired_at=retired + dt.timedelta(days=1))
    assert SigningKey.objects.get(pk=registered.pk).public_key == registered.public_key


def test_a_bad_configured_key_is_refused_with_a_clear_message():
    for text in ("not base64!", "c2hvcnQ="):
        with pytest.raises(ValueError):
            signing.private_key_from_text(text)


# THE COMMAND


def _files(tmp_path, document, keys):
    record_file, keys_file = tmp_path / "record.json", tmp_path / "keys.json"
    record_file.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    keys_file.write_text(json.dumps(keys), encoding="utf-8")
    return record_file, keys_file


def _published():
    from trainees.api.training_records import RecordSigningKeysSerializer

    return json.loads(json.dumps(RecordSigningKeysSerializer({"keys": SigningKey.objects.all()}).data))


def test_the_command_verifies_a_record_and_refuses_one_changed_byte(trainee, registered, tmp_path, capsys):
    record_file, keys_file = _files(tmp_path, training_record_signed(trainee), _published())

    call_command("verify_training_record", str(record_file), "--keys", str(keys_file))
    assert "verifies: the training record of UA-7F3K-0192 (2 courses)" in capsys.readouterr().out
    call_command("verify_training_record", str(record_file))  # against this installation's rotation record

    data = bytearray(record_file.read_bytes())
    data[data.index(b"C-FIRST") + 2] = ord("X")  # one changed byte
    record_file.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does NOT verify: The signature does not match"):
        call_command("verify_training_record", str(record_file), "--keys", str(keys_file))


def test_the_command_says_why_it_cannot_verify(trainee, registered, tmp_path):
    record_file, keys_file = _files(tmp_path, training_record_signed(trainee), {"keys": []})
    with pytest.raises(CommandError, match="not among the published keys"):
        call_command("verify_training_record", str(record_file), "--keys", str(keys_file))
    with pytest.raises(CommandError, match="Cannot read the record file"):
        call_command("verify_training_record", str(tmp_path / "missing.json"))
    keys_file.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not UTF-8 JSON"):
        call_command("verify_training_record", str(record_file), "--keys", str(keys_file))


def test_the_command_refuses_a_record_issued_after_its_key_was_retired(trainee, registered, tmp_path):
    document = training_record_signed(trainee)
    keys = _published()
    keys["keys"][0]["retired_at"] = (clock.now() - dt.timedelta(days=1)).isoformat()
    record_file, keys_file = _files(tmp_path, document, keys)
    with pytest.raises(CommandError, match="issued after key"):
        call_command("verify_training_record", str(record_file), "--keys", str(keys_file))


def test_register_record_signing_key_is_idempotent(capsys):
    call_command("register_record_signing_key")
    call_command("register_record_signing_key")
    output = capsys.readouterr().out
    assert "Registered record signing key" in output and "already the one in use" in output
    assert SigningKey.objects.count() == 1
