from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from groupket.accounts.models import SIGN_IN_ID, SignIn
from groupket.accounts.services.sessions import forget_sign_in, note_sign_in_seen

# last_seen is written at most this often, not on every request.
_SEEN_EVERY = timedelta(minutes=1)


class SignInActivityMiddleware:
    """Keeps /me/sessions/ true and ends sessions that must end (P7.9).

    A session whose sign-in row is gone was signed out from another browser; a
    shared-computer session ends after 30 idle minutes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        sign_in = SignIn.objects.filter(pk=request.session.get(SIGN_IN_ID), member_id=request.user.pk).first()
        now = timezone.now()
        if sign_in is None or self._idle_too_long(sign_in, now):
            if sign_in is not None:
                forget_sign_in(sign_in=sign_in)
            logout(request)
            return
        if now - sign_in.last_seen_at >= _SEEN_EVERY:
            note_sign_in_seen(sign_in_id=sign_in.pk, at=now)

    @staticmethod
    def _idle_too_long(sign_in: SignIn, now: "timezone.datetime") -> bool:
        idle_limit = timedelta(seconds=settings.GROUPKET_SHARED_COMPUTER_IDLE_SECONDS)
        return sign_in.shared_computer and now - sign_in.last_seen_at > idle_limit
