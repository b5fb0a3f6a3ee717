"""Sign in by ID and password, and sign out (P7.1, P7.9)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from groupket.accounts.forms.login import LoginForm
from groupket.accounts.services import sign_in
from groupket.core import page_shells
from groupket.core.redirects import next_on_this_site


def safe_next(request: HttpRequest, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    return next_on_this_site(request) or resolve_url(default)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sign_in.sign_in_with_password(request=request, **form.cleaned_data)
            except sign_in.SignInRefused:
                # One message for a locked ID and a refused address: neither says whether the ID exists.
                form.add_error(
                    None,
                    _(
                        "Too many failed sign-in attempts. Sign-in is paused for 15 minutes: "
                        "please try again later, or set a new password."
                    ),
                )
                status = 429
            except sign_in.WrongCredentials:
                form.add_error(None, _("The ID or the password is not correct."))
            else:
                return redirect(safe_next(request))
    context = {"form": form, "next": next_on_this_site(request)}
    # The empty form is the same page for every visitor not signed in: rendered once (core.page_shells).
    return page_shells.render_page(request, "accounts/login.html", context, status=status)


def logout_view(request: HttpRequest) -> HttpResponse:
    """GET shows a button (a link must not sign anyone out); POST signs out."""
    if request.method != "POST":
        return render(request, "accounts/logout.html")
    sign_in.sign_out(request=request)
    messages.success(request, _("You are signed out."))
    return redirect("home")
