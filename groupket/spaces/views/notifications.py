"""/me/notifications/: the member's notifications, marking them read, the email switches; the one-click off link."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groupket.spaces.feeds import InvalidCursor
from groupket.spaces.forms import EmailSwitchesForm, MarkReadForm
from groupket.spaces.notifications import kinds
from groupket.spaces.notifications.selectors import notifications_page
from groupket.spaces.notifications.services import (
    emails_switched_off,
    mark_read,
    set_email_switches,
    turn_off_email,
)
from groupket.spaces.notifications.tokens import read_off_token


def _switches_form(member) -> EmailSwitchesForm:  # noqa: ANN001 - the member model
    off = emails_switched_off(member)
    return EmailSwitchesForm(initial={switch: switch not in off for switch in kinds.EMAIL_SWITCHES})


def _render_list(request: HttpRequest) -> HttpResponse:
    try:
        shown, next_cursor = notifications_page(member=request.user, cursor=request.GET.get("after"))
    except InvalidCursor:
        messages.info(request, _("That page link is not valid any more, so here are the newest notifications."))
        shown, next_cursor = notifications_page(member=request.user, cursor=None)
    context = {"shown": shown, "next_cursor": next_cursor, "switches": _switches_form(request.user)}
    return render(request, "spaces/notifications.html", context)


@login_required
@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@login_required
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a notification to mark as read."))
        return redirect("spaces:notifications")
    chosen = None if form.cleaned_data["all"] else [form.cleaned_data["notification"]]
    mark_read(actor=request.user, notification_ids=chosen)
    messages.success(request, _("All your notifications are read.") if chosen is None else _("Marked as read."))
    return redirect("spaces:notifications")


@login_required
@require_POST
def email_switches(request: HttpRequest) -> HttpResponse:
    form = EmailSwitchesForm(request.POST)
    form.is_valid()  # only boxes: whatever is sent, each is ticked or not
    changed = set_email_switches(actor=request.user, switched_on=form.switched_on())
    messages.success(request, _("Your email choices are saved.") if changed else _("Nothing was changed."))
    return redirect("spaces:notifications")


# Mail clients POST here with no session and no CSRF token (RFC 8058); the signed token is the credential.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def switch_off(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link of a notification mail: GET asks, POST stops that kind of mail; no sign-in needed."""
    try:
        member_id, switch = read_off_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "spaces/notifications_off.html", {"state": "invalid"}, status=400)
    member = get_user_model().objects.filter(pk=member_id, is_active=True).only("pk").first()
    if member is None:
        return render(request, "spaces/notifications_off.html", {"state": "invalid"}, status=400)
    label = None if switch == kinds.ALL_SWITCHES else kinds.SWITCH_LABELS[switch]
    if request.method != "POST":
        return render(request, "spaces/notifications_off.html", {"state": "confirm", "label": label})
    turn_off_email(member=member, switch=switch)
    return render(request, "spaces/notifications_off.html", {"state": "done", "label": label})
