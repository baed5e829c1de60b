"""The demo data set follows the public timeline and keeps every rule of the domain."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Sum

from academies.models import Academy, Trainer, TrainerAvailability
from mission.demo import PENDING_RETURN_DAYS, _DemoBuilder, seed_demo
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment

# Cumulative people trained, from docs/domain.md. A month-only figure is read as the month's last day.
TIMELINE = [
    (dt.date(2023, 3, 31), 11_000),
    (dt.date(2023, 6, 30), 24_000),
    (dt.date(2023, 8, 31), 25_000),
    (dt.date(2023, 11, 30), 34_000),
    (dt.date(2024, 8, 30), 60_000),
    (dt.date(2024, 11, 30), 63_000),
    (dt.date(2025, 5, 31), 75_000),
    (dt.date(2025, 8, 29), 80_000),
    (dt.date(2025, 12, 31), 86_000),
]


# The demo as it stands on a pinned day, so that these tests see the same rows whatever the real today is.
DEMO_TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(scale=1, progress=False, today=DEMO_TODAY)
        transaction.set_rollback(True)


def official_total(until: dt.date) -> int:
    official = CountReturn.objects.filter(state=CountReturn.State.APPROVED, as_of__lte=until)
    return official.aggregate(total=Sum("completed"))["total"] or 0


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "figure"), TIMELINE, ids=[str(day) for day, _ in TIMELINE])
def test_official_totals_follow_the_public_timeline(demo, day, figure):
    assert official_total(day) == pytest.approx(figure, rel=0.01)


@pytest.mark.django_db
def test_the_80000_mark_is_passed_by_29_august_2025(demo):
    assert official_total(dt.date(2025, 8, 28)) < 80_000 * 1.01
    assert official_total(dt.date(2025, 8, 29)) > 80_000


@pytest.mark.django_db
def test_training_goes_on_through_2026(demo):
    year = official_total(dt.date(2026, 10, 31)) - official_total(dt.date(2025, 12, 31))
    assert 10 * 450 <= year <= 10 * 800
    assert Cohort.objects.filter(status=Cohort.Status.IN_TRAINING).exists()
    assert Cohort.objects.filter(status=Cohort.Status.PLANNED, starts_on__year=2027).exists()


@pytest.mark.django_db
def test_host_nations_share_the_totals_like_the_public_figures(demo):
    official = CountReturn.objects.filter(state=CountReturn.State.APPROVED, as_of__lte=dt.date(2025, 12, 31))
    by_nation = dict(official.values_list("cohort__academy__nation_id").annotate(total=Sum("completed")).order_by())
    assert by_nation["PL"] == pytest.approx(35_000, rel=0.03)
    assert 20_000 <= by_nation["DE"] <= 23_000
    assert by_nation["ES"] == pytest.approx(8_600, rel=0.05)
    assert not Cohort.objects.filter(academy__nation_id="UA").exists()


@pytest.mark.django_db
def test_basic_individual_training_dominates(demo):
    official = CountReturn.objects.filter(state=CountReturn.State.APPROVED)
    by_family = dict(official.values_list("cohort__course__family").annotate(total=Sum("completed")).order_by())
    assert max(by_family, key=by_family.get) == "basic"
    assert by_family["basic"] > sum(by_family.values()) / 2
    assert len(by_family) == 11


@pytest.mark.django_db
def test_a_second_run_adds_no_rows(demo):
    models = [Academy, Trainer, TrainerAvailability, Cohort, TrainerAssignment, Trainee, Enrollment, CountReturn]
    before = {model.__name__: model.objects.count() for model in models}

    again = seed_demo(scale=1, progress=False, today=DEMO_TODAY)

    assert again["skipped"] is True
    assert {model.__name__: model.objects.count() for model in models} == before
    assert again["approved_completed"] == demo["approved_completed"]


@pytest.mark.django_db
def test_the_same_seed_plans_the_same_cohorts(demo):
    def plan(seed: int) -> list[tuple]:
        builder = _DemoBuilder(scale=1, seed=seed, progress=False, today=DEMO_TODAY)
        builder.sites = builder.sites_build()
        builder.cohorts_plan()
        return [(c.site.academy.slug, c.course.code, c.starts_on, c.seats, c.completed) for c in builder.cohorts]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


@pytest.mark.django_db
def test_the_demo_of_a_later_year_still_has_a_present_and_a_future(demo):
    later = dt.date(DEMO_TODAY.year + 5, 2, 29 if (DEMO_TODAY.year + 5) % 4 == 0 else 28)
    builder = _DemoBuilder(scale=1, seed=7, progress=False, today=later)
    builder.sites = builder.sites_build()
    builder.cohorts_plan()
    statuses = {builder.status_of(planned) for planned in builder.cohorts}
    assert statuses == {Cohort.Status.COMPLETED, Cohort.Status.IN_TRAINING, Cohort.Status.PLANNED}
    assert max(planned.ends_on for planned in builder.cohorts) > later + dt.timedelta(days=300)
    # The mission goes on at its expected rate after the last public figure, year after year.
    planned_in = defaultdict(int)
    for planned in builder.cohorts:
        planned_in[planned.ends_on.year] += planned.completed
    assert all(6_000 <= planned_in[year] <= 8_400 for year in range(DEMO_TODAY.year, later.year + 1))


def test_seed_demo_refuses_a_today_before_the_mission_started():
    with pytest.raises(ValueError, match="after the mission's start"):
        seed_demo(scale=1, progress=False, today=dt.date(2022, 1, 1))


@pytest.mark.django_db
def test_cohorts_fit_their_course_and_no_site_is_overbooked(demo):
    by_site: dict[int, list[Cohort]] = defaultdict(list)
    for cohort in Cohort.objects.select_related("course", "academy"):
        assert 1 <= cohort.seats <= cohort.course.max_cohort_size
        assert cohort.ends_on >= cohort.starts_on
        by_site[cohort.academy_id].append(cohort)
    for cohorts in by_site.values():
        changes: dict[dt.date, int] = defaultdict(int)
        for cohort in cohorts:
            changes[cohort.starts_on] += cohort.seats
            changes[cohort.ends_on + dt.timedelta(days=1)] -= cohort.seats
        occupied, capacity = 0, cohorts[0].academy.seat_capacity
        for day in sorted(changes):
            occupied += changes[day]
            assert occupied <= capacity, f"{cohorts[0].academy.slug} overbooked on {day}"


@pytest.mark.django_db
def test_no_trainer_has_overlapping_assignments(demo):
    assignments = TrainerAssignment.objects.order_by("trainer_id", "starts_on").values_list(
        "trainer_id", "starts_on", "ends_on"
    )
    assert len(assignments) > 1000
    previous: tuple | None = None
    for trainer, starts_on, ends_on in assignments:
        if previous and previous[0] == trainer:
            assert starts_on > previous[2], f"trainer {trainer} overlaps on {starts_on}"
        previous = (trainer, starts_on, ends_on)


@pytest.mark.django_db
def test_assignments_lie_inside_availability_and_qualifications(demo):
    windows = defaultdict(list)
    for trainer, starts_on, ends_on in TrainerAvailability.objects.values_list("trainer_id", "starts_on", "ends_on"):
        windows[trainer].append((starts_on, ends_on))
    qualified = set(Trainer.qualifications.through.objects.values_list("trainer_id", "course_id"))
    rows = TrainerAssignment.objects.values_list(
        "trainer_id", "starts_on", "ends_on", "cohort__course_id", "cohort__starts_on", "cohort__ends_on"
    )
    for trainer, starts_on, ends_on, course, cohort_starts_on, cohort_ends_on in rows:
        assert (starts_on, ends_on) == (cohort_starts_on, cohort_ends_on)
        assert (trainer, course) in qualified
        assert any(start <= starts_on and ends_on <= end for start, end in windows[trainer])


@pytest.mark.django_db
def test_some_planned_cohorts_have_no_trainers_yet(demo):
    planned = Cohort.objects.filter(status=Cohort.Status.PLANNED)
    assert planned.filter(assignments__isnull=True).exists()
    assert planned.filter(assignments__isnull=False).exists()


@pytest.mark.django_db
def test_every_past_cohort_has_one_official_return(demo):
    settled_before = DEMO_TODAY - dt.timedelta(days=PENDING_RETURN_DAYS)
    past = Cohort.objects.filter(status=Cohort.Status.COMPLETED)
    approved = CountReturn.objects.filter(state=CountReturn.State.APPROVED)
    assert approved.count() == past.filter(ends_on__lt=settled_before).count()
    assert not past.filter(ends_on__lt=settled_before, count_returns__isnull=True).exists()
    assert CountReturn.objects.pending().exists()
    assert not CountReturn.objects.pending().filter(cohort__ends_on__lt=settled_before).exists()
    for count_return in approved.select_related("cohort"):
        assert count_return.as_of == count_return.cohort.ends_on
        assert count_return.completed + count_return.withdrawn <= count_return.enrolled
        assert count_return.withdrawn <= 0.06 * count_return.enrolled + 1
        assert count_return.verified_at and count_return.approved_at
        assert count_return.submitted_at <= count_return.verified_at <= count_return.approved_at
    assert not Cohort.objects.exclude(status=Cohort.Status.COMPLETED).filter(count_returns__isnull=False).exists()


@pytest.mark.django_db
def test_rosters_match_the_official_figures(demo):
    roster_total = 0
    for count_return in CountReturn.objects.filter(state=CountReturn.State.APPROVED, cohort__has_roster=True):
        outcomes = Enrollment.objects.filter(cohort_id=count_return.cohort_id)
        assert outcomes.filter(status=Enrollment.Status.COMPLETED).count() == count_return.completed
        assert outcomes.filter(status=Enrollment.Status.WITHDRAWN).count() == count_return.withdrawn
        roster_total += count_return.completed
    assert 0.10 <= roster_total / demo["approved_completed"] <= 0.20
    assert not Enrollment.objects.filter(cohort__has_roster=False).exists()
    assert Trainee.objects.count() < Enrollment.objects.count()  # some people came back for another course


@pytest.mark.django_db
def test_trainee_references_are_opaque(demo):
    references = list(Trainee.objects.values_list("reference", flat=True))
    assert references
    assert all(re.fullmatch(r"UA-[0-9a-f]{12}", reference) for reference in references)


# REPORT SUBSCRIPTIONS (issue 16): a fresh `make run` followed by `send_progress_reports` produces mail.


@pytest.mark.django_db
def test_the_demo_seeds_its_three_report_subscriptions_once(demo):
    from mission.demo import DEMO_SUBSCRIPTIONS, demo_subscriptions_ensure
    from mission.models import ReportSubscription

    demo_subscriptions_ensure()
    rows = {
        row.name: row
        for row in ReportSubscription.objects.filter(name__in=[entry["name"] for entry in DEMO_SUBSCRIPTIONS])
    }
    assert len(rows) == 3 == ReportSubscription.objects.count()
    mission_weekly, command_monthly, nation_weekly = (rows[entry["name"]] for entry in DEMO_SUBSCRIPTIONS)
    assert (mission_weekly.scope, mission_weekly.language, mission_weekly.frequency) == ("mission", "en", "weekly")
    assert (command_monthly.scope, command_monthly.command.code, command_monthly.language) == ("command", "cat-c", "uk")
    assert command_monthly.frequency == "monthly"
    assert (nation_weekly.scope, nation_weekly.nation_id, nation_weekly.attach_csv) == ("nation", "PL", True)
    assert all(row.organisation is not None and row.is_active for row in rows.values())


@pytest.mark.django_db
def test_after_the_demo_the_send_command_writes_one_file_per_report_and_only_once(demo, settings, tmp_path):
    from email import message_from_bytes
    from zoneinfo import ZoneInfo

    import time_machine
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "config.mail.OneFilePerMessageBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    # The morning after the demo's last day, after the reports' send time.
    morning = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=1), dt.time(9), tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(morning, tick=True):
        call_command("send_progress_reports")
        files = sorted(tmp_path.glob("*.eml"))
        call_command("send_progress_reports")
    assert len(files) == 3 and sorted(tmp_path.glob("*.eml")) == files
    messages = [message_from_bytes(path.read_bytes()) for path in files]
    by_recipient = {message["To"]: message for message in messages}
    assert set(by_recipient) == {
        "leadership@eumam.invalid",
        "catc-reports@eumam.invalid",
        "mod-pl-reports@eumam.invalid",
    }
    for message in messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    types = {to: {part.get_content_type() for part in message.walk()} for to, message in by_recipient.items()}
    assert "application/pdf" in types["leadership@eumam.invalid"]
    assert "text/csv" in types["mod-pl-reports@eumam.invalid"]
    ukrainian = by_recipient["catc-reports@eumam.invalid"]
    text = next(part for part in ukrainian.walk() if part.get_content_type() == "text/plain")
    assert "Офіційно підготовлено" in text.get_payload(decode=True).decode()


# COURSE VERSIONS AND UKRAINIAN INSTRUCTORS (issue 18)


def test_basic_soldier_training_changed_after_criticism_from_the_front(demo):
    from academies.models import CourseVersion

    versions = list(CourseVersion.objects.filter(course__code="basic-soldier").order_by("number"))

    assert [version.number for version in versions] == [1, 2, 3]
    assert versions[1].effective_from.year == 2024 and "front" in versions[1].reason
    assert versions[1].topic_hours.get(topic__code="drones").hours > 0
    assert not versions[0].topic_hours.exists() or versions[0].total_hours > 0


def test_every_demo_cohort_follows_the_version_in_force_on_its_first_day(demo):
    from academies.models import CourseVersion

    wrong = [
        cohort.reference
        for cohort in Cohort.objects.filter(course__code="basic-soldier").select_related("course_version")[:400]
        if cohort.course_version != CourseVersion.in_force(cohort.course_id, cohort.starts_on)
    ]
    assert wrong == []
    assert not Cohort.objects.filter(course_version__isnull=True).exists()


def test_ukrainian_instructors_co_teach_by_reference_only(demo):
    from academies.models import UKRAINE
    from mission.selectors import ukrainian_co_teaching

    instructors = Trainer.objects.filter(nation_id=UKRAINE)

    assert instructors.exists() and not instructors.exclude(display_name="").exists()
    figures = ukrainian_co_teaching(as_of=DEMO_TODAY)
    assert 0 < figures["co_taught"] < figures["cohorts"]
    assert TrainerAssignment.objects.filter(trainer__nation_id=UKRAINE, starts_on__lt=dt.date(2024, 1, 8)).count() == 0


# AFTER-ACTION REVIEWS AND LESSONS (issue 18)


@pytest.mark.django_db
def test_demo_lessons_follow_the_timeline_to_their_course_versions(demo):
    from mission.lessons import Lesson

    implemented = Lesson.objects.filter(state=Lesson.State.IMPLEMENTED).prefetch_related("prompted_versions", "reviews")
    assert implemented.count() == 3
    for lesson in implemented:
        (version,) = lesson.prompted_versions.all()
        assert version.course_id == lesson.course_id and version.number > 1
        # Each came from the debrief of a cohort of its course that ended before the version took over.
        assert lesson.reviews.exists()
        assert all(review.cohort.ends_on < version.effective_from for review in lesson.reviews.all())
    assert Lesson.objects.filter(state=Lesson.State.REJECTED).exclude(decision_reason="").count() == 1
    assert Lesson.objects.open().count() == 2


@pytest.mark.django_db
def test_demo_recent_cohorts_have_their_reviews_but_a_few_are_overdue(demo):
    from trainees.models import AfterActionReview
    from trainees.review_selectors import cohorts_with_review_overdue

    recent = AfterActionReview.objects.filter(filed_on__gt=DEMO_TODAY - dt.timedelta(days=60))
    assert recent.count() >= 5
    overdue = list(cohorts_with_review_overdue(on=DEMO_TODAY))
    assert 0 < len(overdue) < recent.count()
    assert all(review.feedback_total > 0 for review in recent)


@pytest.mark.django_db
def test_ukraines_ministry_gave_feedback_on_most_past_co_taught_cohorts(demo):
    from academies.models import Organisation
    from trainees.unit_feedback import MINIMUM_RATED, UnitFeedback
    from trainees.unit_feedback_selectors import unit_feedback_response_rates

    ministry = Organisation.objects.get(slug="mod-ua")
    feedback = UnitFeedback.objects.all()

    assert feedback.exists() and feedback.count() == feedback.filter(submitted_by_organisation=ministry).count()
    assert set(feedback.values_list("cohort", flat=True)) <= set(
        Cohort.objects.visible_to(ministry).values_list("pk", flat=True)
    )
    for row in feedback.select_related("cohort"):
        opens_on, closes_on = UnitFeedback.window_of(row.checkpoint, row.cohort.ends_on)
        assert opens_on <= row.submitted_at.date() <= min(closes_on, DEMO_TODAY)
        assert MINIMUM_RATED <= row.rated <= row.cohort.seats and 1 <= row.units_responding <= row.rated
    rates = {rate.checkpoint: rate for rate in unit_feedback_response_rates(ministry, today=DEMO_TODAY)}
    assert 0.5 < rates["week_4"].rate < 1 and 0.4 < rates["week_12"].rate < 1
