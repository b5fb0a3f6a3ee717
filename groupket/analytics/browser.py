"""The two cookies of the analytics app: the visitor's choice, and the random identifier it allows (P9.2, P9.3).

The choice cookie is strictly necessary: it only remembers the answer so the banner is not shown again. The
identifier cookie exists only while analytics is accepted. Both are read defensively: a value Groupket did not
write (a forged choice, an identifier whose signature does not match) counts as no value at all.
"""

import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

CHOICE_COOKIE = "cookie_choice"
BROWSER_COOKIE = "analytics_id"
ACCEPTED = "accepted"
REJECTED = "rejected"
# Accepted on /cookies/ by a browser that sends Global Privacy Control: the visitor's explicit word wins over it.
ACCEPTED_OVER_GPC = "accepted-gpc"
STORED_CHOICES = frozenset({ACCEPTED, REJECTED, ACCEPTED_OVER_GPC})
_BROWSER_SALT = "groupket.analytics.browser"


def choice_cookie_age() -> timedelta:
    return timedelta(days=settings.GROUPKET_COOKIE_CHOICE_DAYS)


def browser_cookie_age() -> timedelta:
    return timedelta(days=settings.GROUPKET_ANALYTICS_ID_DAYS)


@dataclass(frozen=True)
class CookieChoice:
    """What this browser said about analytics cookies, and whether it sends Global Privacy Control."""

    stored: str  # one of STORED_CHOICES, or "" when the browser has no valid choice
    gpc: bool
    changed: bool = False  # the choice cookie must be written on this response

    @property
    def counts(self) -> bool:
        """Whether this browser may be counted: accepted, and GPC not overriding it (P9.2)."""
        return self.stored == ACCEPTED_OVER_GPC or (self.stored == ACCEPTED and not self.gpc)

    @property
    def asks(self) -> bool:
        """Whether the banner asks: no choice yet, and no GPC signal, which already counts as Reject."""
        return not self.stored and not self.gpc

    @property
    def state(self) -> str:
        """accepted, rejected, gpc (rejected by the browser's signal) or undecided: what /cookies/ says."""
        if self.counts:
            return ACCEPTED
        if self.stored == REJECTED:
            return REJECTED
        return "gpc" if self.gpc else "undecided"

    def answered(self, *, accepted: bool) -> "CookieChoice":
        """The choice after the visitor's explicit answer; an Accept sent with GPC overrides the signal."""
        if not accepted:
            return replace(self, stored=REJECTED, changed=True)
        return replace(self, stored=ACCEPTED_OVER_GPC if self.gpc else ACCEPTED, changed=True)


def sends_gpc(request: HttpRequest) -> bool:
    # The Global Privacy Control header: "1" is the only value the specification defines. Read from META, where
    # request.headers reads it too: building it would cost every request some 15 us (a browser's dozen headers).
    return request.META.get("HTTP_SEC_GPC", "").strip() == "1"


def read_choice(request: HttpRequest) -> CookieChoice:
    stored = request.COOKIES.get(CHOICE_COOKIE, "")
    return CookieChoice(stored=stored if stored in STORED_CHOICES else "", gpc=sends_gpc(request))


def _cookie_options() -> dict[str, object]:
    # Like the session cookie: Secure in production, never read by scripts, sent only to our own site.
    return {"secure": settings.SESSION_COOKIE_SECURE, "httponly": True, "samesite": "Lax"}


def write_choice(response: HttpResponseBase, choice: CookieChoice) -> None:
    age = int(choice_cookie_age().total_seconds())
    response.set_cookie(CHOICE_COOKIE, choice.stored, max_age=age, **_cookie_options())


def read_browser_id(request: HttpRequest) -> str | None:
    """The identifier of a valid analytics cookie under 30 days old; None when missing, forged or expired."""
    value = request.COOKIES.get(BROWSER_COOKIE)
    if not value:
        return None
    try:
        return signing.TimestampSigner(salt=_BROWSER_SALT).unsign(value, max_age=browser_cookie_age())
    except signing.BadSignature:  # SignatureExpired included: a new identifier replaces it
        return None


def issue_browser_id(response: HttpResponseBase) -> str:
    """A new random identifier (derived from nothing about the visitor), set for 30 days (P9.3)."""
    browser_id = secrets.token_urlsafe(16)
    value = signing.TimestampSigner(salt=_BROWSER_SALT).sign(browser_id)
    response.set_cookie(BROWSER_COOKIE, value, max_age=int(browser_cookie_age().total_seconds()), **_cookie_options())
    return browser_id


def delete_browser_id(response: HttpResponseBase) -> None:
    response.delete_cookie(BROWSER_COOKIE, samesite="Lax")
