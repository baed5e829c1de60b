"""Every routed viewset of the partner API, declared once on the endpoint test base (tests/api/endpoint_cases.py).

A new viewset on the router fails `test_every_routed_viewset_has_an_endpoint_case` until a class here declares it:
its basename, the `matrix_world` object in scope (and its twin out of scope), its actions and its write payloads.
"""

from __future__ import annotations

import datetime as dt

from config import clock
from config.api_router import router
from tests.api.conftest import unit_feedback_on
from tests.api.endpoint_cases import CRUD, READ, EndpointCase, endpoint_cases
from tests.api.test_scoping_matrix import _cohort_put, _return, _subscription, _trainer_put, _unit_feedback_payload


def _later(days: int) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat()


# REFERENCE DATA: every partner reads it; mission HQ keeps it in the admin.


class TestAcademies(EndpointCase):
    basename, public, object_name = "academy", True, "site"
    list_count = 5  # sites A and B, the two Ukrainian academies of the units' feedback, the training records' one


class TestCourses(EndpointCase):
    basename, public = "course", True
    list_count = 1

    def get_object(self, world):
        return world.objects["course"]


class TestCourseVersions(EndpointCase):
    basename, public = "course-version", True
    list_count = 1

    def get_object(self, world):
        return world.objects["course"].versions.get()


class _PublicRow(EndpointCase):
    public, list_count = True, 1

    def get_object(self, world):
        return world.objects["public"][self.object_name]


class TestTargets(_PublicRow):
    basename, object_name = "target", "target"


class TestMilestones(_PublicRow):
    basename, object_name = "milestone", "milestone"


class TestMandateVersions(_PublicRow):
    basename, object_name = "mandate-version", "mandate"


# A ministry's own state: its authorisations, its trainers and their rotation windows.


class TestDeploymentAuthorisations(EndpointCase):
    basename, scope, object_name = "deployment-authorisation", "ministry_a", "authorisation"
    list_count = 1


class TestTrainers(EndpointCase):
    basename, scope, object_name = "trainer", "ministry_a", "trainer"
    actions = READ | {"create", "update", "partial_update"}
    list_count = 2
    create_out_of_scope = 403  # another state's ministry may not register Poland's trainers

    def create_payload(self, world):
        return {"reference": "T-NEW-1", "nation": "PL", "qualifications": ["basic"], "languages": ["en"]}

    def update_payload(self, world):
        return _trainer_put(world)

    def partial_payload(self, world):
        return {"display_name": "Sgt. Renamed"}


class TestTrainerAvailability(EndpointCase):
    basename, scope, object_name = "trainer-availability", "ministry_a", "window"
    actions = CRUD
    list_count = 2
    delete_object_name = "spare_window"  # the window of a trainer without assignments

    def create_payload(self, world):
        return {"trainer": "T-A-2", "starts_on": _later(30), "ends_on": _later(210)}

    def update_payload(self, world):
        window = world.objects["a"]["window"]
        starts_on = window.starts_on - dt.timedelta(days=31)  # still covering the trainer's assignment
        return {"trainer": "T-A-1", "starts_on": starts_on.isoformat(), "ends_on": window.ends_on.isoformat(),
                "note": "extended"}  # fmt: skip

    def partial_payload(self, world):
        return {"note": "rotation 7"}


# What a site's command runs: cohorts and everything in them.


class TestCohorts(EndpointCase):
    basename, object_name = "cohort", "cohort"
    actions = READ | {"create", "update", "partial_update"}
    list_count = 1

    def create_payload(self, world):
        return {"reference": "C-NEW", "course": "basic", "academy": "site-a", "starts_on": _later(60),
                "ends_on": _later(94), "seats": 50}  # fmt: skip

    def update_payload(self, world):
        return _cohort_put(world)

    def partial_payload(self, world):
        return {"seats": 90}


class TestTrainerAssignments(EndpointCase):
    basename, object_name = "trainer-assignment", "assignment"
    actions = READ | {"create", "destroy"}
    list_count = 1

    def create_payload(self, world):
        return {"trainer": "T-A-2", "cohort": world.objects["a"]["cohort"].pk, "role": "instructor"}


class TestTrainees(EndpointCase):
    basename, object_name = "trainee", "trainee"
    list_count = 1


class TestEnrollments(EndpointCase):
    basename, object_name = "enrollment", "enrollment"
    actions = READ | {"create"}
    list_count = 1

    def create_payload(self, world):
        return {"cohort": world.objects["a"]["cohort"].pk, "trainee": "UA-new-0001"}


class TestUnitFeedback(EndpointCase):
    """Feedback from the units (issue 18): a Ukrainian academy rates its own cohorts; posting on a checkpoint that
    has feedback corrects it. Official records: never updated or deleted."""

    basename, object_name, scope = "unit-feedback", "unit_feedback", "ua_academy_a"
    actions = READ | {"create"}
    list_count = 1

    def get_twin(self, world):
        """The units' feedback on academy B's cohort, made here: the shared world holds A's only."""
        objects = world.objects["b"]
        if "unit_feedback" not in objects:
            objects["unit_feedback"] = unit_feedback_on(
                objects["rated_cohort"], organisation=world.orgs["ua_academy_b"]
            )
        return objects["unit_feedback"]

    def create_payload(self, world):
        return _unit_feedback_payload(world)


class TestCountReturns(EndpointCase):
    """Official records: submitted, then verified or rejected (workflows: the scoping matrix); never changed."""

    basename, object_name = "count-return", "count_return"
    actions = READ | {"create"}
    list_count = 1

    def create_payload(self, world):
        return _return(world)


# What an organisation keeps for itself: report subscriptions, their reports, webhook endpoints.


class TestReportSubscriptions(EndpointCase):
    basename, object_name = "report-subscription", "subscription"
    actions = CRUD
    list_count = 1

    def create_payload(self, world):
        return _subscription(world)

    def update_payload(self, world):
        return {**_subscription(world), "name": "Weekly for the commander"}

    def partial_payload(self, world):
        return {"name": "Renamed"}


class TestProgressReports(EndpointCase):
    basename, object_name = "progress-report", "report"
    list_count = 1


class TestWebhooks(EndpointCase):
    basename, object_name = "webhook", "webhook"
    actions = CRUD
    list_count = 1
    create_out_of_scope = 201  # endpoints are each organisation's own: the other registers one of its own

    def create_payload(self, world):
        return {"url": "https://hooks.example.eu/new"}

    def update_payload(self, world):
        return {"url": "https://hooks.example.eu/moved", "event_types": ["cohort.*"], "is_active": True}

    def partial_payload(self, world):
        return {"description": "Planning system"}


def test_every_routed_viewset_has_an_endpoint_case():
    declared = [case.basename for case in endpoint_cases()]
    routed = {basename for _prefix, _viewset, basename in router.registry}

    assert len(declared) == len(set(declared)), f"Endpoints declared twice: {sorted(declared)}"
    assert not routed - set(declared), f"Routed viewsets without an EndpointCase: {sorted(routed - set(declared))}"
    assert not set(declared) - routed, f"EndpointCases of no routed viewset: {sorted(set(declared) - routed)}"
