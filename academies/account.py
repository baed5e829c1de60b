"""Self-service second factor for a logged-in staff user, at /account/second-factor/.

Add an authenticator app (the otpauth:// URI and its QR code, drawn here as inline SVG, then a first code to
confirm it), register a passkey, and generate recovery codes (shown once). The pages look like the admin and sit
behind the same rule as the admin: a staff session that passed its second factor (`config.otp`).
"""

from __future__ import annotations

from functools import wraps

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.otp import second_factor_satisfied

from .staff import recovery_codes_left, recovery_codes_regenerate, totp_device_confirm, totp_device_create, totp_uri


class FirstCodeForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("The 6-digit code your app shows now"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def staff_verified(view):
    """Only a logged-in staff user whose session passed its second factor (the admin's own rule)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff and second_factor_satisfied(request)):
            return redirect_to_login(request.get_full_path(), "admin:login")
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _context(request, **extra):
    return {**admin.site.each_context(request), **extra}


def qr_code_svg(data: str) -> str:
    """A QR code as an inline <svg> element: drawn on the server, so the page loads nothing and runs no script."""
    return segno.make(data, error="m").svg_inline(scale=5, border=2, title=_("QR code for your authenticator app"))


@staff_verified
def second_factor(request):
    user = request.user
    return render(
        request,
        "account/second_factor.html",
        _context(
            request,
            title=_("Second factor"),
            authenticators=TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"),
            recovery_codes_left=recovery_codes_left(user=user),
            passkeys=_passkeys_of(user),
        ),
    )


@require_POST
@staff_verified
def totp_add(request):
    device = totp_device_create(user=request.user, confirmed=False)
    return redirect("account:totp-confirm", device_id=device.pk)


@require_http_methods(["GET", "POST"])
@staff_verified
def totp_confirm(request, device_id: int):
    device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    if device is None:
        raise Http404
    form = FirstCodeForm(request.POST or None)
    if form.is_valid():
        if totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(
                request,
                _("Your authenticator app is set up. Generate recovery codes now, in case you lose the device."),
            )
            return redirect("account:second-factor")
        form.add_error("token", _("That code does not match. Check the time on your device and try again."))
    uri = totp_uri(device)
    return render(
        request,
        "account/totp_confirm.html",
        _context(
            request,
            title=_("Add an authenticator app"),
            form=form,
            otpauth_uri=uri,
            qr_code=mark_safe(qr_code_svg(uri)),  # segno escapes the title; the URI is only encoded in the image
        ),
    )


@require_POST
@staff_verified
def recovery_codes(request) -> HttpResponse:
    codes = recovery_codes_regenerate(user=request.user)
    return render(
        request, "account/recovery_codes.html", _context(request, title=_("Your recovery codes"), codes=codes)
    )


def _passkeys_of(user) -> list:
    from django_otp_webauthn.models import WebAuthnCredential

    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"))


app_name = "account"
urlpatterns = [
    path("second-factor/", second_factor, name="second-factor"),
    path("second-factor/authenticator/", totp_add, name="totp-add"),
    path("second-factor/authenticator/<int:device_id>/", totp_confirm, name="totp-confirm"),
    path("second-factor/recovery-codes/", recovery_codes, name="recovery-codes"),
]
