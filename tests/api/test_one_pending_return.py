"""A cohort has at most one pending count return (issue 14): a second one is refused, naming the caller's own
pending return, and the pending figures count each cohort once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from academies.scope import SYSTEM, Actor
from trainees.models import CountReturn
from trainees.services import count_return_approve, count_return_reject, count_return_verify

pytestmark = pytest.mark.django_db


def _return(cohort, **changes) -> dict:
    return {"cohort": cohort.pk, "as_of": "2025-04-06", "enrolled": 100, "completed": 90, "withdrawn": 5, **changes}


def test_a_second_pending_return_is_refused_naming_the_pending_one(world):
    cohort, pending = world.objects["a"]["cohort"], world.objects["a"]["count_return"]
    before = CountReturn.objects.count()

    response = world.client("command_a").post("/api/v1/count-returns/", _return(cohort, completed=80), format="json")

    assert response.status_code == 400
    errors = {error["attr"]: error for error in response.json()["errors"]}
    assert errors["cohort"]["code"] == "return_pending"
    assert errors["cohort"]["detail"] == (
        f"This cohort already has a pending return ({pending.pk}, as of {pending.as_of.isoformat()}, submitted): "
        "it is approved or rejected before another return is submitted."
    )
    assert CountReturn.objects.count() == before


def test_a_bulk_item_for_a_cohort_with_a_pending_return_is_named(world):
    cohort, pending = world.objects["a"]["cohort"], world.objects["a"]["count_return"]
    response = world.client("command_a").post(
        "/api/v1/count-returns/bulk/", {"items": [_return(cohort)]}, format="json"
    )
    assert response.status_code == 400
    errors = {error["attr"]: error for error in response.json()["errors"]}
    assert errors["items.0.cohort"]["code"] == "return_pending"
    assert f"({pending.pk}, " in errors["items.0.cohort"]["detail"]


def test_once_the_pending_return_is_decided_the_cohort_takes_a_new_one(world):
    cohort, pending = world.objects["a"]["cohort"], world.objects["a"]["count_return"]
    count_return_reject(count_return=pending, actor=SYSTEM, reason="Wrong date")
    client = world.client("command_a")
    first = client.post("/api/v1/count-returns/", _return(cohort, completed=80), format="json")
    assert first.status_code == 201, first.content
    assert client.post("/api/v1/count-returns/", _return(cohort, completed=81), format="json").status_code == 400


def test_the_refusal_is_translated(world):
    cohort = world.objects["a"]["cohort"]
    response = world.client("command_a").post(
        "/api/v1/count-returns/", _return(cohort), format="json", HTTP_ACCEPT_LANGUAGE="uk"
    )
    detail = {error["attr"]: error["detail"] for error in response.json()["errors"]}["cohort"]
    assert detail.startswith("Ця група вже має")


def test_pending_figures_count_each_cohort_once(world):
    """A correction pending against an official return counts only the difference it makes, and only once."""
    cohort, pending = world.objects["a"]["cohort"], world.objects["a"]["count_return"]
    count_return_approve(count_return=count_return_verify(count_return=pending, actor=SYSTEM), actor=SYSTEM)
    client = world.client("command_a")
    assert client.post("/api/v1/count-returns/", _return(cohort, completed=93), format="json").status_code == 201
    assert client.post("/api/v1/count-returns/", _return(cohort, completed=95), format="json").status_code == 400

    figures = client.get("/api/v1/progress/").json()
    assert figures["pending"] == {"trained": 93 - pending.completed, "returns": 1}


def test_the_admin_shows_the_refusal_as_a_form_error(world, make_staff_user):
    from django.test import Client

    from academies.management.commands.setup_roles import COORDINATOR

    cohort, pending = world.objects["a"]["cohort"], world.objects["a"]["count_return"]
    staff = make_staff_user(COORDINATOR, organisation=world.orgs["command_a"])
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    before = CountReturn.objects.count()

    response = client.post(
        reverse("admin:trainees_countreturn_add"),
        {"cohort": cohort.pk, "as_of": "2025-04-06", "enrolled": 100, "completed": 90, "withdrawn": 5},
    )

    assert response.status_code == 200  # the form again, with the error
    assert f"This cohort already has a pending return ({pending.pk}, " in response.content.decode()
    assert CountReturn.objects.count() == before
    assert Actor.for_user(staff).may("trainees.add_countreturn")
