"""Related ids in request bodies (issue 14): one answer under the field for a missing id and for an id outside
the caller's scope, and a 400 under the field, never a 5xx, for an id of the wrong type."""

from __future__ import annotations

import inspect

import pytest
from rest_framework import relations, serializers

import academies.api.serializers
import mission.api.planning
import mission.api.serializers
import trainees.api.serializers
from academies.partners.fields import ScopedFieldMixin
from config.api.fields import IdField
from trainees.models import CountReturn

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654_321
NO_COHORT = "No such cohort in your scope."


def errors_of(response) -> dict[str, tuple[str, str]]:
    assert response.status_code == 400, response.content
    return {error["attr"]: (error["code"], error["detail"]) for error in response.json()["errors"]}


def _count_return(cohort) -> dict:
    return {"cohort": cohort, "as_of": "2025-04-06", "enrolled": 10, "completed": 5, "withdrawn": 1}


def _assignment(world, cohort) -> dict:
    return {"trainer": world.objects["a"]["spare_trainer"].reference, "cohort": cohort, "role": "instructor"}


def _enrollment(cohort) -> dict:
    return {"cohort": cohort, "trainee": "UA-new-1234"}


def _window(trainer) -> dict:
    return {"trainer": trainer, "starts_on": "2026-01-01", "ends_on": "2026-02-01"}


def _subscription(**changes) -> dict:
    return {"name": "Weekly", "recipients": ["ops@example.eu"], "frequency": "weekly", "weekday": 0, "scope": "command",
            **changes}  # fmt: skip


def _cohort(**changes) -> dict:
    return {
        "reference": "C-NEW-1",
        "course": "basic",
        "academy": "site-a",
        "starts_on": "2026-05-04",
        "ends_on": "2026-06-07",
        "seats": 20,
        **changes,
    }


# (who calls, path, body with the related value, the field's path)
CASES = {
    "count return cohort": ("command_a", "/api/v1/count-returns/", lambda w, v: _count_return(v), "cohort"),
    "enrollment cohort": ("command_a", "/api/v1/enrollments/", lambda w, v: _enrollment(v), "cohort"),
    "assignment cohort": ("command_a", "/api/v1/trainer-assignments/", lambda w, v: _assignment(w, v), "cohort"),
    "bulk return cohort": (
        "command_a",
        "/api/v1/count-returns/bulk/",
        lambda w, v: {"items": [_count_return(v)]},
        "items.0.cohort",
    ),
    "bulk enrollment cohort": (
        "command_a",
        "/api/v1/enrollments/bulk/",
        lambda w, v: {"items": [_enrollment(v)]},
        "items.0.cohort",
    ),
    "upsert assignment cohort": (
        "command_a",
        "/api/v1/trainer-assignments/upsert/",
        lambda w, v: {"items": [_assignment(w, v)]},
        "items.0.cohort",
    ),
}


def _out_of_scope_cohort(world) -> int:
    return world.objects["b"]["cohort"].pk


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_missing_and_an_out_of_scope_cohort_get_the_same_answer_under_the_field(world, case):
    who, path, body, attr = CASES[case]
    client = world.client(who)
    missing = errors_of(client.post(path, body(world, MISSING_ID), format="json"))
    outside = errors_of(client.post(path, body(world, _out_of_scope_cohort(world)), format="json"))

    assert missing[attr][1] == outside[attr][1] == NO_COHORT
    assert missing == outside
    assert missing[attr][0] == "does_not_exist" or path.endswith(("bulk/", "upsert/"))
    assert str(MISSING_ID) not in str(missing) and str(_out_of_scope_cohort(world)) not in str(outside)


# Slug fields: (who, path, body with the value, attr, a value outside the scope or None, the message)
SLUG_CASES = {
    "cohort site": (
        "command_a",
        "/api/v1/cohorts/",
        lambda v: _cohort(academy=v),
        "academy",
        "site-b",
        "No such academy or training site in your scope.",
    ),
    "cohort course": (
        "command_a",
        "/api/v1/cohorts/",
        lambda v: _cohort(course=v),
        "course",
        None,
        "No such course in your scope.",
    ),
    "rotation window trainer": (
        "ministry_a",
        "/api/v1/trainer-availability/",
        _window,
        "trainer",
        "T-B-1",
        "No such trainer in your scope.",
    ),
    "assignment trainer": (
        "command_a",
        "/api/v1/trainer-assignments/",
        lambda v: {"trainer": v, "cohort": None, "role": "instructor"},
        "trainer",
        None,
        "No such trainer in your scope.",
    ),
    "trainer nation": (
        "ministry_a",
        "/api/v1/trainers/",
        lambda v: {"reference": "PL-NEW-1", "display_name": "New", "nation": v},
        "nation",
        None,
        "No such nation in your scope.",
    ),
    "trainer qualification": (
        "ministry_a",
        "/api/v1/trainers/",
        lambda v: {"reference": "PL-NEW-1", "display_name": "New", "nation": "PL", "qualifications": [v]},
        "qualifications",
        None,
        "No such course in your scope.",
    ),
    "subscription command": (
        "command_a",
        "/api/v1/report-subscriptions/",
        lambda v: _subscription(command=v),
        "command",
        None,
        "No such training command in your scope.",
    ),
}


