"""Training inside Ukraine: unanimity on the mandate, the ceasefire, each site's security status, and lapses."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from academies.management.commands.setup_roles import APPROVER, COORDINATOR
from academies.models import Academy, Nation
from academies.scope import SYSTEM, Actor
from config.exceptions import ApplicationError
from mission.models import MandatePosition, MandateVersion
from mission.services import (
    ceasefire_declare,
    ceasefire_end,
    mandate_adopt,
    mandate_adoption_blockers,
    mandate_position_record,
    ukraine_conditions,
    ukraine_gating_refresh,
)
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    MandateVersionFactory,
    NationFactory,
    OrganisationFactory,
    TrainingCommandFactory,
    UkrainianAcademyFactory,
)
from trainees.models import Cohort
from trainees.services import cohort_schedule

pytestmark = pytest.mark.django_db

EU_27 = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
DAY = dt.timedelta(days=1)


@pytest.fixture
def member_states():
    assert len(EU_27) == 27
    return [NationFactory(code=code, is_eu_member=True) for code in EU_27]


def record_all(mandate, member_states, position="support", **exceptions):
    for nation in member_states:
        mandate_position_record(
            actor=SYSTEM, mandate=mandate, nation=nation, position=exceptions.get(nation.code, position)
        )


def refused(call, **kwargs) -> ApplicationError:
    """The service's refusal. It acts as the system unless the test names an actor."""
    kwargs.setdefault("actor", SYSTEM)
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


# THE MANDATE: UNANIMITY OF 27, CONSTRUCTIVE ABSTENTION


class TestMandateAdoption:
    def test_it_is_adopted_when_all_27_support(self, member_states):
        mandate = MandateVersionFactory()
        record_all(mandate, member_states)
        adopted = mandate_adopt(actor=SYSTEM, mandate=mandate, adopted_on=dt.date(2026, 1, 10))
        stored = MandateVersion.objects.get(pk=adopted.pk)
        assert (stored.status, stored.adopted_on, stored.valid_from) == (
            "adopted",
            dt.date(2026, 1, 10),
            dt.date(2026, 1, 10),
        )

    def test_abstentions_do_not_block(self, member_states):
        mandate = MandateVersionFactory()
        record_all(mandate, member_states, HU="abstain", SK="abstain", AT="abstain")
        assert mandate_adoption_blockers(mandate) == []
        assert mandate_adopt(actor=SYSTEM, mandate=mandate).status == "adopted"

    def test_it_needs_a_position_from_every_member_state(self, member_states):
        mandate = MandateVersionFactory()
        record_all(mandate, member_states[:-1])  # Sweden has not spoken
        error = refused(mandate_adopt, mandate=mandate)
        assert error.code == "not_unanimous"
        assert error.message == "The mandate cannot be adopted: No recorded position from: SE."
        assert MandateVersion.objects.get(pk=mandate.pk).status == "draft"

    def test_an_unknown_position_counts_as_missing(self, member_states):
        mandate = MandateVersionFactory()
        record_all(mandate, member_states, MT="unknown", CY="unknown")
        assert refused(mandate_adopt, mandate=mandate).message == (
            "The mandate cannot be adopted: No recorded position from: CY, MT."
        )

    def test_one_opposition_blocks(self, member_states):
        mandate = MandateVersionFactory()
        record_all(mandate, member_states, HU="oppose", IE="abstain")
        error = refused(mandate_adopt, mandate=mandate)
        assert error.message == "The mandate cannot be adopted: Opposed by: HU."
        assert error.extra == {"positions": ["Opposed by: HU."]}

    def test_the_register_must_hold_27_member_states(self, member_states):
        mandate = MandateVersionFactory()
        record_all(mandate, member_states)
        Nation.objects.filter(code="SE").update(is_eu_member=False)
        error = refused(mandate_adopt, mandate=mandate)
        assert error.message == "The mandate cannot be adopted: The register holds 26 EU member states, not 27."

    def test_positions_are_only_taken_by_member_states(self, member_states):
        norway = NationFactory(code="NO", is_eu_member=False)
        error = refused(mandate_position_record, mandate=MandateVersionFactory(), nation=norway, position="support")
        assert error.message == "NO · Nation NO is not an EU member state and takes no position."

    def test_it_refuses_an_unknown_position(self, member_states):
        error = refused(
            mandate_position_record, mandate=MandateVersionFactory(), nation=member_states[0], position="maybe"
        )
        assert error.message == "Unknown position “maybe”; use support, abstain, oppose or unknown."

    def test_positions_freeze_once_adopted(self, member_states):
        mandate = MandateVersionFactory(reference="M-2026")
        record_all(mandate, member_states)
        mandate_adopt(actor=SYSTEM, mandate=mandate)
        mandate.refresh_from_db()
        error = refused(mandate_position_record, mandate=mandate, nation=member_states[0], position="oppose")
        assert error.message == "Positions can only change while the mandate is a draft; M-2026 is adopted."
        assert MandatePosition.objects.get(mandate=mandate, nation_id="AT").position == "support"
        assert refused(mandate_adopt, mandate=mandate).message == "Only a draft can be adopted; M-2026 is adopted."

    def test_a_newer_mandate_supersedes_the_older(self, member_states):
        old = MandateVersionFactory()
        record_all(old, member_states)
        mandate_adopt(actor=SYSTEM, mandate=old, adopted_on=timezone.localdate() - 10 * DAY)
        new = MandateVersionFactory(covers_training_in_ukraine=False)
        record_all(new, member_states)
        mandate_adopt(actor=SYSTEM, mandate=new, adopted_on=timezone.localdate() - DAY)
        assert MandateVersion.objects.get(pk=old.pk).status == "superseded"
        # The mandate in force no longer covers training inside Ukraine, even though the older one did.
        assert ukraine_conditions().mandate_adopted is False


