"""/privacy/contact/: anyone writes to the privacy officer, and confirms their address by a link (P6.2, P11.1).

The page is public, but its requests land on the staff desk, so it lives in the staff app and
is routed from the project's urls (privacy sits above staff and may not import it).
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groupket.accounts.links import EmailedLink
from groupket.accounts.services.sessions import client_ip
from groupket.core import blind_index
from groupket.privacy.officer import privacy_officer
from groupket.staff.forms.desk import ContactForm
from groupket.staff.services.requests import InvalidRequestLink, file_web_request, request_for_token, verify_requester

# Each request mails an acknowledgement to the typed address: a cap per address keeps the form from being a mailer.
SENDS_PER_HOUR = 5
_WINDOW_SECONDS = 3600


def _over_limit(request: HttpRequest) -> bool:
    """Count this submission against the sender's address; whether it is one too many. Keyed by HMAC, not the IP."""
    key = "contact:ip:" + blind_index.compute("contact-throttle-ip", client_ip(request))
    cache.add(key, 0, timeout=_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_WINDOW_SECONDS)
        count = 1
    return count > SENDS_PER_HOUR


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    member = request.user if request.user.is_authenticated else None
    form = ContactForm(request.POST if request.method == "POST" else None, member=member)
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 400
        elif _over_limit(request):
            form.add_error(None, _("Too many requests were sent from here in the last hour. Try again later."))
            status = 429
        else:
            data = form.cleaned_data
            file_web_request(
                member=member, kind=data["kind"], name=data["name"], email=data["email"], body=data["message"]
            )
            return redirect("privacy_contact_sent")
    context = {"form": form, "officer": privacy_officer(), "signed_in": member is not None}
    return render(request, "staff/contact.html", context, status=status)


@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/contact_sent.html", {"days": settings.GROUPKET_REQUEST_DUE_DAYS})


# The link's token moves into the session at its first use and the button is on ".../verify/confirm/",
# so the token does not stay in the address bar, the history or a Referer header (accounts.links).
VERIFY_LINK = EmailedLink("groupket_contact_token", "privacy_contact_verify", "confirm")


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """A GET only shows a button, so a mail scanner fetching the link confirms nothing; the POST confirms."""
    try:
        if token != VERIFY_LINK.placeholder:
            request_for_token(token)
            return VERIFY_LINK.take(request, token)
        token = VERIFY_LINK.token(request)
        filed = verify_requester(token=token) if request.method == "POST" else request_for_token(token)
    except InvalidRequestLink:
        return _invalid(request)
    if request.method == "POST":
        VERIFY_LINK.forget(request)
    context = {"number": filed.pk, "confirmed": request.method == "POST"}
    return render(request, "staff/contact_verify.html", context)


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/contact_verify.html", {"invalid": True}, status=400)
