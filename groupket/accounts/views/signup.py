"""Sign up with [Agree]/[Disagree], and email verification (P1.1, P2.1, P3.1)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groupket.accounts.forms.signup import SignupForm
from groupket.accounts.links import EmailedLink
from groupket.accounts.services import registration
from groupket.core import page_shells
from groupket.core.redirects import next_on_this_site
from groupket.privacy.models import PolicyDocument
from groupket.privacy.selectors import current_document


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if form.declined():
            return redirect("accounts:signup_declined")
        if form.is_valid():
            try:
                registration.sign_up(signup=form.to_signup())
            except IntegrityError:
                # Another signup took the ID or email between the check and the insert.
                form.add_error(None, _("This ID or email address was just taken. Please choose another."))
            else:
                # Not signed in, and the same page, whether an account was made or the address was
                # already taken: the visitor cannot tell which (the address's owner got a notice).
                return redirect("accounts:signup_done")
    terms, privacy = current_document(PolicyDocument.TERMS), current_document(PolicyDocument.PRIVACY)
    # The empty form is the same page for every visitor not signed in, as long as the same versions are in force
    # (a published version is never edited): rendered once for them (core.page_shells).
    return page_shells.render_page(
        request,
        "accounts/signup.html",
        {"form": form, "terms": terms, "privacy": privacy},
        status=400 if form.is_bound and form.errors else 200,
        depends_on=(terms.pk, privacy.pk),
    )


def declined(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_declined.html")


def done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


# The link's token moves into the session at its first use and the address is confirmed at ".../verify/confirm/",
# so the token does not stay in the address bar, the history or a Referer header (accounts.links).
VERIFY_LINK = EmailedLink("groupket_verify_token", "accounts:verify_email", "confirm")


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    if token != VERIFY_LINK.placeholder:
        if not registration.is_verification_token(token):
            return _verify_failed(request)
        return VERIFY_LINK.take(request, token)
    token = VERIFY_LINK.token(request)
    VERIFY_LINK.forget(request)
    try:
        registration.verify_email(token=token)
    except registration.InvalidVerification:
        return _verify_failed(request)
    messages.success(request, _("Your email address is confirmed. Thank you."))
    return redirect("accounts:me" if request.user.is_authenticated else "accounts:login")


def _verify_failed(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/verify_failed.html", status=400)


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    registration.resend_verification(member=request.user)
    messages.success(request, _("We sent the confirmation link again. It is valid for 48 hours."))
    return redirect(next_on_this_site(request) or "accounts:me")