# STEERING: mandates and ceasefires are kept by mission HQ, in a role that allows it


def test_only_mission_hq_keeps_the_steering(member_states, make_staff_user, mission_hq):
    mandate = MandateVersionFactory()
    record_all(mandate, member_states)
    command = OrganisationFactory(kind="training_command", command=TrainingCommandFactory())
    outside_hq = Actor.for_user(make_staff_user(APPROVER, organisation=command))
    hq_coordinator = Actor.for_user(make_staff_user(COORDINATOR, organisation=mission_hq))
    for call, arguments in (
        (mandate_adopt, {"mandate": mandate}),
        (mandate_position_record, {"mandate": mandate, "nation": member_states[0], "position": "oppose"}),
        (ceasefire_declare, {"in_effect_from": timezone.localdate()}),
    ):
        error = refused(call, actor=outside_hq, **arguments)
        assert (error.code, error.extra, error.message) == (
            "permission_denied",
            {"rule": ["mission_hq"]},
            "Only mission HQ keeps the mission's steering.",
        )
        assert refused(call, actor=hq_coordinator, **arguments).extra == {"rule": ["role"]}
    assert MandateVersion.objects.get(pk=mandate.pk).status == "draft"
    assert not MandatePosition.objects.filter(position="oppose").exists()
    hq_approver = Actor.for_user(make_staff_user(APPROVER, organisation=mission_hq))
    assert mandate_adopt(actor=hq_approver, mandate=mandate).status == "adopted"


# GATING: EVERY COMBINATION OF MANDATE × CEASEFIRE × SITE STATUS


def set_conditions(member_states, *, mandate_adopted: bool, ceasefire_in_effect: bool) -> None:
    today = timezone.localdate()
    mandate = MandateVersionFactory()
    record_all(mandate, member_states)
    if mandate_adopted:
        mandate_adopt(actor=SYSTEM, mandate=mandate, adopted_on=today - 30 * DAY)
    ceasefire = ceasefire_declare(actor=SYSTEM, in_effect_from=today - 20 * DAY)
    if not ceasefire_in_effect:
        ceasefire_end(actor=SYSTEM, ceasefire=ceasefire, ended_on=today)


