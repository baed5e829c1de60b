"""National caveats (issue 18, item 7): mission HQ records states' authorisations to serve inside Ukraine, and their
withdrawal, which flags the affected cohorts and tells the coordinators as a lapsed condition does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from academies.management.commands.setup_roles import APPROVER, COORDINATOR
from academies.models import NationalDeploymentAuthorisation
from academies.scope import SYSTEM, Actor
from config.exceptions import ApplicationError
from mission.services import (
    assignments_uncovered,
    deployment_authorisation_record,
    deployment_authorisation_withdraw,
)
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    NationalDeploymentAuthorisationFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingCommandFactory,
    UkrainianAcademyFactory,
)
from trainees.models import Cohort

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def refused(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


# RECORDING


def test_mission_hq_records_an_authorisation_with_its_limits(make_staff_user, mission_hq, poland, lviv, today):
    approver = make_staff_user(APPROVER, organisation=mission_hq)
    authorisation = deployment_authorisation_record(
        nation=poland,
        given_on=today,
        valid_until=today + 90 * DAY,
        sites=[lviv],
        note="Decision 12/2026",
        actor=Actor.for_user(approver),
    )
    stored = NationalDeploymentAuthorisation.objects.get(pk=authorisation.pk)
    assert (stored.nation_id, stored.given_on, stored.valid_until, stored.recorded_by) == (
        "PL",
        today,
        today + 90 * DAY,
        approver,
    )
    assert list(stored.sites.all()) == [lviv]
    assert [row.academy_id for row in stored.history.first().sites.all()] == [lviv.pk]  # the history keeps its sites


def test_only_mission_hq_records_or_withdraws_authorisations(make_staff_user, mission_hq, poland, today):
    command = OrganisationFactory(kind="training_command", command=TrainingCommandFactory())
    outside_hq = Actor.for_user(make_staff_user(APPROVER, organisation=command))
    hq_coordinator = Actor.for_user(make_staff_user(COORDINATOR, organisation=mission_hq))
    error = refused(deployment_authorisation_record, nation=poland, given_on=today, actor=outside_hq)
    assert (error.code, error.extra) == ("permission_denied", {"rule": ["mission_hq"]})
    assert refused(deployment_authorisation_record, nation=poland, given_on=today, actor=hq_coordinator).extra == {
        "rule": ["role"]
    }
    authorisation = NationalDeploymentAuthorisationFactory(nation=poland)
    error = refused(deployment_authorisation_withdraw, authorisation=authorisation, reason="x", actor=outside_hq)
    assert error.extra == {"rule": ["mission_hq"]}
    assert not NationalDeploymentAuthorisation.objects.filter(withdrawn_on__isnull=False).exists()
    assert NationalDeploymentAuthorisation.objects.count() == 1


def test_an_authorisation_covers_only_sites_inside_ukraine(poland, today):
    error = refused(
        deployment_authorisation_record,
        nation=poland,
        given_on=today,
        sites=[AcademyFactory(slug="zagan")],
        actor=SYSTEM,
    )
    assert error.message == "An authorisation covers sites inside Ukraine only; zagan are not."
    assert not NationalDeploymentAuthorisation.objects.exists()


def test_an_authorisation_ends_on_or_after_the_day_it_was_given(poland, today):
    error = refused(
        deployment_authorisation_record, nation=poland, given_on=today, valid_until=today - DAY, actor=SYSTEM
    )
    assert error.extra == {"valid_until": ["An authorisation is valid until a day on or after the day it was given."]}


def test_the_database_refuses_a_withdrawal_without_a_reason(poland, today):
    from django.db import IntegrityError, transaction

    authorisation = NationalDeploymentAuthorisationFactory(nation=poland)
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalDeploymentAuthorisation.objects.filter(pk=authorisation.pk).update(withdrawn_on=today)


# WITHDRAWAL


@pytest.fixture
def assignments(poland, lviv, today):
    """Polish trainers at Lviv: one cohort under way, one ahead, one finished; a German trainer ahead."""
    course = CourseFactory(code="caveat-course")
    cohorts = {
        "under_way": CohortFactory(
            reference="C-NOW", course=course, academy=lviv, starts_on=today - 5 * DAY, ends_on=today + 20 * DAY
        ),
        "ahead": CohortFactory(
            reference="C-NEXT", course=course, academy=lviv, starts_on=today + 30 * DAY, ends_on=today + 60 * DAY
        ),
        "finished": CohortFactory(
            reference="C-PAST", course=course, academy=lviv, starts_on=today - 60 * DAY, ends_on=today - 30 * DAY
        ),
    }
    pole = TrainerFactory(reference="T-PL-1", nation=poland)
    german = TrainerFactory(reference="T-DE-1", nation=NationFactory(code="DE"))
    rows = {name: TrainerAssignmentFactory(trainer=pole, cohort=cohort) for name, cohort in cohorts.items()}
    rows["german"] = TrainerAssignmentFactory(trainer=german, cohort=cohorts["ahead"])
    return rows


def test_a_withdrawal_flags_the_affected_cohorts_and_tells_the_coordinators_once(
    poland, lviv, today, assignments, django_capture_on_commit_callbacks
):
    authorisation = NationalDeploymentAuthorisationFactory(nation=poland, given_on=today - 200 * DAY)
    NationalDeploymentAuthorisationFactory(nation=NationFactory(code="DE"), given_on=today - 200 * DAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = deployment_authorisation_withdraw(
            authorisation=authorisation, reason="Parliament revoked it", actor=SYSTEM
        )
    assert sorted(result.affected_assignments) == sorted([assignments["under_way"].pk, assignments["ahead"].pk])
    flagged = dict(Cohort.objects.values_list("reference", "flagged"))
    assert flagged == {"C-NOW": True, "C-NEXT": True, "C-PAST": False}
    assert Cohort.objects.get(reference="C-NEXT").flag_reason == (
        "National caveat: Poland withdrew its authorisation to serve inside Ukraine (1 of its trainers on this cohort)."
    )
    stored = NationalDeploymentAuthorisation.objects.get(pk=authorisation.pk)
    assert (stored.withdrawn_on, stored.withdrawal_reason) == (today, "Parliament revoked it")
    # The record stays, with every version: the last one withdrawn, the first one in force.
    assert [version.withdrawn_on for version in stored.history.order_by("history_id")][::-1][:1] == [today]
    assert stored.history.order_by("history_id").first().withdrawn_on is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == list(settings.COORDINATOR_EMAILS)
    assert message.subject == "EUMAM UA: Poland withdrew its authorisation for training inside Ukraine"
    assert "Parliament revoked it" in message.body
    assert f"- Lviv Academy: C-NEXT, T-PL-1 ({today + 30 * DAY} – {today + 60 * DAY})" in message.body
    assert "T-DE-1" not in message.body

    error = refused(deployment_authorisation_withdraw, authorisation=authorisation, reason="again", actor=SYSTEM)
    assert error.message == f"This authorisation was already withdrawn on {today}."


def test_a_withdrawal_that_another_authorisation_covers_flags_nothing(
    poland, lviv, today, assignments, django_capture_on_commit_callbacks
):
    site_only = NationalDeploymentAuthorisationFactory(nation=poland, given_on=today - 200 * DAY, sites=[lviv])
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today - 100 * DAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = deployment_authorisation_withdraw(authorisation=site_only, reason="superseded", actor=SYSTEM)
    assert result.affected_assignments == []
    assert not Cohort.objects.filter(flagged=True).exists()
    assert mail.outbox == []


def test_the_assignments_at_risk_are_those_no_authorisation_covers(poland, today, assignments):
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today - 200 * DAY, valid_until=today + 25 * DAY)
    at_risk = assignments_uncovered(from_day=today)
    # The German trainer has no authorisation at all; the Polish one's ends before the cohort ahead.
    assert sorted(assignment.pk for assignment in at_risk) == sorted(
        [assignments["ahead"].pk, assignments["german"].pk]
    )


def test_a_ministry_sees_only_its_own_states_assignments_at_risk_even_on_a_shared_cohort(poland, today, assignments):
    from academies.scope import policy_for
    from mission.planning import assignments_at_risk

    # No authorisation at all: the Polish and the German trainer on the cohort ahead are both at risk.
    everyone = {(row["trainer_reference"], row["cohort_reference"]) for row in assignments_at_risk(on=today)}
    assert ("T-DE-1", "C-NEXT") in everyone and ("T-PL-1", "C-NEXT") in everyone

    ministry = OrganisationFactory(kind="ministry", nation=poland)
    seen = assignments_at_risk(policy=policy_for(ministry), on=today)
    assert {row["nation"] for row in seen} == {"PL"}
    assert "T-DE-1" not in {row["trainer_reference"] for row in seen}


# DEMO DATA


def test_the_demo_records_a_few_states_authorisations_relative_to_today_once(today):
    from mission.demo import DEMO_AUTHORISATIONS, demo_authorisations_ensure

    for code, *_rest in DEMO_AUTHORISATIONS:
        NationFactory(code=code)
    for slug in {slug for *_head, slugs, _withdrawn in DEMO_AUTHORISATIONS for slug in slugs}:
        UkrainianAcademyFactory(slug=slug)
    assert demo_authorisations_ensure(today) == len(DEMO_AUTHORISATIONS)
    assert demo_authorisations_ensure(today) == 0  # idempotent
    in_force = NationalDeploymentAuthorisation.objects.holding_on(today)
    assert set(in_force.values_list("nation_id", flat=True)) == {"PL", "LT", "EE"}
    assert NationalDeploymentAuthorisation.objects.filter(withdrawn_on__isnull=False).count() == 1
