"""Official records are never deleted, nor an official return rewritten: the database refuses, on both engines.

Triggers (trainees migration 0005, mission migration 0004) refuse to delete an approved or superseded count return,
an adopted or superseded mandate version or a sent report dispatch, and to change an official return other than
from approved to superseded. The refusal is an IntegrityError whose message starts with "official record:",
whatever sends the statement: a model's delete(), a queryset, raw SQL or a cascade.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from tablib import Dataset

from academies.scope import SYSTEM
from config.exceptions import ApplicationError
from mission.models import MandatePosition, MandateVersion, ReportDispatch, ReportSubscription
from mission.schedules import period_for_send_day
from mission.services import report_subscription_delete
from tests.factories import (
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    MandatePositionFactory,
    MandateVersionFactory,
    ReportSubscriptionFactory,
    UserFactory,
)
from trainees.models import CountReturn
from trainees.resources import CountReturnResource
from trainees.services import count_return_approve, count_return_submit, count_return_verify

pytestmark = pytest.mark.django_db

RETURN_DELETED = (
    "official record: an approved or superseded count return is never deleted; a correction is a new return"
)
RETURN_REWRITTEN = (
    "official record: an approved or superseded count return keeps its cohort, date, figures and approval; "
    "its state changes only from approved to superseded"
)
MANDATE_DELETED = "official record: an adopted or superseded mandate version is never deleted"
DISPATCH_DELETED = "official record: a sent report dispatch is never deleted"
SENT = dt.datetime(2025, 9, 1, 7, tzinfo=dt.UTC)
# The weekly report that went out then, keyed as the schedules key it (not a literal that could drift from them).
SENT_PERIOD = period_for_send_day("weekly", SENT.date()).key


def refused(action) -> str:
    """The database's refusal of `action`, which is rolled back; its first line (PostgreSQL may add context)."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    return str(caught.value).splitlines()[0]