COMBINATIONS = list(itertools.product([True, False], [True, False], Academy.SecurityStatus.values))


@pytest.mark.parametrize(("mandate_adopted", "ceasefire_in_effect", "status"), COMBINATIONS)
def test_a_site_in_ukraine_accepts_cohorts_only_when_all_three_conditions_hold(
    member_states, mandate_adopted, ceasefire_in_effect, status
):
    site = UkrainianAcademyFactory(name_en="Odesa Military Academy", security_status=status, accepts_cohorts=False)
    set_conditions(member_states, mandate_adopted=mandate_adopted, ceasefire_in_effect=ceasefire_in_effect)
    ukraine_gating_refresh(notify=False)
    site.refresh_from_db()

    expected = mandate_adopted and ceasefire_in_effect and status == "open"
    conditions = ukraine_conditions()
    assert (conditions.mandate_adopted, conditions.ceasefire_in_effect) == (mandate_adopted, ceasefire_in_effect)
    assert conditions.site_allows(site) is expected
    assert site.accepts_cohorts is expected
    start = timezone.localdate() + 7 * DAY
    plan = {
        "reference": "UA-PLAN",
        "course": CourseFactory(),
        "academy": site,
        "starts_on": start,
        "ends_on": start + 13 * DAY,
        "seats": 20,
    }
    if expected:
        assert cohort_schedule(actor=SYSTEM, **plan).academy == site
    else:
        error = refused(cohort_schedule, **plan)
        assert error.code == "site_closed"
        assert not Cohort.objects.filter(academy=site).exists()


def test_an_adopted_mandate_that_does_not_cover_ukraine_keeps_sites_closed(member_states):
    site = UkrainianAcademyFactory(security_status="open")
    mandate = MandateVersionFactory(covers_training_in_ukraine=False)
    record_all(mandate, member_states)
    mandate_adopt(actor=SYSTEM, mandate=mandate, adopted_on=timezone.localdate() - DAY)
    ceasefire_declare(actor=SYSTEM, in_effect_from=timezone.localdate() - DAY)
    ukraine_gating_refresh(notify=False)
    site.refresh_from_db()
    assert site.accepts_cohorts is False


def test_a_ceasefire_declared_for_a_later_day_is_not_yet_in_effect(member_states):
    ceasefire_declare(actor=SYSTEM, in_effect_from=timezone.localdate() + DAY)
    assert ukraine_conditions().ceasefire_in_effect is False
    assert ukraine_conditions(timezone.localdate() + DAY).ceasefire_in_effect is True


def test_only_one_ceasefire_is_in_effect_at_a_time():
    ceasefire_declare(actor=SYSTEM, in_effect_from=dt.date(2026, 1, 1))
    error = refused(ceasefire_declare, in_effect_from=dt.date(2026, 2, 1))
    assert error.message == "A ceasefire is already recorded as in effect; end it first."


def test_the_conditions_are_explained_for_the_dashboard_and_the_api(member_states):
    set_conditions(member_states, mandate_adopted=True, ceasefire_in_effect=False)
    figures = ukraine_conditions().as_dict()
    assert figures["mandate_adopted"] is True
    assert figures["mandate_reference"].startswith("MANDATE-")
    assert (figures["ceasefire_in_effect"], figures["mission_allows"]) == (False, False)


# LAPSE: FLAG THE AFFECTED COHORTS, KEEP THEM, TELL THE COORDINATORS ONCE


@pytest.fixture
def open_site(member_states):
    set_conditions(member_states, mandate_adopted=True, ceasefire_in_effect=True)
    site = UkrainianAcademyFactory(name_en="Lviv Academy", security_status="open")
    ukraine_gating_refresh(notify=False)
    site.refresh_from_db()
    assert site.accepts_cohorts
    return site


