"""Training records through the API (issue 18): who reads them, the signed export, the public keys, and the
offline check of docs/api.md §14, run on a real signed record."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from academies.scope import SYSTEM
from tests.factories import AcademyFactory, OrganisationFactory
from trainees.services import signing_key_register

pytestmark = pytest.mark.django_db

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"


@pytest.fixture
def records(world):
    """The world, with a Ukrainian academy's key, a completed course for trainee UA-a-0001 and a registered key."""
    from tests.api.conftest import _key

    enrollment = world.objects["a"]["enrollment"]
    enrollment.status, enrollment.outcome_on = "completed", enrollment.cohort.ends_on
    enrollment.save()
    academy = AcademyFactory(slug="ua-academy", kind="academy", nation__code="UA", command=None)
    world.orgs["ukraine"] = OrganisationFactory(slug="ua-academy", kind="academy", academy=academy)
    world.keys["ukraine"] = _key(world.orgs["ukraine"])
    signing_key_register(actor=SYSTEM, reason="Test key.")
    return world


def _record_url(reference: str, signed: bool = False) -> str:
    return reverse("api:training-record-signed" if signed else "api:training-record-detail", args=[reference])


@pytest.mark.parametrize("who", ["hq", "ukraine"])
def test_mission_hq_and_a_ukrainian_institution_read_every_record(records, who):
    for reference in ("UA-a-0001", "UA-b-0001"):
        response = records.client(who).get(_record_url(reference))
        assert response.status_code == 200, response.content
        assert response.json()["trainee"] == reference
    assert [course["cohort"] for course in records.client(who).get(_record_url("UA-a-0001")).json()["courses"]] == [
        "C-A"
    ]


@pytest.mark.parametrize("who", ["command_a", "ministry_a", "academy_a"])
@pytest.mark.parametrize("signed", [False, True])
def test_any_other_caller_gets_the_answer_of_a_reference_that_does_not_exist(records, who, signed):
    client = records.client(who)
    own = client.get(_record_url("UA-a-0001", signed))  # even its own site's trainee
    missing = client.get(_record_url("UA-nobody-0001", signed))

    assert own.status_code == missing.status_code == 404
    assert own.json() == missing.json()


def test_the_signed_export_verifies_against_the_published_keys(records):
    from config import signing

    response = records.client("ukraine").get(_record_url("UA-a-0001", signed=True))
    keys = APIClient().get(reverse("api:training-record-keys"))  # no key needed

    assert response.status_code == 200 and keys.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="training-record-UA-a-0001.json"'
    published = {key["key_id"]: key["public_key"] for key in keys.json()["keys"]}
    assert signing.verify(response.json(), published)["trainee"] == "UA-a-0001"
    assert list(keys.json()["keys"][0]) == ["key_id", "algorithm", "public_key", "activated_at", "retired_at", "reason"]


def test_without_a_registered_key_the_export_answers_503(world):
    client = world.client("hq")
    client.raise_request_exception = False  # a 5xx is reported as a server error, which the test client re-raises
    response = client.get(_record_url("UA-a-0001", signed=True))
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "service_unavailable"


def _guide_snippet() -> str:
    section = GUIDE.read_text(encoding="utf-8").split("## 14. Training records", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_guides_offline_check_verifies_a_real_record_and_fails_after_one_changed_byte(records, tmp_path, capsys):
    document = records.client("hq").get(_record_url("UA-a-0001", signed=True)).content
    keys = APIClient().get(reverse("api:training-record-keys")).content
    (tmp_path / "training-record-keys.json").write_bytes(keys)
    record_file = tmp_path / "training-record.json"
    snippet = compile(_guide_snippet(), str(GUIDE), "exec")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        record_file.write_bytes(document)
        exec(snippet, {"__name__": "guide"})  # noqa: S102  (our own documentation, run as a reader would)
        assert capsys.readouterr().out == "UA-a-0001 verifies\n"

        changed = bytearray(document)
        changed[changed.index(b'"C-A"') + 3] = ord("B")  # one changed byte: C-A becomes C-B
        record_file.write_bytes(bytes(changed))
        assert json.loads(bytes(changed))["record"]["courses"][0]["cohort"] == "C-B"
        with pytest.raises(InvalidSignature):
            exec(snippet, {"__name__": "guide"})  # noqa: S102
    finally:
        os.chdir(here)


def test_the_schema_describes_the_record_the_builder_makes(records):
    from trainees.api.training_records import TrainingRecordCourseSerializer, TrainingRecordSerializer
    from trainees.training_record import COURSE_FIELDS, RECORD_FIELDS

    record = records.client("hq").get(_record_url("UA-a-0001")).json()
    assert tuple(record) == RECORD_FIELDS and tuple(TrainingRecordSerializer().fields) == RECORD_FIELDS
    assert tuple(record["courses"][0]) == COURSE_FIELDS == tuple(TrainingRecordCourseSerializer().fields)