def raw_delete(table: str, pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 (a table name of ours)


def deletions(model, table: str):
    """The three ways to delete one row: the instance, a queryset, and raw SQL."""
    return {
        "instance": lambda row: model.objects.get(pk=row.pk).delete(),
        "queryset": lambda row: model.objects.filter(pk=row.pk).delete(),
        "raw_sql": lambda row: raw_delete(table, row.pk),
    }


RETURN_DELETIONS = deletions(CountReturn, "trainees_countreturn")
MANDATE_DELETIONS = deletions(MandateVersion, "mission_mandateversion")
DISPATCH_DELETIONS = deletions(ReportDispatch, "mission_reportdispatch")


def superseded_return(**fields) -> CountReturn:
    return ApprovedCountReturnFactory(state=CountReturn.State.SUPERSEDED, **fields)


def sent_dispatch(subscription: ReportSubscription | None = None) -> ReportDispatch:
    return ReportDispatch.objects.create(
        subscription=subscription or ReportSubscriptionFactory(),
        period_key=SENT_PERIOD,
        state=ReportDispatch.State.SENT,
        sent_at=SENT,
    )


# COUNT RETURNS: NEVER DELETED


@pytest.mark.parametrize("way", RETURN_DELETIONS)
@pytest.mark.parametrize("build", [ApprovedCountReturnFactory, superseded_return], ids=["approved", "superseded"])
def test_an_official_return_is_never_deleted(build, way):
    official = build()

    assert refused(lambda: RETURN_DELETIONS[way](official)) == RETURN_DELETED
    assert CountReturn.objects.get(pk=official.pk).state == official.state


@pytest.mark.parametrize("way", RETURN_DELETIONS)
@pytest.mark.parametrize(
    "fields",
    [{"state": "submitted"}, {"state": "verified"}, {"state": "rejected", "rejection_reason": "Counted twice."}],
    ids=["submitted", "verified", "rejected"],
)
def test_a_return_that_is_not_official_can_still_be_deleted(fields, way):
    count_return = CountReturnFactory(**fields)

    RETURN_DELETIONS[way](count_return)

    assert not CountReturn.objects.filter(pk=count_return.pk).exists()


def test_a_delete_that_reaches_an_official_return_deletes_nothing():
    cohort = CohortFactory()
    official, pending = ApprovedCountReturnFactory(cohort=cohort), CountReturnFactory(cohort=cohort)

    assert refused(lambda: CountReturn.objects.filter(cohort=cohort).delete()) == RETURN_DELETED
    assert set(CountReturn.objects.filter(cohort=cohort).values_list("pk", flat=True)) == {official.pk, pending.pk}


# COUNT RETURNS: NEVER REWRITTEN


# Each change an UPDATE might make to an official return; built in the test, as some need rows.
REWRITES = {
    "enrolled": lambda: {"enrolled": 101},
    "completed": lambda: {"completed": 89},
    "withdrawn": lambda: {"withdrawn": 4},
    "as_of": lambda: {"as_of": dt.date(2025, 4, 1)},
    "cohort": lambda: {"cohort": CohortFactory()},
    "approved_at": lambda: {"approved_at": dt.datetime(2025, 4, 8, 12, tzinfo=dt.UTC)},
    "approved_by": lambda: {"approved_by": UserFactory()},
    "approved_by_cleared": lambda: {"approved_by": None},
    "back_to_submitted": lambda: {"state": CountReturn.State.SUBMITTED},
    "back_to_verified": lambda: {"state": CountReturn.State.VERIFIED},
    "rejected": lambda: {"state": CountReturn.State.REJECTED, "rejection_reason": "Too late."},
}


@pytest.mark.parametrize("change", REWRITES)
@pytest.mark.parametrize("build", [ApprovedCountReturnFactory, superseded_return], ids=["approved", "superseded"])
def test_an_official_return_is_never_rewritten(build, change):
    official = build(approved_by=UserFactory(username="approver-of-record"))
    changes = REWRITES[change]()

    assert refused(lambda: CountReturn.objects.filter(pk=official.pk).update(**changes)) == RETURN_REWRITTEN
    stored = CountReturn.objects.get(pk=official.pk)
    figures = ("cohort_id", "as_of", "enrolled", "completed", "withdrawn", "state", "approved_at", "approved_by_id")
    assert [getattr(stored, name) for name in figures] == [getattr(official, name) for name in figures]


def test_a_superseded_return_is_never_official_again():
    superseded = superseded_return()

    update = CountReturn.objects.filter(pk=superseded.pk).update
    assert refused(lambda: update(state=CountReturn.State.APPROVED)) == RETURN_REWRITTEN
    assert CountReturn.objects.get(pk=superseded.pk).state == CountReturn.State.SUPERSEDED


def test_an_official_return_is_refused_by_raw_sql_and_by_save_too():
    official = ApprovedCountReturnFactory(completed=90)

    def raw_update() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE trainees_countreturn SET completed = 91 WHERE id = %s", [official.pk])

    def save() -> None:
        stored = CountReturn.objects.get(pk=official.pk)
        stored.completed = 91
        stored.save()  # save() skips clean(), which would refuse first

    assert refused(raw_update) == RETURN_REWRITTEN
    assert refused(save) == RETURN_REWRITTEN
    assert CountReturn.objects.get(pk=official.pk).completed == 90


def test_an_official_return_can_be_saved_unchanged_and_superseded():
    official = ApprovedCountReturnFactory(completed=90)

    CountReturn.objects.get(pk=official.pk).save()  # every column written again, with the values it has
    CountReturn.objects.filter(pk=official.pk).update(submitted_at=SENT, completed=90)  # not a figure; unchanged
    CountReturn.objects.filter(pk=official.pk).update(state=CountReturn.State.SUPERSEDED)

    stored = CountReturn.objects.get(pk=official.pk)
    assert (stored.state, stored.completed, stored.submitted_at) == ("superseded", 90, SENT)


def test_approving_corrections_supersedes_the_official_returns(verifier, approver):
    cohort = CohortFactory()
    original = ApprovedCountReturnFactory(cohort=cohort, completed=90)

    def approve_correction(completed: int) -> CountReturn:
        correction = count_return_submit(
            actor=SYSTEM, cohort=cohort, as_of=original.as_of, enrolled=100, completed=completed, withdrawn=5
        )
        correction = count_return_verify(count_return=correction, actor=SYSTEM)
        return count_return_approve(count_return=correction, actor=SYSTEM)

    first = approve_correction(92)
    second = approve_correction(93)

    states = dict(CountReturn.objects.filter(cohort=cohort).values_list("pk", "state"))
    assert [states[r.pk] for r in (original, first, second)] == ["superseded", "superseded", "approved"]
    assert list(CountReturn.objects.official().values_list("completed", flat=True)) == [93]
    # The ORM refuses first (the correction's link protects it); the database refuses all the same.
    assert refused(lambda: raw_delete("trainees_countreturn", first.pk)) == RETURN_DELETED


# IMPORTS


def test_an_import_cannot_overwrite_an_official_return(superuser):
    # The file names the official return's id and says "approved": the row is a new, submitted correction.
    official = ApprovedCountReturnFactory(completed=90)
    dataset = Dataset(headers=["id", "cohort", "as_of", "enrolled", "completed", "withdrawn", "state"])
    dataset.append([official.pk, official.cohort.reference, official.as_of.isoformat(), 100, 50, 5, "approved"])

    result = CountReturnResource().import_data(dataset, dry_run=False, user=superuser)

    assert not result.has_errors() and not result.has_validation_errors()
    stored = CountReturn.objects.get(pk=official.pk)
    assert (stored.state, stored.completed) == ("approved", 90)
    imported = CountReturn.objects.exclude(pk=official.pk).get()
    assert (imported.state, imported.completed, imported.supersedes_id) == ("submitted", 50, official.pk)


# MANDATE VERSIONS


def adopted_mandate() -> MandateVersion:
    return MandateVersionFactory(status=MandateVersion.Status.ADOPTED, adopted_on=dt.date(2025, 1, 10))


def superseded_mandate() -> MandateVersion:
    return MandateVersionFactory(status=MandateVersion.Status.SUPERSEDED, adopted_on=dt.date(2024, 1, 10))


@pytest.mark.parametrize("way", MANDATE_DELETIONS)
@pytest.mark.parametrize("build", [adopted_mandate, superseded_mandate], ids=["adopted", "superseded"])
def test_an_adopted_or_superseded_mandate_is_never_deleted(build, way):
    mandate = build()
    MandatePositionFactory(mandate=mandate)

    assert refused(lambda: MANDATE_DELETIONS[way](mandate)) == MANDATE_DELETED
    assert MandateVersion.objects.filter(pk=mandate.pk).exists()
    assert MandatePosition.objects.filter(mandate=mandate).count() == 1  # the cascade was rolled back with it


@pytest.mark.parametrize("status", [MandateVersion.Status.DRAFT, MandateVersion.Status.WITHDRAWN])
def test_a_draft_or_withdrawn_mandate_can_still_be_deleted(status):
    mandate = MandateVersionFactory(status=status)
    MandatePositionFactory(mandate=mandate)

    mandate.delete()

    assert not MandateVersion.objects.filter(pk=mandate.pk).exists()


def test_an_adopted_mandate_is_superseded_by_an_update():
    mandate = adopted_mandate()

    MandateVersion.objects.filter(pk=mandate.pk).update(status=MandateVersion.Status.SUPERSEDED)

    assert MandateVersion.objects.get(pk=mandate.pk).status == MandateVersion.Status.SUPERSEDED


# REPORT DISPATCHES


@pytest.mark.parametrize("way", DISPATCH_DELETIONS)
def test_a_sent_dispatch_is_never_deleted(way):
    dispatch = sent_dispatch()

    assert refused(lambda: DISPATCH_DELETIONS[way](dispatch)) == DISPATCH_DELETED
    assert ReportDispatch.objects.get(pk=dispatch.pk).state == ReportDispatch.State.SENT


@pytest.mark.parametrize("state", [ReportDispatch.State.PENDING, ReportDispatch.State.SENDING, "failed"])
def test_a_dispatch_that_was_not_sent_can_still_be_deleted(state):
    dispatch = ReportDispatch.objects.create(
        subscription=ReportSubscriptionFactory(), period_key=SENT_PERIOD, state=state
    )

    dispatch.delete()

    assert not ReportDispatch.objects.filter(pk=dispatch.pk).exists()


def test_deleting_a_subscription_keeps_the_log_of_the_reports_it_sent():
    # A subscription's dispatches cascade with it; a sent one refuses, and so the subscription stays.
    subscription = ReportSubscriptionFactory()
    dispatch = sent_dispatch(subscription=subscription)

    assert refused(subscription.delete) == DISPATCH_DELETED
    with pytest.raises(ApplicationError) as caught:
        report_subscription_delete(actor=SYSTEM, subscription=subscription)

    assert caught.value.code == "official_record"
    assert caught.value.message == (
        f"Reports were sent under {subscription.name}; their dispatch log is an official record and is never "
        "deleted. Deactivate the subscription instead."
    )
    assert ReportSubscription.objects.filter(pk=subscription.pk).exists()
    assert ReportDispatch.objects.filter(pk=dispatch.pk).exists()


def test_a_subscription_that_never_sent_a_report_can_still_be_deleted():
    subscription = ReportSubscriptionFactory()
    ReportDispatch.objects.create(subscription=subscription, period_key=SENT_PERIOD, state="failed")

    report_subscription_delete(actor=SYSTEM, subscription=subscription)

    assert not ReportSubscription.objects.filter(pk=subscription.pk).exists()
    assert not ReportDispatch.objects.exists()


# FLUSH


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_official_records_and_leaves_the_triggers_in_place():
    # PostgreSQL flushes with TRUNCATE; SQLite deletes row by row, with the triggers set aside (trainees' `flush`).
    ApprovedCountReturnFactory()
    adopted_mandate()
    sent_dispatch()

    call_command("flush", interactive=False, verbosity=0)

    assert not CountReturn.objects.exists()
    assert not MandateVersion.objects.exists()
    assert not ReportDispatch.objects.exists()
    official = ApprovedCountReturnFactory()
    assert refused(official.delete) == RETURN_DELETED
