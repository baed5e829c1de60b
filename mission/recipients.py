"""Recipients in control of their reports: the signed manage link, the List-Unsubscribe headers and the contact.

A report's link carries the subscription's id signed with the project's secret key and a salt of its own
(Django's signing, with a timestamp), so it needs no token stored in the database and cannot be forged or
turned into another subscription's link. Holding a valid link is the authority to unsubscribe or to change
language and frequency: the recipients are not staff and have no login. The link expires after
REPORT_LINK_MAX_AGE_DAYS; the page then says so and names the contact.

RFC 8058 one-click unsubscribe: `List-Unsubscribe` names the https link (and a mailto of the contact, when one is
set) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` tells the mail client it may POST that body to the
link, with no cookie, no CSRF token and no login. A GET (a link scanner, a preview) never unsubscribes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import reverse

MANAGE_LINK_SALT = "mission.report-subscription.manage-link"
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def manage_link_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.REPORT_LINK_MAX_AGE_DAYS)


def manage_token(subscription: Any) -> str:
    return signing.dumps({"subscription": subscription.pk}, salt=MANAGE_LINK_SALT)


def manage_token_read(token: str) -> int:
    """The subscription id a token was signed for. Raises `signing.SignatureExpired` for an expired token and
    `signing.BadSignature` for a tampered or malformed one."""
    payload = signing.loads(token, salt=MANAGE_LINK_SALT, max_age=manage_link_max_age())
    if not isinstance(payload, dict) or not isinstance(payload.get("subscription"), int):
        raise signing.BadSignature("The token does not name a subscription.")
    return payload["subscription"]


def manage_url(subscription: Any, language: str | None = None) -> str:
    """The absolute link to the subscription's manage page, in the subscription's language."""
    path = reverse(
        "report-subscription-manage",
        kwargs={"language": language or subscription.language, "token": manage_token(subscription)},
    )
    return f"{settings.PUBLIC_URL}{path}"


def contact_email() -> str:
    return settings.REPORTS_CONTACT_EMAIL


def list_headers(subscription: Any, url: str) -> dict[str, str]:
    """The one-click unsubscribe headers (RFC 2369, RFC 8058) of a message whose footer links to `url`."""
    targets = [f"<{url}>"]
    contact = contact_email()
    if contact:
        subject = quote(f"unsubscribe {subscription.pk}")
        targets.append(f"<mailto:{contact}?subject={subject}>")
    return {"List-Unsubscribe": ", ".join(targets), "List-Unsubscribe-Post": ONE_CLICK_BODY}


def footer_context(subscription: Any) -> dict[str, str]:
    """What the mail's footer include (`mission/email/_recipient_controls.*`) shows."""
    return {"manage_url": manage_url(subscription), "contact": contact_email()}


def apply_to_message(message: Any, subscription: Any, controls: dict[str, str]) -> Any:
    """Add the List-Unsubscribe headers and the Reply-To contact to an outgoing e-mail, with the same link as
    its footer (`controls`, from `footer_context`): a signed link carries its time, so it is made once."""
    message.extra_headers.update(list_headers(subscription, controls["manage_url"]))
    contact = contact_email()
    if contact:
        message.reply_to = [contact]
    return message
