"""The staff safeguards' pages: enrol an authenticator, pass the second factor, change the password (P7.7)."""

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import user_has_device

from groupket.accounts.forms.password import PasswordChangeForm
from groupket.accounts.services.passwords import PasswordRefused
from groupket.core.redirects import next_on_this_site
from groupket.staff.forms.safeguards import AuthenticatorCodeForm, VerificationForm
from groupket.staff.models import Authenticator
from groupket.staff.permissions import safeguard_redirect, staff_view
from groupket.staff.services import safeguards


def _posted(request: HttpRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


def _wrong_code() -> str:
    return _("That code is not right. Check that the time on your phone is correct, then type the code shown now.")


def _wait_a_moment() -> str:
    return _("Too many tries in a row: wait a few seconds, then type the code shown now.")


def qr_code_svg(device: Authenticator) -> SafeString:
    """The setup QR code drawn here as inline SVG, so the secret never goes to another site."""
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=4, light="#fff"))  # noqa: S308


def grouped_secret(device: Authenticator) -> str:
    secret = device.secret_base32
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@staff_view(safeguards=False)
def enrol(request: HttpRequest) -> HttpResponse:
    try:
        device = safeguards.start_enrolment(staff=request.user)
    except safeguards.EnrolmentRefused:
        return _already_enrolled(request)
    form = AuthenticatorCodeForm(_posted(request))
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        try:
            codes = safeguards.confirm_enrolment(request=request, staff=request.user, code=form.cleaned_data["code"])
        except safeguards.EnrolmentRefused:
            return _already_enrolled(request)
        except safeguards.TryShortlyAgain:
            form.add_error("code", _wait_a_moment())
            status = 429
        except safeguards.WrongCode:
            form.add_error("code", _wrong_code())
        else:
            # Shown in this response only: the codes are never displayed again.
            return render(request, "staff/enrol.html", {"backup_codes": codes})
    context = {"form": form, "qr_code": qr_code_svg(device), "secret": grouped_secret(device)}
    return render(request, "staff/enrol.html", context, status=status)


def _already_enrolled(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your authenticator is already set up."))
    return redirect("staff:home")


@never_cache
@staff_view(safeguards=False)
def verify(request: HttpRequest) -> HttpResponse:
    target = next_on_this_site(request) or reverse("staff:home")
    if not user_has_device(request.user, confirmed=True):
        return redirect("staff:enrol")
    if request.user.is_verified():
        return redirect(target)
    form = VerificationForm(_posted(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            status = _attempt_verification(request, form)
            if status == 302:
                return redirect(target)
    return render(request, "staff/verify.html", {"form": form, "next": next_on_this_site(request)}, status=status)


def _attempt_verification(request: HttpRequest, form: forms.Form) -> int:
    """Check the code; the status to answer with (302 when it passed), the reason added to the form."""
    try:
        safeguards.verify_second_factor(request=request, staff=request.user, code=form.cleaned_data["code"])
    except safeguards.VerificationLocked:
        form.add_error(
            None,
            _(
                "Too many wrong codes. Verification is paused for 15 minutes. If you have lost your authenticator, "
                "use a backup code after the pause, or tell the privacy officer."
            ),
        )
        return 429
    except safeguards.TryShortlyAgain:
        form.add_error("code", _wait_a_moment())
        return 429
    except safeguards.WrongCode:
        form.add_error("code", _wrong_code())
        return 400
    return 302


@never_cache
@staff_view(safeguards=False)
def change_password(request: HttpRequest) -> HttpResponse:
    # The second factor comes first even here: a password alone must not be able to replace itself.
    step = safeguard_redirect(request, password=False)
    if step is not None:
        return step
    form = PasswordChangeForm(request.user, _posted(request))
    status = (429 if form.paused() else 400) if form.is_bound else 200
    if form.is_bound and form.is_valid():
        try:
            safeguards.change_staff_password(
                request=request, staff=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except PasswordRefused as refused:
            for reason in refused.reasons:
                form.add_error("new_password1", reason)
        else:
            messages.success(
                request, _("Your password is changed. You stay signed in here; every other browser is signed out.")
            )
            return redirect("staff:home")
    context = {
        "form": form,
        "expired": safeguards.password_expired(request.user),
        "days": settings.GROUPKET_STAFF_PASSWORD_DAYS,
    }
    return render(request, "staff/password.html", context, status=status)
