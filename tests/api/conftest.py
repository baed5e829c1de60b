"""A small world with two scopes, and partner clients for each kind of caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from academies.models import Organisation
from academies.scope import SYSTEM
from academies.services import api_key_create
from academies.tombstones import TrainerAvailabilityTombstone, WebhookEndpointTombstone
from academies.webhooks import webhook_create
from config import clock
from mission.models import ReportSubscriptionTombstone
from tests.api.query_baselines import REFRESH_OPTION, Baselines
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    EnrollmentFactory,
    MandateVersionFactory,
    MilestoneFactory,
    NationalDeploymentAuthorisationFactory,
    NationFactory,
    OrganisationFactory,
    ReportSubscriptionFactory,
    StaffMembershipFactory,
    TargetFactory,
    TrainerAssignmentFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    TrainingCommandFactory,
    UserFactory,
)
from trainees.models import TrainerAssignmentTombstone, UnitFeedback
from trainees.services import signing_key_register


@dataclass
class World:
    """Scope A: CAT-C (Poland) with site A; scope B: ST-C (Germany) with site B. Each object has a twin."""

    orgs: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def client(self, who: str | None) -> APIClient:
        client = APIClient()
        if who is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.keys[who]}")
        return client


def _key(organisation: Organisation, read_only: bool = False) -> str:
    return api_key_create(
        actor=SYSTEM, organisation=organisation, name=f"{organisation.slug} key", read_only=read_only
    )[1]


@pytest.fixture(autouse=True)
def _clear_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request in Ukrainian leaves Ukrainian active in this thread: later tests that read messages off the
    services directly would see it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def query_baselines(request) -> Iterator[Baselines]:
    """The query-count baselines (tests/api/query_baselines.py), written back at the end when refreshing."""
    baselines = Baselines.load(refresh=request.config.getoption(REFRESH_OPTION))
    yield baselines
    if baselines.refresh:
        baselines.write()


@pytest.fixture
def world(db) -> World:
    poland = NationFactory(code="PL")
    germany = NationFactory(code="DE")
    cat_c = TrainingCommandFactory(code="cat-c", nation=poland)
    st_c = TrainingCommandFactory(code="st-c", nation=germany, name_en="Special Training Command", city="Strausberg")
    course = CourseFactory(code="basic")
    site_a = AcademyFactory(slug="site-a", command=cat_c, nation=poland)
    site_b = AcademyFactory(slug="site-b", command=st_c, nation=germany, city_en="Strausberg")
    w = World()
    w.orgs = {
        "hq": OrganisationFactory(slug="hq", kind="mission_hq"),
        "command_a": OrganisationFactory(slug="cat-c", kind="training_command", command=cat_c),
        "command_b": OrganisationFactory(slug="st-c", kind="training_command", command=st_c),
        "ministry_a": OrganisationFactory(slug="mod-pl", kind="ministry", nation=poland),
        "ministry_b": OrganisationFactory(slug="mod-de", kind="ministry", nation=germany),
        "academy_a": OrganisationFactory(slug="site-a", kind="academy", academy=site_a),
    }
    w.keys = {name: _key(org) for name, org in w.orgs.items()}
    w.keys.update({f"{name}_ro": _key(org, read_only=True) for name, org in w.orgs.items()})
    for suffix, site, nation, command_org in (("a", site_a, poland, "command_a"), ("b", site_b, germany, "command_b")):
        trainer = TrainerFactory(reference=f"T-{suffix.upper()}-1", nation=nation, qualifications=[course])
        spare = TrainerFactory(reference=f"T-{suffix.upper()}-2", nation=nation, qualifications=[course])
        window = TrainerAvailabilityFactory(
            trainer=trainer, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
        )
        TrainerAvailabilityFactory(trainer=spare, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))
        cohort = CohortFactory(reference=f"C-{suffix.upper()}", course=course, academy=site, has_roster=True)
        assignment = TrainerAssignmentFactory(trainer=trainer, cohort=cohort)
        enrollment = EnrollmentFactory(cohort=cohort, trainee__reference=f"UA-{suffix}-0001")
        count_return = CountReturnFactory(cohort=cohort, submitted_by_organisation=w.orgs[command_org])
        subscription = ReportSubscriptionFactory(
            name=f"Subscription {suffix}",
            organisation=w.orgs[command_org],
            scope="command",
            command=site.command,
        )
        from mission.models import ProgressReport

        report = ProgressReport.objects.create(
            subscription=subscription,
            period_start=dt.date(2025, 3, 3),
            period_end=dt.date(2025, 3, 9),
            scope_label=str(site.command),
            figures={"official": {"trained": 1}},
            html="<p>1</p>",
        )
        w.objects[suffix] = {
            "site": site,
            "trainer": trainer,
            "spare_trainer": spare,
            "window": window,
            "cohort": cohort,
            "assignment": assignment,
            "trainee": enrollment.trainee,
            "enrollment": enrollment,
            "count_return": count_return,
            "subscription": subscription,
            "report": report,
        }
    w.objects["course"] = course
    return w


@pytest.fixture
def coordinator_client(db, mission_hq) -> APIClient:
    """A staff session at mission HQ that may verify and approve: it sees the whole mission, as HQ does."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="coordinator", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["verify_countreturn", "approve_countreturn"]))
    StaffMembershipFactory(user=user, organisation=mission_hq)
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def session_of(make_staff_user):
    """A staff session: `session_of(COORDINATOR, organisation=...)`, with the account's role and organisation."""

    def login(*roles: str, organisation: Organisation | None = None) -> APIClient:
        client = APIClient()
        client.force_login(make_staff_user(*roles, organisation=organisation))
        return client

    return login


