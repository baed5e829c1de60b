"""Who changed what: field-level history, a cohort's assignment changes, and the CSV export of the audit trail."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from academies.models import Organisation
from academies.scope import Actor
from config import clock
from tests.factories import (
    CohortFactory,
    CountReturnFactory,
    OrganisationFactory,
    StaffMembershipFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from trainees.services import count_return_reject, trainer_assign

pytestmark = pytest.mark.django_db


def test_a_returns_history_shows_the_fields_that_changed_and_the_rejection_reason(
    admin_client_for, coordinator, hq_approver
):
    count_return = CountReturnFactory(as_of=clock.today())
    count_return_reject(count_return=count_return, actor=Actor.for_user(coordinator), reason="Withdrawn miscounted")

    page = (
        admin_client_for(hq_approver)
        .get(reverse("admin:trainees_countreturn_history", args=[count_return.pk]))
        .content.decode()
    )

    assert "Withdrawn miscounted" in page
    assert "rejection reason" in page.lower() and "coord" in page


def test_a_cohorts_history_lists_who_put_trainers_on_it(admin_client_for, coordinator, hq_approver):
    cohort = CohortFactory(starts_on=clock.today() + dt.timedelta(days=10))
    trainer = TrainerFactory(reference="PL-AUDIT-1", qualifications=[cohort.course])
    TrainerAvailabilityFactory(trainer=trainer, starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    client = admin_client_for(coordinator)
    # Through the admin, so the history records the account (the history middleware reads the request's user).
    with pytest.MonkeyPatch.context():
        from simple_history.models import HistoricalRecords

        HistoricalRecords.context.request = type("R", (), {"user": coordinator})()
        try:
            trainer_assign(trainer=trainer, cohort=cohort, actor=Actor.for_user(coordinator))
        finally:
            del HistoricalRecords.context.request

    page = client.get(reverse("admin:trainees_cohort_history", args=[cohort.pk])).content.decode()

    assert 'id="assignment-history"' in page
    assert "PL-AUDIT-1" in page and "coord" in page


def test_hq_exports_the_audit_trail_of_a_date_range_as_csv(admin_client_for, coordinator, hq_approver):
    count_return = CountReturnFactory(as_of=clock.today())
    count_return_reject(count_return=count_return, actor=Actor.for_user(coordinator), reason="Recount")
    today = clock.today()

    response = admin_client_for(hq_approver).get(
        reverse("admin:audit_export"), {"starts_on": today - dt.timedelta(days=1), "ends_on": today}
    )

    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time", "account", "model", "object_id", "change", "fields", "reason"]
    changes = [row for row in rows[1:] if row[2] == "trainees.CountReturn" and row[3] == str(count_return.pk)]
    assert changes[0][4] == "created" and changes[-1][4] == "changed"
    assert {"rejection_reason", "state"} <= set(changes[-1][5].split())


def test_the_audit_export_refuses_a_range_that_ends_before_it_starts(admin_client_for, hq_approver):
    today = clock.today()
    response = admin_client_for(hq_approver).get(
        reverse("admin:audit_export"), {"starts_on": today, "ends_on": today - dt.timedelta(days=3)}
    )
    assert response.status_code == 200
    assert "The range ends before it starts." in response.content.decode()


def test_only_mission_hq_exports_the_audit_trail(admin_client_for, roles):
    from academies.management.commands.setup_roles import COORDINATOR
    from tests.factories import TrainingCommandFactory

    command = OrganisationFactory(
        slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=TrainingCommandFactory(code="cat-c")
    )
    member = StaffMembershipFactory(organisation=command, user__username="catc-coord").user
    member.groups.add(roles[COORDINATOR])
    today = clock.today()

    response = admin_client_for(member).get(reverse("admin:audit_export"), {"starts_on": today, "ends_on": today})

    assert response.status_code == 403
