"""The daily decision digest: each verifier and approver hears once a day what awaits them, scoped, in their language."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from academies.models import Organisation
from config import clock
from mission.models import DecisionDigest
from mission.schedules import SCHEDULES
from mission.services import decision_digests_send, staff_language
from mission.tasks import send_decision_digests
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CountReturnFactory,
    OrganisationFactory,
    ReportSubscriptionFactory,
    command_organisation,
    staff_user,
)
from tests.mission.mail_text import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    call_command("setup_roles", verbosity=0)
    hq = OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    catc, stc = command_organisation("cat-c", "cat-c"), command_organisation("st-c", "st-c")

    today = clock.today()
    site_a = AcademyFactory(slug="site-a", command=catc.command, seat_capacity=500)
    site_b = AcademyFactory(slug="site-b", command=stc.command, seat_capacity=500)
    cohort_b = CohortFactory(reference="C-B", academy=site_b, starts_on=today - dt.timedelta(days=30), seats=50)
    # Two returns awaiting CAT-C's verification, on two cohorts (a cohort has one pending return at a time).
    for offset, reference in ((2, "C-A"), (3, "C-A2")):
        cohort = CohortFactory(reference=reference, academy=site_a, starts_on=today - dt.timedelta(days=30), seats=50)
        CountReturnFactory(cohort=cohort, as_of=today - dt.timedelta(days=offset), enrolled=40, completed=10)
    CountReturnFactory(cohort=cohort_b, as_of=today - dt.timedelta(days=4), enrolled=40, completed=10, state="verified")
    return {
        "hq_approver": staff_user("hq-approver", APPROVER, organisation=hq),
        "observer": staff_user("observer", OBSERVER, organisation=hq),
        "catc": staff_user("catc", COORDINATOR, organisation=catc),
        "stc": staff_user("stc", COORDINATOR, organisation=stc),
        "hq": hq,
    }


def _mail_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_each_verifier_and_approver_gets_one_digest_of_what_awaits_them(world):
    sent = decision_digests_send()

    assert set(sent) == {world["catc"].pk, world["hq_approver"].pk}
    (catc,) = _mail_to(world["catc"])
    assert catc.subject == "EUMAM: 2 count returns await your decision"
    assert "2 returns to verify" in catc.body and "C-A" in catc.body
    assert "C-B" not in catc.body and "C-B" not in catc.alternatives[0][0]  # another command's return
    (approver,) = _mail_to(world["hq_approver"])
    assert "1 return to approve" in approver.body and "C-B" in approver.body
    assert "?awaiting=approve" in approver.body
    assert not _mail_to(world["observer"]) and not _mail_to(world["stc"])


def test_the_digest_goes_out_at_most_once_a_day(world):
    # Nine in the morning of the frozen today, local time: two hours later is the same day at any hour the suite runs.
    now = dt.datetime.combine(clock.today(), dt.time(9), tzinfo=ZoneInfo(settings.TIME_ZONE))
    decision_digests_send(now=now)
    decision_digests_send(now=now + dt.timedelta(hours=2))

    assert len(_mail_to(world["catc"])) == 1
    assert DecisionDigest.objects.filter(user=world["catc"]).count() == 1

    decision_digests_send(now=now + dt.timedelta(days=1))
    assert len(_mail_to(world["catc"])) == 2


def test_a_failed_send_is_not_recorded_and_the_next_run_sends_it(world, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    assert decision_digests_send() == []
    assert not DecisionDigest.objects.exists()

    monkeypatch.undo()
    assert world["catc"].pk in decision_digests_send()
    assert DecisionDigest.objects.get(user=world["catc"]).sent_at is not None


def test_the_record_says_what_the_user_was_told(world):
    decision_digests_send()

    digest = DecisionDigest.objects.get(user=world["catc"])
    assert digest.waiting == {"verify": 2}
    assert digest.language == "en"
    assert digest.day == clock.today()


def _english_words(text: str) -> list[str]:
    # Data, not words: the mission's name, cohort references and links for machines.
    text = re.sub(r"https?://\S+", "", text)
    words = set(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))
    return sorted(words - {"EUMAM", "C-A", "C-B", "C"})


def test_a_user_who_chose_ukrainian_gets_a_ukrainian_digest_without_an_english_word(world):
    ReportSubscriptionFactory(organisation=world["hq"], staff_user=world["hq_approver"], language="uk", scope="mission")
    ReportSubscriptionFactory(organisation=world["hq"], staff_user=world["catc"], language="uk", scope="mission")
    assert staff_language(world["hq_approver"]) == "uk"

    decision_digests_send()

    (approver,) = _mail_to(world["hq_approver"])
    (catc,) = _mail_to(world["catc"])
    assert approver.subject == "EUMAM: 1 звіт про чисельність чекає на ваше рішення"
    assert catc.subject == "EUMAM: 2 звіти про чисельність чекають на ваше рішення"
    assert "2 звіти для перевірки" in catc.body
    for message in (approver, catc):
        for part in (message.subject, message.body, visible_text(message.alternatives[0][0])):
            assert _english_words(part) == [], part


def test_the_ukrainian_plural_forms_follow_the_count():
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("uk"):
        forms = [
            ngettext(
                "EUMAM: %(count)s count return awaits your decision",
                "EUMAM: %(count)s count returns await your decision",
                n,
            )
            % {"count": n}
            for n in (1, 3, 5, 11, 21)
        ]
    assert forms == [
        "EUMAM: 1 звіт про чисельність чекає на ваше рішення",
        "EUMAM: 3 звіти про чисельність чекають на ваше рішення",
        "EUMAM: 5 звітів про чисельність чекають на ваше рішення",
        "EUMAM: 11 звітів про чисельність чекають на ваше рішення",
        "EUMAM: 21 звіт про чисельність чекає на ваше рішення",
    ]


def test_the_digest_is_scheduled_daily_through_a_thin_task(world):
    (schedule,) = [s for s in SCHEDULES if s.task == "mission.tasks.send_decision_digests"]
    assert (schedule.minute, schedule.hour) == ("30", "7")

    assert send_decision_digests() == 2
    assert send_decision_digests() == 0
