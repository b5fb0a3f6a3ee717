"""Tokens of emailed links leave the URL at their first use (P7.5).

An emailed link carries its token in its URL, where access logs, the browser's history and Referer
headers would keep it. Opening the link spends the token: it moves into this browser's session (kept
on the server) and the browser is sent on to the same page with a placeholder instead, as Django's
PasswordResetConfirmView does. The URL's token then opens nothing in any other browser, so a copy of
it read from a log or a Referer header is dead. Used for email verification, password reset and the
privacy officer's request verification.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from groupket.accounts.models import SpentLinkToken


@dataclass(frozen=True)
class EmailedLink:
    session_key: str
    url_name: str
    placeholder: str  # the path segment that stands for the token once it is in the session

    def take(self, request: HttpRequest, token: str, *, max_age: int) -> HttpResponse | None:
        """The redirect to this page without the token, which is spent and kept in the session.

        None when the token was already opened in another browser (the same browser may open it again).
        """
        if request.session.get(self.session_key) != token and not spend(token, max_age=max_age):
            return None
        request.session[self.session_key] = token
        return redirect(self.url_name, token=self.placeholder)

    def token(self, request: HttpRequest) -> str:
        return request.session.get(self.session_key, "")

    def forget(self, request: HttpRequest) -> None:
        request.session.pop(self.session_key, None)


def spend(token: str, *, max_age: int) -> bool:
    """Record that the token has been opened; False when it already was."""
    now = timezone.now()
    with transaction.atomic():
        SpentLinkToken.objects.filter(expires_at__lt=now).delete()
        _, first_use = SpentLinkToken.objects.get_or_create(
            digest=hashlib.sha256(token.encode()).hexdigest(),
            defaults={"expires_at": now + timedelta(seconds=max_age)},
        )
    return first_use
