"""Signed-in browsers: each session of the member, and signing out the others (P7.9)."""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ua_parser import parse

from groupket.accounts.models import SIGN_IN_ID, SignIn
from groupket.accounts.services.sign_in import end_other_sign_ins, end_sign_in, sign_out


@dataclass(frozen=True)
class SessionRow:
    sign_in: SignIn
    browser: str
    system: str
    current: bool


def _name(part: object) -> str:
    family = getattr(part, "family", "") or ""
    major = getattr(part, "major", "") or ""
    return f"{family} {major}".strip() if family and family != "Other" else ""


def _rows(request: HttpRequest) -> list[SessionRow]:
    current_id = request.session.get(SIGN_IN_ID)
    rows = []
    for sign_in in SignIn.objects.filter(member=request.user).order_by("-last_seen_at", "-pk"):
        agent = parse(sign_in.user_agent or "")
        rows.append(
            SessionRow(
                sign_in=sign_in,
                browser=_name(agent.user_agent) or _("Unknown browser"),
                system=_name(agent.os) or _("Unknown system"),
                current=sign_in.pk == current_id,
            )
        )
    return rows


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        response = _end_sessions(request)
        if response is not None:
            return response
        status = 400
    return render(request, "accounts/sessions.html", {"rows": _rows(request)}, status=status)


def _end_sessions(request: HttpRequest) -> HttpResponse | None:
    """Do what the button asked; None (and an error message) when the request names nothing to end."""
    current_id = request.session.get(SIGN_IN_ID)
    action = request.POST.get("action")
    if action == "end_others":
        count = end_other_sign_ins(member=request.user, keep_sign_in_id=current_id)
        messages.success(
            request,
            ngettext("%(count)d other browser is signed out.", "%(count)d other browsers are signed out.", count)
            % {"count": count},
        )
        return redirect("accounts:sessions")
    sign_in_id = _sign_in_id(request.POST.get("sign_in", ""))
    if action == "end" and sign_in_id is not None:
        if sign_in_id == current_id:
            sign_out(request=request)
            messages.success(request, _("You are signed out."))
            return redirect("accounts:login")
        if end_sign_in(member=request.user, sign_in_id=sign_in_id):
            messages.success(request, _("That browser is signed out."))
            return redirect("accounts:sessions")
    messages.error(request, _("That session was not found: it may have ended already. Nothing was changed."))
    return None


def _sign_in_id(value: str) -> int | None:
    # ASCII digits of a number a database bigint holds (a listing's number is random, up to 2**63: core.ids);
    # anything else names no session.
    return int(value) if re.fullmatch(r"[0-9]{1,19}", value) and int(value) < 2**63 else None
