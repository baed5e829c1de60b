"""Recipients in control: the signed manage link, one-click unsubscribe (RFC 8058), Reply-To, the scope bound of a
subscription tied to a staff user, and the PDF copy."""

import datetime as dt
import re
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client

from config import clock
from mission import recipients
from mission.models import ProgressReport, ReportDispatch, ReportSubscription
from mission.services import DeliveryOutcome, progress_report_deliver
from tests.factories import OrganisationFactory, ReportSubscriptionFactory, StaffMembershipFactory, UserFactory
from tests.mission.pdf_text import pdf_text
from tests.mission.reports_scenario import build_scenario

pytestmark = pytest.mark.django_db

# The weekly report sent on Wednesday 1 April 2026 covers 25 to 31 March (see reports_scenario).
WEEK_KEY = "2026-W14"
CONTACT = "reports-desk@example.eu"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.PUBLIC_URL = "https://logistics.example.eu"
    settings.REPORTS_CONTACT_EMAIL = CONTACT


def _subscription(**extra):
    defaults = {"frequency": "weekly", "weekday": 2, "name": "Leadership weekly"}
    return ReportSubscriptionFactory(**{**defaults, **extra})


def _send(subscription):
    outcome = progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    return outcome, mail.outbox[-1] if mail.outbox else None


def _manage_path(subscription, language=None):
    return recipients.manage_url(subscription, language).removeprefix("https://logistics.example.eu")


# THE LINK AND THE HEADERS


def test_a_report_carries_one_click_unsubscribe_headers_and_a_reply_to_contact():
    build_scenario()
    subscription = _subscription()
    _outcome, message = _send(subscription)
    parsed = message_from_bytes(message.message().as_bytes())
    https, mailto = [target.strip().strip("<>") for target in parsed["List-Unsubscribe"].split(",")]
    assert https.startswith("https://logistics.example.eu/reports/en/subscription/")
    assert mailto == f"mailto:{CONTACT}?subject=unsubscribe%20{subscription.pk}"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Reply-To"] == CONTACT
    # The same link is in the footer of both parts, with the contact.
    html = message.alternatives[0].content
    assert f'href="{https}"' in html and https in message.body
    assert CONTACT in html and CONTACT in message.body


def test_without_a_contact_the_header_names_only_the_link_and_there_is_no_reply_to(settings):
    settings.REPORTS_CONTACT_EMAIL = ""
    build_scenario()
    _outcome, message = _send(_subscription())
    parsed = message_from_bytes(message.message().as_bytes())
    assert "mailto:" not in parsed["List-Unsubscribe"] and parsed["Reply-To"] is None


def test_the_footer_of_a_ukrainian_report_is_in_ukrainian():
    build_scenario()
    _outcome, message = _send(_subscription(language="uk"))
    footer = message.body.rsplit("«", 1)[-1]
    assert "Керувати підпискою або відписатися" in footer
    assert not re.search(r"\b(Manage|unsubscribe|Questions|reply)\b", footer)


def test_a_milestone_alert_carries_the_same_headers():
    from mission.services import milestone_alert_deliver
    from tests.factories import MilestoneFactory

    subscription = _subscription()
    milestone = MilestoneFactory(value=1, first_reached_on=clock.today())
    assert milestone_alert_deliver(subscription_id=subscription.pk, milestone_id=milestone.pk) == "sent"
    parsed = message_from_bytes(mail.outbox[0].message().as_bytes())
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and parsed["Reply-To"] == CONTACT


# ONE-CLICK UNSUBSCRIBE AND THE PAGE


def test_the_one_click_post_unsubscribes_without_csrf_token_or_login_and_records_it():
    subscription = _subscription()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _manage_path(subscription), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.is_active is False
    assert subscription.unsubscribed_via == "one_click"
    assert abs(subscription.unsubscribed_at - clock.now()) < dt.timedelta(minutes=1)
    # A deactivation, never a deletion, and its history says why.
    latest = subscription.history.first()
    assert latest.history_change_reason == "unsubscribed by a recipient (one_click)"
    # No more reports.
    assert progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY) == DeliveryOutcome.INACTIVE
    assert mail.outbox == []


def test_a_repeated_one_click_post_keeps_the_first_record():
    subscription = _subscription()
    client = Client()
    body = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}
    client.post(_manage_path(subscription), **body)
    first = ReportSubscription.objects.get(pk=subscription.pk).unsubscribed_at
    assert client.post(_manage_path(subscription), **body).status_code == 200
    assert ReportSubscription.objects.get(pk=subscription.pk).unsubscribed_at == first


def test_a_get_of_the_link_shows_the_page_and_unsubscribes_no_one():
    subscription = _subscription(language="uk")
    response = Client().get(_manage_path(subscription))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ваша підписка на звіти" in page and "Відписатися" in page
    subscription.refresh_from_db()
    assert subscription.is_active is True and subscription.unsubscribed_at is None


