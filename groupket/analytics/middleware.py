"""Reads the visitor's cookie choice on every request and, with consent only, counts the page (P9.1–P9.3).

Before the view: the choice (cookie and Global Privacy Control) is put on the request, for the banner and
the /cookies/ page. After it: the choice cookie is written when it changed (an answer, or a member's choice
taken from the ledger at sign-in), the analytics identifier is issued, renewed or deleted to match the
choice, and a countable page gets one insert, run when the response is closed.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from groupket.analytics import browser
from groupket.analytics.selectors import member_cookie_choice
from groupket.analytics.services.recording import PageVisit, record_page_view
from groupket.analytics.spaces import space_of

# The staff console is not counted: it is staff at work, already in the access log, and never an interest.
UNCOUNTED_NAMESPACES = frozenset({"staff", "staff_analytics"})
_SIGNED_IN = "_analytics_signed_in"


def note_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: the middleware reads the member's ledger choice once, on this response."""
    if request is not None:
        setattr(request, _SIGNED_IN, user)


def _countable(request: HttpRequest, response: HttpResponse) -> bool:
    match = request.resolver_match
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and match is not None
        and bool(match.view_name)
        and match.namespace not in UNCOUNTED_NAMESPACES
    )


def _choice_after(request: HttpRequest) -> browser.CookieChoice:
    choice: browser.CookieChoice = request.cookie_choice
    member = getattr(request, _SIGNED_IN, None)
    if member is None or choice.stored:
        return choice
    # Read with the member's row by the sign-in's own query (GROUPKET_SIGN_IN_READS); asked here otherwise.
    if hasattr(member, "cookie_choice_in_ledger"):
        accepted = member.cookie_choice_in_ledger
    else:
        accepted = member_cookie_choice(member.pk)
    if accepted is None:
        return choice
    # The ledger's answer, as the member gave it elsewhere; a GPC signal here still counts as Reject.
    return replace(choice, stored=browser.ACCEPTED if accepted else browser.REJECTED, changed=True)


class CookieChoiceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.cookie_choice = browser.read_choice(request)
        response = self.get_response(request)
        choice = _choice_after(request)
        if choice.changed:
            browser.write_choice(response, choice)
        patch_vary_headers(response, ("Cookie", "Sec-GPC"))
        if not choice.counts:
            if browser.BROWSER_COOKIE in request.COOKIES:
                browser.delete_browser_id(response)
            return response
        browser_id = browser.read_browser_id(request) or browser.issue_browser_id(response)
        if _countable(request, response):
            self._count_on_close(request, response, browser_id)
        return response

    @staticmethod
    def _count_on_close(request: HttpRequest, response: HttpResponse, browser_id: str) -> None:
        match = request.resolver_match
        space: Subquery | None = space_of(match)
        visit = PageVisit(browser=browser_id, day=timezone.localdate(), page=match.view_name[:100], space=space)
        # Django calls a response's closers when the server has sent it (HttpResponseBase.close()).
        response._resource_closers.append(lambda: record_page_view(visit))
