"""After-action reviews and lessons learnt in the admin (issue 18): filing a review on its form, the dashboard's
overdue reviews and open lessons in the reader's scope, and a lesson decided by an action through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from academies.management.commands.setup_roles import COORDINATOR
from academies.scope import SYSTEM
from config import clock
from mission.lessons import Lesson
from mission.services import lesson_analyse, lesson_record
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    TrainingCommandFactory,
    command_organisation,
    lead_instructor_of,
    staff_user,
)
from trainees.models import AfterActionReview
from trainees.reviews import REVIEW_DUE_DAYS, RatingDimension

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(roles, hq):
    today = clock.today()
    catc = command_organisation("cat-c", "catc")
    course = CourseFactory(code="drone-ops")
    ended = today - dt.timedelta(days=REVIEW_DUE_DAYS + 5)
    start = ended - dt.timedelta(days=30)
    ours = CohortFactory(
        reference="C-OURS", course=course, academy=AcademyFactory(command=catc.command), starts_on=start, ends_on=ended
    )
    CohortFactory(
        reference="C-THEIRS",
        course=course,
        academy=AcademyFactory(command=TrainingCommandFactory(code="st-c")),
        starts_on=start,
        ends_on=ended,
    )
    lead = lead_instructor_of(ours)
    return {
        "today": today,
        "course": course,
        "ours": ours,
        "lead": lead,
        "catc_coordinator": staff_user("catc-coord", roles[COORDINATOR], organisation=catc),
    }


def test_a_coordinator_files_the_review_of_its_cohort_on_the_admin_form(admin_client_for, world):
    client = admin_client_for(world["catc_coordinator"])
    form = {
        "cohort": world["ours"].pk,
        "lead_instructor": world["lead"].pk,
        "liaison_reference": "UA-LIAISON-03",
        "recommendations": "More FPV drone hours.",
        "issues": ["syllabus_gap", "weather"],
        **{f"feedback_rated_{value}": count for value, count in ((1, 0), (2, 1), (3, 4), (4, 30), (5, 20))},
        **{f"rating_{dimension.value}": "4" for dimension in RatingDimension},
    }
    response = client.post(reverse("admin:trainees_afteractionreview_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    review = AfterActionReview.objects.get(cohort=world["ours"])
    assert review.filed_by == world["catc_coordinator"]
    assert sorted(review.issues.values_list("tag", flat=True)) == ["syllabus_gap", "weather"]
    assert review.ratings.count() == len(RatingDimension)
    assert review.feedback_total == 55
    # A second review of the same cohort is refused on the form, by the service's rule.
    response = client.post(reverse("admin:trainees_afteractionreview_add"), form)
    assert response.status_code == 200
    assert "already has an after-action review" in response.content.decode()


def test_the_dashboard_lists_overdue_reviews_and_open_lessons_in_the_readers_scope(admin_client_for, world):
    lesson_record(
        actor=SYSTEM,
        course=world["course"],
        title="FPV drones",
        observation="observed",
        owner=world["catc_coordinator"],
        due_on=world["today"] + dt.timedelta(days=10),
    )
    html = admin_client_for(world["catc_coordinator"]).get("/admin/").content.decode()
    overdue = html.split('id="overdue-reviews"')[1].split("</section>")[0]
    assert "C-OURS" in overdue and "C-THEIRS" not in overdue
    lessons = html.split('id="open-lessons"')[1].split("</section>")[0]
    assert "drone-ops" in lessons or str(world["course"]) in lessons


def test_an_approver_rejects_a_lesson_with_a_reason_through_the_action(admin_client_for, hq_approver, world):
    lesson = lesson_record(
        actor=SYSTEM,
        course=world["course"],
        title="Interpreters",
        observation="observed",
        owner=hq_approver,
        due_on=world["today"],
    )
    lesson_analyse(actor=SYSTEM, lesson=lesson, analysis="A staffing matter.")
    client = admin_client_for(hq_approver)
    url = reverse("admin:mission_lesson_changelist")
    page = client.post(url, {"action": "reject_lessons", "_selected_action": [lesson.pk]})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    client.post(url, {"action": "reject_lessons", "_selected_action": [lesson.pk], "apply": "1", "reason": "Sites."})
    lesson.refresh_from_db()
    assert lesson.state == Lesson.State.REJECTED and lesson.decision_reason == "Sites."