@pytest.fixture
def matrix_world(world):
    """The world, with reference data every partner reads and a webhook endpoint in each scope."""
    spare = world.objects["a"]["spare_trainer"]
    world.objects["a"]["spare_window"] = spare.availabilities.get()
    world.objects["public"] = {
        "target": TargetFactory(),
        "milestone": MilestoneFactory(value=100_000),
        "mandate": MandateVersionFactory(valid_from=dt.date(2024, 11, 15)),
    }
    for suffix, organisation in (("a", "command_a"), ("b", "command_b")):
        world.objects[suffix]["webhook"] = webhook_create(
            actor=SYSTEM, organisation=world.orgs[organisation], url=f"https://hooks-{suffix}.example.eu/eumam"
        )[0]
    # National caveats (issue 18): each ministry's state has authorised its trainers inside Ukraine.
    for suffix, nation in (("a", "PL"), ("b", "DE")):
        world.objects[suffix]["authorisation"] = NationalDeploymentAuthorisationFactory(nation__code=nation)
    # Feedback from the units (issue 18): two Ukrainian academies, each with a cohort whose 4-week checkpoint is
    # open (it ended 30 days ago); the units' feedback on A's.
    ukraine = NationFactory(code="UA", is_eu_member=False)
    ends_on = clock.today() - dt.timedelta(days=30)
    for suffix in ("a", "b"):
        site = AcademyFactory(slug=f"ua-site-{suffix}", nation=ukraine, command=None)
        name = f"ua_academy_{suffix}"
        world.orgs[name] = OrganisationFactory(slug=f"ua-site-{suffix}", kind="academy", academy=site)
        world.keys[name] = _key(world.orgs[name])
        world.keys[f"{name}_ro"] = _key(world.orgs[name], read_only=True)
        world.objects[suffix]["rated_cohort"] = CohortFactory(
            reference=f"C-UA-{suffix.upper()}",
            course=world.objects["course"],
            academy=site,
            starts_on=ends_on - dt.timedelta(days=34),
            ends_on=ends_on,
        )
    world.objects["a"]["unit_feedback"] = unit_feedback_on(
        world.objects["a"]["rated_cohort"], organisation=world.orgs["ua_academy_a"]
    )
    # Training records (issue 18): a Ukrainian academy reads them ("ukraine_a"); an EU site does not ("ukraine_b",
    # the academy organisation of site A). The configured signing key is in the rotation record.
    ukrainian_academy = AcademyFactory(slug="ua-academy", kind="academy", nation=ukraine, command=None)
    world.orgs["ukraine_a"] = OrganisationFactory(slug="ua-academy", kind="academy", academy=ukrainian_academy)
    world.orgs["ukraine_b"] = world.orgs["academy_a"]
    world.keys["ukraine_a"], world.keys["ukraine_a_ro"] = (
        _key(world.orgs["ukraine_a"]),
        _key(world.orgs["ukraine_a"], read_only=True),
    )
    world.keys["ukraine_b"] = world.keys["academy_a"]
    signing_key_register(actor=SYSTEM, reason="The matrix world's key.")
    # One tombstone per deletable list, in the scope of its `_a` caller (a row deleted there a moment ago).
    a, now = world.objects["a"], clock.now()
    for model, scope in (
        (TrainerAssignmentTombstone, {"cohort": a["cohort"], "trainer": a["trainer"]}),
        (TrainerAvailabilityTombstone, {"trainer": a["trainer"]}),
        (ReportSubscriptionTombstone, {"organisation": world.orgs["command_a"]}),
        (WebhookEndpointTombstone, {"organisation": world.orgs["command_a"]}),
    ):
        model.objects.create(object_id=TOMBSTONE_ID, deleted_at=now, **scope)
    return world


TOMBSTONE_ID = 9_000_001


def a_row_in_every_list(world: World) -> None:
    """Rows that the base world lacks, so that every list of the API has one for mission HQ."""
    TargetFactory(), MilestoneFactory(value=100_000), MandateVersionFactory(), NationalDeploymentAuthorisationFactory()
    # A webhook endpoint of HQ's (test settings allow loopback targets).
    webhook_create(actor=SYSTEM, url="http://127.0.0.1:9/hook", organisation=world.orgs["hq"])
    # The units' feedback (issue 18) on cohort A.
    unit_feedback_on(world.objects["a"]["cohort"])


def unit_feedback_on(cohort, organisation=None) -> UnitFeedback:
    """The units' feedback at 4 weeks on `cohort`, as `organisation` records it (90 trainees rated by 3 units)."""
    return UnitFeedback.objects.create(
        cohort=cohort,
        checkpoint="week_4",
        not_ready=1,
        partly_ready=9,
        ready=70,
        fully_ready=10,
        units_responding=3,
        submitted_by_organisation=organisation,
        submitted_at=clock.now(),
    )
