"""One-click unsubscribe from news, without signing in (P4.1, RFC 8058)."""

from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from groupket.privacy.delivery.notices import read_unsubscribe_token
from groupket.privacy.services.notices import change_news_subscription

UNSUBSCRIBE_CHANNEL = "unsubscribe link"


# Mail clients POST here with no session and no CSRF token (RFC 8058); the signed token is the credential.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member_id = read_unsubscribe_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "privacy/unsubscribe.html", {"state": "invalid"}, status=400)
    member = get_user_model().objects.filter(pk=member_id, is_active=True).only("pk").first()
    if member is None:
        return render(request, "privacy/unsubscribe.html", {"state": "invalid"}, status=400)
    if request.method != "POST":
        return render(request, "privacy/unsubscribe.html", {"state": "confirm"})
    change_news_subscription(member=member, subscribed=False, channel=UNSUBSCRIBE_CHANNEL)
    return render(request, "privacy/unsubscribe.html", {"state": "done"})
