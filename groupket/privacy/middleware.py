"""Asks a member to agree again to a document after a material change takes effect (P3.1).

Until they agree, every page sends a signed-in member to the renewal page, except the pages they need to read the
documents, leave with their data (export, Unregister) or sign out. It costs one query per request: the material
versions; the member's answer for those versions is kept in the session and looked up again only when they change.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from groupket.privacy.selectors import kinds_awaiting_agreement, material_schedule, material_versions_in_force

# The session entry holding {"versions": "...", "awaiting": [...]}; remember_answer() rewrites it.
AGREEMENT_STATE = "groupket_policy_agreement"

# Paths a member who has not agreed may still use: P6.1 and P6.3 must never wait for an agreement.
RENEWAL_PREFIX = "/me/agreements/renew/"
OPEN_PREFIXES = (
    RENEWAL_PREFIX,
    "/accounts/logout/",
    "/me/export/",
    "/me/unregister/",
    "/privacy/",
    "/terms/",
    "/static/",
    "/i18n/",
    "/news/unsubscribe/",
    "/notifications/off/",
)


def versions_key(in_force: dict[str, int]) -> str:
    return ",".join(f"{kind}:{version}" for kind, version in sorted(in_force.items()))


def remember_answer(request: HttpRequest, in_force: dict[str, int], awaiting: list[str]) -> None:
    """Keep in the session which documents this member still has to agree to, for these versions."""
    state = {"versions": versions_key(in_force), "awaiting": awaiting}
    if request.session.get(AGREEMENT_STATE) != state:
        request.session[AGREEMENT_STATE] = state


def awaiting_agreement(request: HttpRequest, in_force: dict[str, int]) -> list[str]:
    """The documents this member must agree to again, from the session when the versions have not changed."""
    state = request.session.get(AGREEMENT_STATE) or {}
    if state.get("versions") == versions_key(in_force):
        return list(state.get("awaiting", []))
    awaiting = kinds_awaiting_agreement(request.user.pk, in_force)
    remember_answer(request, in_force, awaiting)
    return awaiting


class PolicyAgreementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path_info.startswith(OPEN_PREFIXES):
            schedule = material_schedule()
            # The banner of upcoming changes (accounts.context_processors) reads the same rows: no second query.
            request.material_schedule = schedule
            in_force = material_versions_in_force(schedule)
            if in_force and awaiting_agreement(request, in_force):
                return self._to_renewal(request)
        return self.get_response(request)

    @staticmethod
    def _to_renewal(request: HttpRequest) -> HttpResponse:
        url = reverse("privacy:renew")
        # Only a page can be returned to; a form sent now is not replayed after the answer.
        if request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
