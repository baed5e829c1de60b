"""The daily decision digest: each verifier and approver hears, once a day, which count returns await them.

What awaits a user is `trainees.selectors.count_returns_awaiting_decision`, the same query as the dashboard's
"awaiting you", so the mail is scoped exactly as the admin is. The mail names cohorts by their reference and
sites by name: no person appears in it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from academies.scope import Actor
from config import clock

from ..models import DecisionDigest, ReportSubscription
from ..schedules import local_now

logger = logging.getLogger(__name__)

DECISION_PERMISSIONS = ("verify_countreturn", "approve_countreturn")
# The mail lists this many of the oldest returns of each step; the link opens the whole list.
DIGEST_LIST_LIMIT = 10


def staff_language(user) -> str:
    """A staff account's language: that of a report subscription tied to it, else the mission's default.

    The staff membership records no language; a subscription tied to the account is where its holder chose one."""
    chosen = (
        ReportSubscription.objects.filter(staff_user=user, is_active=True)
        .order_by("-updated_at")
        .values_list("language", flat=True)
        .first()
    )
    return chosen or settings.LANGUAGE_CODE.split("-")[0]


def decision_digest_candidates():
    """Active staff accounts of an organisation whose role holds a decision permission, with an address."""
    holds = Q(groups__permissions__codename__in=DECISION_PERMISSIONS) | Q(
        user_permissions__codename__in=DECISION_PERMISSIONS
    )
    return (
        get_user_model()
        .objects.filter(holds, is_active=True, is_staff=True, staff_membership__isnull=False)
        .exclude(email="")
        .select_related("staff_membership__organisation")
        .distinct()
        .order_by("pk")
    )


def _digest_message(user, waiting, *, language: str, now: dt.datetime) -> EmailMultiAlternatives:
    with translation.override(language):
        total = sum(item.count for item in waiting)
        subject = ngettext(
            "EUMAM: %(count)s count return awaits your decision",
            "EUMAM: %(count)s count returns await your decision",
            total,
        ) % {"count": total}
        changelist = settings.PUBLIC_URL + reverse("admin:trainees_countreturn_changelist")
        context = {
            "organisation": user.staff_membership.organisation,
            "steps": [
                {
                    "item": item,
                    "link": f"{changelist}?awaiting={item.step}",
                    "headline": _step_headline(item.step, item.count),
                    "age": ngettext(
                        "the oldest has waited %(counter)s day",
                        "the oldest has waited %(counter)s days",
                        item.oldest_days,
                    )
                    % {"counter": item.oldest_days},
                }
                for item in waiting
            ],
            "as_of": local_now(now).date(),
        }
        text = render_to_string("mission/email/decision_digest.txt", context)
        html = render_to_string("mission/email/decision_digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def _step_headline(step: str, count: int) -> str:
    if step == "verify":
        return ngettext("%(counter)s return to verify", "%(counter)s returns to verify", count) % {"counter": count}
    return ngettext("%(counter)s return to approve", "%(counter)s returns to approve", count) % {"counter": count}


def decision_digest_send(*, user_id: int, now: dt.datetime | None = None) -> bool:
    """Send one user today's digest if anything awaits them and none went out today. True if a mail was sent.

    The day's row is locked while the mail goes out, so two runs never both send; a failed send rolls the row
    back, and the next run tries again the same day."""
    now = now or clock.now()
    day = local_now(now).date()
    user = decision_digest_candidates().filter(pk=user_id).first()
    if user is None:
        return False
    waiting = _awaiting(user, now)
    if not waiting:
        return False
    language = staff_language(user)
    with transaction.atomic():
        digest, _created = DecisionDigest.objects.select_for_update().get_or_create(
            user=user, day=day, defaults={"language": language}
        )
        if digest.sent_at is not None:
            return False
        _digest_message(user, waiting, language=language, now=now).send(fail_silently=False)
        digest.language = language
        digest.waiting = {item.step: item.count for item in waiting}
        digest.sent_at = now
        digest.full_clean()
        digest.save()
    return True


def _awaiting(user, now: dt.datetime):
    from trainees.selectors import count_returns_awaiting_decision

    return count_returns_awaiting_decision(actor=Actor.for_user(user), now=now, with_oldest=DIGEST_LIST_LIMIT)


def decision_digests_send(*, now: dt.datetime | None = None) -> list[int]:
    """The daily run: every verifier and approver with returns waiting gets their digest (at most once a day).
    One user's failed mail does not stop the others'; it is logged and tried again on the next run."""
    now = now or clock.now()
    sent = []
    for user_id in decision_digest_candidates().values_list("pk", flat=True):
        try:
            if decision_digest_send(user_id=user_id, now=now):
                sent.append(user_id)
        except Exception:
            logger.exception("decision digest to user %s failed", user_id)
    return sent
