"""The public page of a report's signed link: manage or end a subscription, without a login.

`manage` answers the link itself. A GET shows the page and never changes anything (link scanners and previews
fetch it). A POST whose body is `List-Unsubscribe=One-Click` is RFC 8058's one-click unsubscribe, sent by the
mail client with no cookie: it needs no CSRF token, since the signed link alone is the authority and the only
thing it can do is stop mail. The page's own buttons post to `manage_change`, behind Django's CSRF check.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from config.exceptions import ApplicationError

from . import recipients, services
from .models import ReportSubscription


def _invalid(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "mission/subscription/link_invalid.html",
        {"expired": expired, "contact": recipients.contact_email()},
        status=410 if expired else 404,
    )


def _verified(request: HttpRequest, token: str) -> services.ManageLink | HttpResponse:
    try:
        link = services.manage_link_verify(token)
    except signing.SignatureExpired:
        return _invalid(request, expired=True)
    return link if link is not None else _invalid(request, expired=False)


def _page(request: HttpRequest, link: services.ManageLink, token: str, status: int = 200, **extra) -> HttpResponse:
    subscription = ReportSubscription.objects.select_related("nation", "command", "academy").get(
        pk=link.subscription_id
    )
    target = subscription.nation or subscription.command or subscription.academy
    context = {
        "subscription": subscription,
        "scope_label": str(target) if target else subscription.get_scope_display(),
        "token": token,
        "frequencies": ReportSubscription.Frequency.choices,
        "languages": ReportSubscription.Language.choices,
        "contact": recipients.contact_email(),
        "saved": request.GET.get("saved") == "1",
        **extra,
    }
    return render(request, "mission/subscription/manage.html", context, status=status)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, language: str, token: str) -> HttpResponse:
    with translation.override(language):
        link = _verified(request, token)
        if isinstance(link, HttpResponse):
            return link
        if request.method == "POST":
            if request.POST.get("List-Unsubscribe") != "One-Click":
                return _page(request, link, token, error=True, status=400)
            services.report_subscription_unsubscribe(link=link, via=services.UnsubscribeChannel.ONE_CLICK)
        return _page(request, link, token)


@never_cache
@require_POST
def manage_change(request: HttpRequest, language: str, token: str) -> HttpResponse:
    """The page's buttons: unsubscribe, subscribe again, or change language and frequency."""
    with translation.override(language):
        link = _verified(request, token)
        if isinstance(link, HttpResponse):
            return link
        action = request.POST.get("action")
        try:
            if action == "unsubscribe":
                services.report_subscription_unsubscribe(link=link, via=services.UnsubscribeChannel.MANAGE_PAGE)
            elif action == "resubscribe":
                services.report_subscription_resubscribe(link=link)
            elif action == "preferences" and _valid_preferences(request):
                language = request.POST["language"]
                services.report_subscription_preferences_change(
                    link=link, language=language, frequency=request.POST["frequency"]
                )
            else:
                return _page(request, link, token, error=True, status=400)
        except ApplicationError as error:
            return _page(request, link, token, refusal=error.message, status=409)
    url = reverse("report-subscription-manage", kwargs={"language": language, "token": token})
    return HttpResponseRedirect(f"{url}?saved=1", status=303)


def _valid_preferences(request: HttpRequest) -> bool:
    return (
        request.POST.get("language") in ReportSubscription.Language.values
        and request.POST.get("frequency") in ReportSubscription.Frequency.values
    )
