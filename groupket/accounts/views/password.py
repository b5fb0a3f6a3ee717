"""Change a password, reset a forgotten one by email, and the reminder to change an old one (P7.1, P7.9)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groupket.accounts.forms.password import NewPasswordForm, PasswordChangeForm, PasswordResetRequestForm
from groupket.accounts.links import EmailedLink
from groupket.accounts.services import passwords
from groupket.accounts.services.sessions import client_ip
from groupket.accounts.views.login import safe_next
from groupket.core.throttling import TooManyAttempts

# The link's token moves into the session and the browser is sent on to ".../set-password/" (accounts.links),
# so the token does not stay in the address bar, the history or a Referer header.
RESET_LINK = EmailedLink("groupket_reset_token", "accounts:password_reset_confirm", "set-password")


def _posted(request: HttpRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _set_unless_refused(form: forms.Form, set_password: Callable[..., object], **kwargs: object) -> bool:
    """Set the form's new password; False, with the reasons on the form, when a password policy refused it."""
    try:
        set_password(new_password=form.cleaned_data["new_password1"], **kwargs)
    except passwords.PasswordRefused as refused:
        for reason in refused.reasons:
            form.add_error("new_password1", reason)
        return False
    return True


@login_required
def change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, _posted(request))
    changed = (
        form.is_bound
        and form.is_valid()
        and _set_unless_refused(form, passwords.change_password, request=request, member=request.user)
    )
    if changed:
        messages.success(
            request, _("Your password is changed. You stay signed in here; every other browser is signed out.")
        )
        return redirect("accounts:me")
    status = 429 if form.paused() else _status(form)
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@login_required
@require_POST
def snooze_reminder(request: HttpRequest) -> HttpResponse:
    passwords.snooze_password_reminder(member=request.user)
    messages.success(request, _("We will remind you again in 30 days."))
    return redirect(safe_next(request))


def reset_request(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(_posted(request))
    status = _status(form)
    if form.is_bound and form.is_valid():
        try:
            passwords.request_password_reset(email=form.cleaned_data["email"], ip=client_ip(request))
        except TooManyAttempts:
            form.add_error(None, too_many_mail_requests_message())
            status = 429
        else:
            # The same page whether or not the address belongs to a member (no account enumeration).
            return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


def too_many_mail_requests_message() -> str:
    return _("Too many requests were sent from here in the last hour. Try again later.")


def reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if token != RESET_LINK.placeholder:
        if passwords.member_for_reset_token(token) is None:
            return _invalid_link(request)
        return RESET_LINK.take(request, token)
    member = passwords.member_for_reset_token(RESET_LINK.token(request))
    if member is None:
        return _invalid_link(request)
    form = NewPasswordForm(member, _posted(request))
    if form.is_bound and form.is_valid() and _set_unless_refused(form, passwords.reset_password, member=member):
        # Every session of the member has ended; this browser starts afresh, the token gone with it.
        logout(request)
        messages.success(
            request, _("Your new password is set and every browser is signed out. Sign in with your new password.")
        )
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=_status(form))


def _invalid_link(request: HttpRequest) -> HttpResponse:
    RESET_LINK.forget(request)
    return render(request, "accounts/password_reset_invalid.html", status=400)
