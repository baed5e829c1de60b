"""The dispatch log's retry action calls `report_dispatch_retry`, for those who may change dispatches only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mission.models import ReportDispatch
from tests.factories import ReportSubscriptionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:mission_reportdispatch_changelist"


def _dispatch(state: str, key: str) -> ReportDispatch:
    sent_at = timezone.now() if state == ReportDispatch.State.SENT else None
    return ReportDispatch.objects.create(
        subscription=ReportSubscriptionFactory(), period_key=key, state=state, attempts=5, sent_at=sent_at
    )


def _retry(client, ids):
    data = {"action": "retry_dispatches", "_selected_action": ids, "index": 0}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_retrying_a_failed_dispatch_puts_it_back_in_the_queue(
    admin_client_for, superuser, django_capture_on_commit_callbacks
):
    failed = _dispatch(ReportDispatch.State.FAILED, "2026-W01")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _retry(admin_client_for(superuser), [failed.pk])

    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (ReportDispatch.State.PENDING, 0)
    assert len(callbacks) == 1  # the send is enqueued once the retry has committed
    assert "1 dispatch queued to be sent again." in [str(m) for m in response.context["messages"]]


def test_a_sent_dispatch_is_refused_with_the_services_message(admin_client_for, superuser):
    sent = _dispatch(ReportDispatch.State.SENT, "2026-W02")

    response = _retry(admin_client_for(superuser), [sent.pk])

    sent.refresh_from_db()
    assert sent.state == ReportDispatch.State.SENT
    messages = [str(m) for m in response.context["messages"]]
    assert any("Only a failed dispatch can be retried." in m for m in messages), messages


def test_a_viewer_without_change_permission_is_not_offered_the_retry(admin_client_for, observer):
    failed = _dispatch(ReportDispatch.State.FAILED, "2026-W03")
    client = admin_client_for(observer)

    page = client.get(reverse(CHANGELIST))
    _retry(client, [failed.pk])

    assert page.status_code == 200 and "retry_dispatches" not in page.content.decode()
    failed.refresh_from_db()
    assert failed.state == ReportDispatch.State.FAILED