@pytest.mark.parametrize("case", SLUG_CASES, ids=str)
def test_a_missing_code_or_reference_is_answered_under_its_field_like_one_outside_the_scope(world, case):
    who, path, body, attr, outside, message = SLUG_CASES[case]
    client = world.client(who)
    missing = errors_of(client.post(path, body("no-such-thing"), format="json"))
    assert missing[attr] == ("does_not_exist", message)
    assert "no-such-thing" not in str(missing)
    if outside is not None:
        assert errors_of(client.post(path, body(outside), format="json"))[attr] == missing[attr]


WRONG_TYPES = ["abc", -1, 0, 1.5, 1.0, True, False, 10**20, "9" * 20, [1], {"id": 1}, "", " 1"]


@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
@pytest.mark.parametrize(
    "path,body,attr",
    [
        ("/api/v1/count-returns/", _count_return, "cohort"),
        ("/api/v1/count-returns/bulk/", lambda v: {"items": [_count_return(v)]}, "items.0.cohort"),
        ("/api/v1/enrollments/bulk/", lambda v: {"items": [_enrollment(v)]}, "items.0.cohort"),
    ],
)
def test_an_id_of_the_wrong_type_is_a_400_under_the_field(world, path, body, attr, value):
    before = CountReturn.objects.count()
    errors = errors_of(world.client("command_a").post(path, body(value), format="json"))
    assert attr in errors
    assert errors[attr][0] in {"incorrect_type", "does_not_exist", "invalid", "null", "bulk_invalid", "required"}
    assert CountReturn.objects.count() == before


def test_true_is_not_read_as_the_cohort_with_id_one(world):
    cohort = world.objects["a"]["cohort"]
    CountReturn.objects.filter(cohort=cohort).update(
        state="rejected", rejection_reason="x", rejected_at=cohort.created_at
    )
    body = {**_count_return(True)}
    errors = errors_of(world.client("command_a").post("/api/v1/count-returns/", body, format="json"))
    assert errors["cohort"] == ("incorrect_type", "Give the id as a whole number.")


@pytest.mark.parametrize("value", [5, ["site-a"], {"slug": "site-a"}, True])
def test_a_code_of_the_wrong_type_is_a_400_under_the_field(world, value):
    errors = errors_of(world.client("command_a").post("/api/v1/cohorts/", _cohort(academy=value), format="json"))
    assert errors["academy"] == ("incorrect_type", "Give the code or reference as text.")


def test_the_answer_is_translated(world):
    response = world.client("command_a").post(
        "/api/v1/count-returns/", _count_return(MISSING_ID), format="json", HTTP_ACCEPT_LANGUAGE="uk"
    )
    detail = errors_of(response)["cohort"][1]
    assert detail != NO_COHORT and "«" in detail


# EVERY RELATED FIELD OF EVERY WRITABLE SERIALIZER


def _serializer_classes():
    for module in (academies.api.serializers, trainees.api.serializers, mission.api.serializers, mission.api.planning):
        for _name, member in inspect.getmembers(module, inspect.isclass):
            # A package's serializers are defined in its submodules (`trainees.api.serializers.cohorts`).
            defined_there = member.__module__ == module.__name__ or member.__module__.startswith(f"{module.__name__}.")
            if issubclass(member, serializers.BaseSerializer) and defined_there:
                yield member


def _writable_related_fields(serializer, path=""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, relations.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.BaseSerializer):
            yield from _writable_related_fields(getattr(field, "child", field), f"{path}{name}.")
        elif isinstance(field, relations.RelatedField):
            yield f"{path}{name}", field


def test_every_writable_related_field_answers_in_the_one_way():
    checked = 0
    for serializer_class in _serializer_classes():
        try:
            serializer = serializer_class()
        except TypeError:
            continue
        for name, field in _writable_related_fields(serializer):
            checked += 1
            assert isinstance(field, ScopedFieldMixin), f"{serializer_class.__name__}.{name}"
    assert checked >= 10


def test_plain_ids_of_bulk_items_and_upserts_are_id_fields():
    for serializer_class in (
        trainees.api.serializers.CountReturnItemSerializer,
        trainees.api.serializers.EnrollmentItemSerializer,
        trainees.api.serializers.AssignmentUpsertItemSerializer,
    ):
        assert isinstance(serializer_class().fields["cohort"], IdField)
