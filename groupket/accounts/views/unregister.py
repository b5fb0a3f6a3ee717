"""[Unregister] (P6.3)."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from groupket.accounts.forms.unregister import UnregisterForm
from groupket.accounts.services.unregister import WrongPassword, unregister_member
from groupket.core.throttling import TooManyAttempts, paused_message
from groupket.privacy import inventory


@login_required
def unregister(request: HttpRequest) -> HttpResponse:
    form = UnregisterForm(request.POST or None)
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        try:
            unregister_member(
                member=request.user, password=form.cleaned_data["password"], keep_writing=form.keep_writing()
            )
        except WrongPassword:
            form.add_error("password", _("That is not your password. Nothing was changed."))
        except TooManyAttempts as refused:
            form.add_error("password", paused_message(refused))
            status = 429
        else:
            logout(request)
            return redirect("accounts:unregister_done")
    return render(
        request, "accounts/unregister.html", {"form": form, "inventory": inventory.items_by_category()}, status=status
    )


def done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/unregister_done.html")
