"""Every list endpoint runs the same number of queries for 10 rows as for 1,000."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academies.models import Academy, Course, NationalDeploymentAuthorisation, Trainer, TrainerAvailability
from config import clock
from mission.models import MandatePosition, MandateVersion, Milestone, ProgressReport, ReportSubscription, Target
from tests.api.test_scoping_matrix import api_routes
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment, UnitFeedback

LIST_ROUTES = sorted(name for name, method in api_routes() if method == "get" and name.endswith("-list"))


def add_rows(world, start: int, count: int) -> None:
    """Bulk-create `count` rows of every listed model, all inside command A's scope."""
    site = world.objects["a"]["site"]
    nation = site.nation
    command_a = world.orgs["command_a"]
    numbers = range(start, start + count)
    sites = Academy.objects.bulk_create(
        Academy(
            slug=f"bulk-site-{n}",
            kind="range",
            nation=nation,
            city_en="X",
            command=site.command,
            seat_capacity=10,
            name_en=f"Site {n}",
            name_uk=f"Сайт {n}",
        )
        for n in numbers
    )
    courses = Course.objects.bulk_create(
        Course(
            code=f"bulk-course-{n}",
            family="basic",
            level="individual",
            duration_days=5,
            max_cohort_size=50,
            trainees_per_trainer=5,
            name_en=f"C {n}",
            name_uk=f"К {n}",
        )
        for n in numbers
    )
    trainers = Trainer.objects.bulk_create(Trainer(reference=f"BT-{n:06d}", nation=nation) for n in numbers)
    Trainer.qualifications.through.objects.bulk_create(
        Trainer.qualifications.through(trainer_id=t.pk, course_id=c.pk) for t, c in zip(trainers, courses, strict=True)
    )
    TrainerAvailability.objects.bulk_create(
        TrainerAvailability(trainer=t, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)) for t in trainers
    )
    day = dt.date(2025, 3, 3)
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            reference=f"BC-{n:06d}",
            course=c,
            academy=s,
            starts_on=day,
            ends_on=day + dt.timedelta(days=4),
            seats=10,
            has_roster=True,
        )
        for n, c, s in zip(numbers, courses, sites, strict=True)
    )
    TrainerAssignment.objects.bulk_create(
        TrainerAssignment(trainer=t, cohort=c, starts_on=c.starts_on, ends_on=c.ends_on)
        for t, c in zip(trainers, cohorts, strict=True)
    )
    trainees = Trainee.objects.bulk_create(Trainee(reference=f"UA-bulk-{n:06d}") for n in numbers)
    Enrollment.objects.bulk_create(Enrollment(trainee=t, cohort=c) for t, c in zip(trainees, cohorts, strict=True))
    CountReturn.objects.bulk_create(
        CountReturn(
            cohort=c, as_of=c.ends_on, enrolled=10, completed=9, withdrawn=1, submitted_by_organisation=command_a
        )
        for c in cohorts
    )
    UnitFeedback.objects.bulk_create(
        UnitFeedback(
            cohort=c,
            checkpoint="week_4",
            not_ready=1,
            partly_ready=2,
            ready=5,
            fully_ready=1,
            units_responding=1,
            submitted_at=clock.now(),
        )
        for c in cohorts
    )
    Target.objects.bulk_create(
        Target(value=1000 + n, in_force_from=dt.date(2000, 1, 1) + dt.timedelta(days=n), label="t") for n in numbers
    )
    Milestone.objects.bulk_create(Milestone(value=200_000 + n, label="m") for n in numbers)
    mandates = MandateVersion.objects.bulk_create(MandateVersion(reference=f"M-{n}", title="m") for n in numbers)
    MandatePosition.objects.bulk_create(MandatePosition(mandate=m, nation=nation) for m in mandates)
    authorisations = NationalDeploymentAuthorisation.objects.bulk_create(
        NationalDeploymentAuthorisation(nation=nation, given_on=clock.today() - dt.timedelta(days=n + 1))
        for n in numbers
    )
    NationalDeploymentAuthorisation.sites.through.objects.bulk_create(
        NationalDeploymentAuthorisation.sites.through(nationaldeploymentauthorisation_id=a.pk, academy_id=site.pk)
        for a in authorisations
    )
    subscriptions = ReportSubscription.objects.bulk_create(
        ReportSubscription(
            name=f"S {n}",
            recipients=["a@example.eu"],
            weekday=0,
            organisation=command_a,
            scope="command",
            command=site.command,
        )
        for n in numbers
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(subscription=s, period_start=day, period_end=day, scope_label="x", figures={}, html="")
        for s in subscriptions
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_list_runs_the_same_queries_for_10_and_1000_rows(world):
    assert len(LIST_ROUTES) >= 14
    callers = {
        "hq": world.client("hq"),
        "command_a": world.client("command_a"),
        "ministry_a": world.client("ministry_a"),
    }
    add_rows(world, 0, 10)
    small = {
        (who, name): _queries(client, reverse(f"api:{name}")) for who, client in callers.items() for name in LIST_ROUTES
    }
    add_rows(world, 10, 990)
    large = {
        (who, name): _queries(client, reverse(f"api:{name}")) for who, client in callers.items() for name in LIST_ROUTES
    }
    differing = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    assert not differing, f"Query counts that grow with the data (10 rows, 1,000 rows): {differing}"