def test_a_post_to_the_link_without_the_one_click_body_changes_nothing():
    subscription = _subscription()
    response = Client().post(_manage_path(subscription), data={"action": "unsubscribe"})
    assert response.status_code == 400
    assert ReportSubscription.objects.get(pk=subscription.pk).is_active is True


def test_the_page_buttons_need_the_csrf_token():
    subscription = _subscription()
    change = _manage_path(subscription) + "change/"
    assert Client(enforce_csrf_checks=True).post(change, {"action": "unsubscribe"}).status_code == 403
    assert ReportSubscription.objects.get(pk=subscription.pk).is_active is True


def test_the_page_unsubscribes_and_subscribes_again():
    subscription = _subscription()
    client = Client()
    change = _manage_path(subscription) + "change/"
    response = client.post(change, {"action": "unsubscribe"})
    assert response.status_code == 303 and response["Location"].endswith("?saved=1")
    subscription.refresh_from_db()
    assert (subscription.is_active, subscription.unsubscribed_via) == (False, "manage_page")
    assert "Unsubscribed on" in client.get(response["Location"]).content.decode()
    client.post(change, {"action": "resubscribe"})
    subscription.refresh_from_db()
    assert (subscription.is_active, subscription.unsubscribed_at) == (True, None)


def test_a_subscription_staff_turned_off_is_not_turned_on_by_its_link():
    subscription = _subscription(is_active=False)
    response = Client().post(_manage_path(subscription) + "change/", {"action": "resubscribe"})
    assert response.status_code == 409 and "coordinators" in response.content.decode()
    assert ReportSubscription.objects.get(pk=subscription.pk).is_active is False


def test_the_page_changes_language_and_frequency_and_answers_in_the_new_language():
    subscription = _subscription(frequency="daily", weekday=None)
    client = Client()
    response = client.post(
        _manage_path(subscription) + "change/", {"action": "preferences", "language": "uk", "frequency": "monthly"}
    )
    assert response.status_code == 303 and "/reports/uk/subscription/" in response["Location"]
    subscription.refresh_from_db()
    assert (subscription.language, subscription.frequency, subscription.day_of_month) == ("uk", "monthly", 1)
    assert "Зміни збережено." in client.get(response["Location"]).content.decode()


def test_the_page_refuses_a_language_or_frequency_it_does_not_offer():
    subscription = _subscription()
    response = Client().post(
        _manage_path(subscription) + "change/", {"action": "preferences", "language": "fr", "frequency": "weekly"}
    )
    assert response.status_code == 400
    assert ReportSubscription.objects.get(pk=subscription.pk).language == "en"


# BROKEN LINKS: A CLEAR PAGE IN THE RECIPIENT'S LANGUAGE, NEVER A 500


