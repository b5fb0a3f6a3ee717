"""Tokens of emailed links leave the URL at their first use (P7.5).

An emailed link carries its token in its URL. Opening the link moves the token into this browser's
session (kept on the server) and sends the browser on to the same page with a placeholder instead, as
Django's PasswordResetConfirmView does: the page, its form, the requests for its styles and scripts and
the Referer headers they send, and the browser's history then carry no token, only the first request
does. The action itself (confirming, setting the password) happens on the page without the token.

The token is not spent by the first request: mail scanners fetch links before the member does, and a
link they had spent would never open for the member. It ends as before, when it is used or expires.
Used for email verification, password reset and the privacy officer's request verification.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@dataclass(frozen=True)
class EmailedLink:
    session_key: str
    url_name: str
    placeholder: str  # the path segment that stands for the token once it is in the session

    def take(self, request: HttpRequest, token: str) -> HttpResponse:
        """Keep the (already checked) token in the session; the redirect to this page without it."""
        request.session[self.session_key] = token
        return redirect(self.url_name, token=self.placeholder)

    def token(self, request: HttpRequest) -> str:
        return request.session.get(self.session_key, "")

    def forget(self, request: HttpRequest) -> None:
        request.session.pop(self.session_key, None)