@pytest.fixture
def cohorts(open_site):
    today = timezone.localdate()
    return {
        "past": CohortFactory(academy=open_site, starts_on=today - 40 * DAY, ends_on=today - 10 * DAY),
        "completed": CohortFactory(
            academy=open_site, starts_on=today - 20 * DAY, ends_on=today + 2 * DAY, status=Cohort.Status.COMPLETED
        ),
        "under_way": CohortFactory(academy=open_site, starts_on=today - 5 * DAY, ends_on=today + 9 * DAY),
        "future": CohortFactory(academy=open_site, starts_on=today + 10 * DAY, ends_on=today + 30 * DAY),
        "cancelled": CohortFactory(
            academy=open_site, starts_on=today + 10 * DAY, ends_on=today + 30 * DAY, status=Cohort.Status.CANCELLED
        ),
    }


def flags(cohorts) -> dict[str, bool]:
    return {name: Cohort.objects.get(pk=cohort.pk).flagged for name, cohort in cohorts.items()}


def test_a_ceasefire_ending_flags_the_affected_cohorts_and_emails_the_coordinators_once(
    open_site, cohorts, django_capture_on_commit_callbacks
):
    from mission.models import Ceasefire

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ceasefire_end(actor=SYSTEM, ceasefire=Ceasefire.objects.get(), ended_on=timezone.localdate())
    open_site.refresh_from_db()
    assert open_site.accepts_cohorts is False
    assert flags(cohorts) == {"past": False, "completed": False, "under_way": True, "future": True, "cancelled": False}
    assert Cohort.objects.filter(academy=open_site).count() == 5  # flagged, never deleted
    future = Cohort.objects.get(pk=cohorts["future"].pk)
    assert future.flag_reason == "Training inside Ukraine lapsed: no ceasefire is in effect"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == list(settings.COORDINATOR_EMAILS)
    assert message.subject == "EUMAM UA: training inside Ukraine has lapsed at 1 site(s)"
    assert "- Lviv Academy: no ceasefire is in effect (2 future cohorts flagged)" in message.body

    # A second refresh finds nothing new: no second e-mail, no change to the flags.
    with django_capture_on_commit_callbacks(execute=True):
        result = ukraine_gating_refresh()
    assert (result["flagged_cohorts"], len(mail.outbox)) == (0, 1)


def test_a_site_turning_restricted_is_regated_on_save(open_site, cohorts, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        open_site.security_status = Academy.SecurityStatus.RESTRICTED
        open_site.save()
    open_site.refresh_from_db()
    assert open_site.accepts_cohorts is False
    assert flags(cohorts)["future"] is True
    reason = Cohort.objects.get(pk=cohorts["future"].pk).flag_reason
    assert reason == "Training inside Ukraine lapsed: the site's security status is restricted"
    assert len(mail.outbox) == 1


def test_a_mandate_withdrawn_flags_with_its_reason(open_site, cohorts):
    from mission.services import mandate_withdraw

    mandate_withdraw(actor=SYSTEM, mandate=MandateVersion.objects.get(status="adopted"))
    result = ukraine_gating_refresh(notify=False)
    assert result["closed"] == [open_site.slug]
    assert result["flagged_cohorts"] == 2
    reason = Cohort.objects.get(pk=cohorts["under_way"].pk).flag_reason
    assert reason == "Training inside Ukraine lapsed: no adopted mandate covers training inside Ukraine"


def test_reopening_keeps_the_flags_for_a_coordinator_to_review(open_site, cohorts):
    from mission.models import Ceasefire

    ceasefire_end(actor=SYSTEM, ceasefire=Ceasefire.objects.get(), ended_on=timezone.localdate())
    ukraine_gating_refresh(notify=False)
    ceasefire_declare(actor=SYSTEM, in_effect_from=timezone.localdate())
    result = ukraine_gating_refresh(notify=False)
    open_site.refresh_from_db()
    assert (result["opened"], open_site.accepts_cohorts) == ([open_site.slug], True)
    assert flags(cohorts)["future"] is True


def test_sites_outside_ukraine_are_not_gated(member_states):
    site = AcademyFactory(security_status="open")
    ukraine_gating_refresh(notify=False)
    site.refresh_from_db()
    assert site.accepts_cohorts is True
