"""Which decisions a user may take on a return: the buttons' answer and the lists' query agree, return by return."""

import datetime as dt

import pytest
from django.core.management import call_command

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from academies.models import Organisation
from academies.scope import Actor
from config import clock
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CountReturnFactory,
    OrganisationFactory,
    command_organisation,
    staff_user,
)
from trainees.models import CountReturn
from trainees.selectors import count_returns_awaiting_decision
from trainees.services import count_return_allowed_steps, count_returns_awaiting_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    call_command("setup_roles", verbosity=0)
    hq = OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    catc, stc = command_organisation("cat-c", "cat-c"), command_organisation("st-c", "st-c")

    return {
        "hq_approver": staff_user("hq-approver", APPROVER, organisation=hq),
        "hq_coordinator": staff_user("hq-coordinator", COORDINATOR, organisation=hq),
        "observer": staff_user("observer", OBSERVER, organisation=hq),
        "catc": staff_user("catc", COORDINATOR, organisation=catc),
        "stc": staff_user("stc", COORDINATOR, organisation=stc),
        "site": AcademyFactory(slug="site-a", command=catc.command, seat_capacity=500),
    }


@pytest.fixture
def returns(people):
    today = clock.today()
    catc = people["catc"]

    def cohort():  # one per return: a cohort has one pending return at a time
        return CohortFactory(academy=people["site"], starts_on=today - dt.timedelta(days=30), seats=50)

    return [
        CountReturnFactory(cohort=cohort(), as_of=today - dt.timedelta(days=3), enrolled=40, completed=10),
        CountReturnFactory(
            cohort=cohort(), as_of=today - dt.timedelta(days=2), enrolled=41, completed=10, submitted_by=catc
        ),
        CountReturnFactory(
            cohort=cohort(), as_of=today - dt.timedelta(days=4), enrolled=42, completed=10, state="verified"
        ),
        CountReturnFactory(
            cohort=cohort(),
            as_of=today - dt.timedelta(days=1),
            enrolled=43,
            completed=10,
            state="verified",
            verified_by=people["hq_approver"],
        ),
        CountReturnFactory(
            cohort=cohort(),
            as_of=today - dt.timedelta(days=5),
            enrolled=44,
            completed=10,
            state="rejected",
            rejection_reason="Wrong week",
        ),
    ]


@pytest.mark.parametrize("who", ["hq_approver", "hq_coordinator", "observer", "catc", "stc"])
def test_the_buttons_and_the_lists_agree_for_every_return(people, returns, who):
    actor = Actor.for_user(people[who])
    for count_return in returns:
        allowed = count_return_allowed_steps(actor=actor, count_return=count_return)
        for step in ("verify", "approve"):
            listed = count_returns_awaiting_step(actor=actor, step=step).filter(pk=count_return.pk).exists()
            assert listed == (step in allowed), (who, count_return.enrolled, step)


def test_a_command_verifies_its_sites_returns_but_not_its_own_submission(people, returns):
    allowed = [count_return_allowed_steps(actor=Actor.for_user(people["catc"]), count_return=r) for r in returns]

    assert allowed == [{"verify", "reject"}, set(), set(), set(), set()]


def test_an_approver_approves_only_returns_someone_else_verified(people, returns):
    allowed = [count_return_allowed_steps(actor=Actor.for_user(people["hq_approver"]), count_return=r) for r in returns]

    assert allowed == [set(), set(), {"approve", "reject"}, set(), set()]


def test_asking_for_the_steps_logs_no_refusal(people, returns, caplog):
    with caplog.at_level("WARNING", logger="security"):
        for count_return in returns:
            count_return_allowed_steps(actor=Actor.for_user(people["stc"]), count_return=count_return)

    assert not [record for record in caplog.records if getattr(record, "event", "") == "permission_refused"]


def test_awaiting_counts_each_step_with_the_age_of_its_oldest_return(people, returns):
    now = clock.now()
    oldest_submission = now - dt.timedelta(days=9, hours=1)
    CountReturn.objects.filter(pk=returns[0].pk).update(submitted_at=oldest_submission)

    coordinator = count_returns_awaiting_decision(actor=Actor.for_user(people["hq_coordinator"]), now=now)
    approver = count_returns_awaiting_decision(actor=Actor.for_user(people["hq_approver"]), now=now, with_oldest=5)

    assert [(a.step, a.count, a.oldest_days) for a in coordinator] == [("verify", 2, 9)]
    assert [(a.step, a.count) for a in approver] == [("approve", 1)]
    assert approver[0].oldest == [returns[2]]


def test_nothing_awaits_an_observer_or_another_command(people, returns):
    assert count_returns_awaiting_decision(actor=Actor.for_user(people["observer"])) == []
    assert count_returns_awaiting_decision(actor=Actor.for_user(people["stc"])) == []
