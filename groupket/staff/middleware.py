"""Staff sessions end after 30 idle minutes and 12 hours in all (P7.7).

Whether the member holds a role is learned once, at sign-in, and kept in the session
with the sign-in time, so an ordinary member's requests cost no query here. Console
requests learn it afresh, so a role granted during a session brings these limits with it.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from groupket.accounts.models import SIGN_IN_ID
from groupket.accounts.selectors import sign_in_started_at
from groupket.accounts.services.sign_in import sign_out
from groupket.staff.selectors import is_staff

STAFF_SESSION = "groupket_staff_session"


def _now() -> float:
    # One clock for every limit here, so tests can move it forward.
    return time.time()


def remember_sign_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    """On user_logged_in: note whether this is staff, and when the session started."""
    if request is None or not hasattr(request, "session"):
        return
    now = _now()
    # Read with the member's row by the sign-in's own query (GROUPKET_SIGN_IN_READS); asked here otherwise.
    staff = getattr(user, "holds_staff_role", None)
    if staff is None:
        staff = is_staff(user.pk)
    request.session[STAFF_SESSION] = {"staff": True, "started": now, "seen": now} if staff else {"staff": False}


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        state = request.session.get(STAFF_SESSION)
        if state is None or request.path_info.startswith(reverse("staff:home")):
            state = self._learn(request, state)
        if not state["staff"]:
            return
        now = _now()
        idle = now - state["seen"] > settings.GROUPKET_STAFF_IDLE_SECONDS
        too_long = now - state["started"] > settings.GROUPKET_STAFF_SESSION_SECONDS
        if idle or too_long:
            # The rest of this request runs signed out: a console page answers 404 as to anyone.
            sign_out(request=request)
            return
        request.session[STAFF_SESSION] = {**state, "seen": now}

    @staticmethod
    def _learn(request: HttpRequest, state: dict | None) -> dict:
        """Whether the member holds a role now; a session that just became staff is timed from its sign-in."""
        staff = is_staff(request.user.pk)
        if state is not None and state["staff"] and staff:
            return state
        learned: dict = {"staff": staff}
        if staff:
            signed_in_at = sign_in_started_at(request.session.get(SIGN_IN_ID))
            now = _now()
            learned.update(started=signed_in_at.timestamp() if signed_in_at else now, seen=now)
        if learned != state:
            request.session[STAFF_SESSION] = learned
        return learned