def test_a_tampered_link_answers_a_clear_page_in_the_links_language():
    subscription = _subscription(language="uk")
    token = recipients.manage_token(subscription)
    # Another subscription's id with this one's signature.
    other = ReportSubscriptionFactory()
    forged = signing.dumps({"subscription": other.pk}, salt="another purpose")
    for bad in (token[:-3] + "abc", forged, "not-a-token"):
        response = Client().get(f"/reports/uk/subscription/{bad}/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "Це посилання недійсне" in page and CONTACT in page
        assert "link" not in page.lower().replace('lang="uk"', "")
    assert (
        Client()
        .post(
            f"/reports/en/subscription/{token[:-3]}abc/",
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        .status_code
        == 404
    )
    assert ReportSubscription.objects.get(pk=subscription.pk).is_active is True


def test_a_link_to_a_subscription_that_is_gone_answers_as_a_forged_one():
    subscription = _subscription()
    path = _manage_path(subscription)
    subscription.delete()
    response = Client().get(path)
    assert response.status_code == 404 and "This link is not valid" in response.content.decode()


def test_an_expired_link_answers_a_clear_page_and_unsubscribes_no_one(settings):
    subscription = _subscription()
    path = _manage_path(subscription)
    later = clock.now() + dt.timedelta(days=settings.REPORT_LINK_MAX_AGE_DAYS + 1)
    with time_machine.travel(later, tick=False):
        response = Client().post(
            path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        english = response.content.decode()
        ukrainian = Client().get(path.replace("/en/", "/uk/")).content.decode()
    assert response.status_code == 410
    assert "This link has expired" in english and "Термін дії цього посилання минув" in ukrainian
    assert ReportSubscription.objects.get(pk=subscription.pk).is_active is True


# THE SCOPE BOUND OF A STAFF USER


@pytest.fixture
def scenario():
    return build_scenario()


def _staff_user(organisation, **extra):
    user = UserFactory(is_staff=True, **extra)
    StaffMembershipFactory(user=user, organisation=organisation)
    return type(user).objects.get(pk=user.pk)


def _official(subscription):
    progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    report = ProgressReport.objects.get(subscription=subscription)
    return report.figures["scope"]["kind"], report.figures["official"]["trained"]


def test_a_mission_wide_subscription_tied_to_a_command_coordinator_reports_that_command_only(scenario):
    catc = OrganisationFactory(kind="training_command", command=scenario.command_cat)
    subscription = _subscription(staff_user=_staff_user(catc))
    # Site PL (CAT-C): C1 90 + C3 3. Site DE (ST-C, 40) is left out of the mission's 133.
    assert _official(subscription) == ("command", 93)
    breakdown = ProgressReport.objects.get().figures["breakdowns"]["academy"]
    assert [row["key"] for row in breakdown] == ["site-pl"]


def test_a_subscription_tied_to_a_mission_hq_user_keeps_its_scope(scenario):
    subscription = _subscription(staff_user=_staff_user(OrganisationFactory(kind="mission_hq")))
    assert _official(subscription) == ("mission", 133)


def test_a_site_inside_the_users_command_stays_that_site_and_one_outside_becomes_the_command(scenario):
    catc = OrganisationFactory(kind="training_command", command=scenario.command_cat)
    user = _staff_user(catc)
    inside = _subscription(scope="academy", academy=scenario.site_pl, staff_user=user)
    outside = _subscription(scope="academy", academy=scenario.site_de, staff_user=user)
    assert _official(inside) == ("academy", 93)
    # ST-C's site is not CAT-C's to read: the report covers CAT-C, never Site DE's 40.
    assert _official(outside) == ("command", 93)


def test_a_nation_subscription_tied_to_a_ministry_of_another_nation_reports_the_ministrys_nation(scenario):
    ministry = OrganisationFactory(kind="ministry", nation=scenario.nation_de)
    subscription = _subscription(scope="nation", nation=scenario.nation_pl, staff_user=_staff_user(ministry))
    assert _official(subscription) == ("nation", 40)


def test_a_deactivated_or_unaffiliated_staff_user_receives_no_report(scenario):
    catc = OrganisationFactory(kind="training_command", command=scenario.command_cat)
    deactivated = _subscription(staff_user=_staff_user(catc, is_active=False))
    unaffiliated = _subscription(staff_user=UserFactory(is_staff=True))
    for subscription in (deactivated, unaffiliated):
        assert progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY) == "no_scope"
    assert mail.outbox == [] and not ReportDispatch.objects.exists() and not ProgressReport.objects.exists()


# THE PDF COPY


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Progress report: EUMAM Ukraine", "Official total trained: 133", "Pace and forecast"]),
        ("uk", ["Звіт про хід підготовки: EUMAM Україна", "Офіційно підготовлено: 133", "Темп і прогноз"]),
    ],
)
def test_the_pdf_copy_is_attached_parses_and_states_the_total(scenario, language, expected):
    _outcome, message = _send(_subscription(attach_pdf=True, language=language))
    parsed = message_from_bytes(message.message().as_bytes())
    (part,) = [part for part in parsed.walk() if part.get_content_type() == "application/pdf"]
    assert part.get_filename() == "eumam-progress-2026-03-31.pdf"
    data = part.get_payload(decode=True)
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert b"/Subtype /Image" in data  # the chart
    assert f"/Lang ({language})".encode() in data
    text = " ".join(pdf_text(data).split())
    for phrase in expected:
        assert phrase in text
    # The per-recipient footer (the manage link) stays out of a copy made to be forwarded.
    assert "/reports/" not in text


def test_no_pdf_unless_the_subscription_asks_for_one(scenario):
    _outcome, message = _send(_subscription())
    parsed = message_from_bytes(message.message().as_bytes())
    assert "application/pdf" not in {part.get_content_type() for part in parsed.walk()}


def _visible_words(html: str) -> list[str]:
    """Latin words a reader sees: the text outside tags, less the contact address and the mission's acronym."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text).replace(CONTACT, " ").replace("EUMAM", " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_the_ukrainian_pages_hold_no_english_word_of_ours(settings):
    subscription = _subscription(language="uk", name="Щотижневий звіт штабу")
    client = Client()
    pages = [client.get(_manage_path(subscription)).content.decode()]
    client.post(_manage_path(subscription) + "change/", {"action": "unsubscribe"})
    pages.append(client.get(_manage_path(subscription) + "?saved=1").content.decode())
    pages.append(client.get("/reports/uk/subscription/forged/").content.decode())
    later = clock.now() + dt.timedelta(days=settings.REPORT_LINK_MAX_AGE_DAYS + 1)
    with time_machine.travel(later, tick=False):
        pages.append(client.get(_manage_path(subscription)).content.decode())
    for html in pages:
        assert 'lang="uk"' in html
        assert _visible_words(html) == []
