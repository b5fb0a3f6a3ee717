"""/cookies/: every cookie Groupket sets, what analytics records, and the visitor's choice at any time (P9.2).

The banner's two buttons post here too. Plain forms: nothing needs JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from groupket.analytics.cookies import every_cookie
from groupket.analytics.services.choices import BANNER_CHANNEL, SETTINGS_CHANNEL, record_cookie_choice
from groupket.core.redirects import next_on_this_site
from groupket.privacy import inventory

ANSWERS = {"accept": True, "reject": False}
CHANNELS = {"banner": BANNER_CHANNEL, "settings": SETTINGS_CHANNEL}


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "cookies": every_cookie(),
        "browser_items": inventory.BROWSER_ITEMS,
        "raw_days": inventory.ANALYTICS_RAW_DAYS,
        "minimum": settings.GROUPKET_ANALYTICS_MIN_COUNT,
        "error": error,
    }
    return render(request, "analytics/cookies.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def cookie_settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    answer = request.POST.get("choice")
    if answer not in ANSWERS:
        return _page(request, error=_("Choose Accept or Reject. Nothing was changed."), status=400)
    accepted = ANSWERS[answer]
    if request.user.is_authenticated:
        channel = CHANNELS.get(request.POST.get("from", ""), SETTINGS_CHANNEL)
        record_cookie_choice(member=request.user, accepted=accepted, channel=channel)
    # The middleware writes the choice cookie and sets or deletes the analytics cookie to match.
    request.cookie_choice = request.cookie_choice.answered(accepted=accepted)
    if accepted:
        messages.success(request, _("Your choice is saved: analytics cookies are accepted."))
    else:
        messages.success(request, _("Your choice is saved: analytics cookies are rejected."))
    return redirect(next_on_this_site(request) or "analytics:cookies")
