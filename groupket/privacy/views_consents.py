"""My agreements (/me/consents/): what the member agreed to, and their choice about news at any time (P3.1, P4.1)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from groupket.privacy.labels import CHANNEL_LABELS
from groupket.privacy.models import ConsentEvent, PolicyDocument
from groupket.privacy.selectors import member_consents
from groupket.privacy.services.notices import change_news_subscription

SETTINGS_CHANNEL = "settings"
NEWS_CHOICES = {"yes": True, "no": False}


@dataclass(frozen=True)
class Agreement:
    kind: str
    label: Promise
    version_url: str  # the URL name of one version's page
    event: ConsentEvent | None  # the latest answer, or None when there is none


@dataclass(frozen=True)
class HistoryRow:
    event: ConsentEvent

    @property
    def channel_label(self) -> Promise | str:
        return CHANNEL_LABELS.get(self.event.channel, self.event.channel)


def _latest(events: list[ConsentEvent], document: str) -> ConsentEvent | None:
    # Events come newest first.
    return next((event for event in events if event.document == document), None)


def _context(events: list[ConsentEvent]) -> dict[str, object]:
    news = [HistoryRow(event) for event in events if event.document == ConsentEvent.MARKETING]
    return {
        "documents": [
            Agreement(kind, label, version_url, _latest(events, kind))
            for kind, label, version_url in (
                (PolicyDocument.TERMS, gettext_lazy("Terms of Use"), "privacy:terms_version"),
                (PolicyDocument.PRIVACY, gettext_lazy("Privacy Policy"), "privacy:policy_version"),
            )
        ],
        "subscribed": bool(news and news[0].event.granted),
        "news_history": news,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    status, error = 200, None
    if request.method == "POST":
        choice = request.POST.get("news")
        if choice in NEWS_CHOICES:
            changed = change_news_subscription(
                member=request.user, subscribed=NEWS_CHOICES[choice], channel=SETTINGS_CHANNEL
            )
            if changed:
                messages.success(request, _("Your choice is saved."))
            else:
                messages.info(request, _("That was already your choice. Nothing was changed."))
            return redirect("privacy:consents")
        status, error = 400, _("Choose whether you want news: yes or no. Nothing was changed.")
    context = _context(list(member_consents(request.user.pk)))
    context["error"] = error
    return render(request, "privacy/consents.html", context, status=status)
