"""Every cookie Groupket sets, declared once: /cookies/ lists them and a test holds the code to this list (P9.2).

All are first-party (set by Groupket's own address and sent only to it). Only the analytics identifier is
not strictly necessary, and it is set only after the visitor accepts analytics cookies.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from groupket.analytics.browser import BROWSER_COOKIE, CHOICE_COOKIE, browser_cookie_age, choice_cookie_age


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: Promise
    lifetime: str
    necessary: bool
    first_party: bool = True


def days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def lifetime(seconds: int | None) -> str:
    if seconds is None:
        return _("Until the browser closes")
    return days(round(seconds / 86400))


def every_cookie() -> list[Cookie]:
    """The cookies in the order a visitor meets them, with lifetimes read from the settings that set them."""
    session_days = days(round(settings.SESSION_COOKIE_AGE / 86400))
    return [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            gettext_lazy("Keeps you signed in, and keeps the state of a staff member's second-factor check."),
            _("%(days)s; until the browser closes when you sign in on a shared computer") % {"days": session_days},
            necessary=True,
        ),
        Cookie(
            settings.CSRF_COOKIE_NAME,
            gettext_lazy("Protects every form against requests forged by other sites."),
            lifetime(settings.CSRF_COOKIE_AGE),
            necessary=True,
        ),
        Cookie(
            settings.LANGUAGE_COOKIE_NAME,
            gettext_lazy("Remembers the language you chose with the language button."),
            lifetime(settings.LANGUAGE_COOKIE_AGE),
            necessary=True,
        ),
        Cookie(
            CookieStorage.cookie_name,
            gettext_lazy('Carries a one-time message (such as "Your choice is saved.") to the next page.'),
            _("Until the browser closes; removed as soon as the message is shown"),
            necessary=True,
        ),
        Cookie(
            CHOICE_COOKIE,
            gettext_lazy("Remembers whether you accepted or rejected analytics cookies, so you are not asked again."),
            lifetime(int(choice_cookie_age().total_seconds())),
            necessary=True,
        ),
        Cookie(
            BROWSER_COOKIE,
            gettext_lazy(
                "Only if you accept analytics cookies: a random identifier that lets Groupket count browsers and "
                "how often they come back. It is not linked to your account, your IP address or your browser's "
                "description."
            ),
            _("%(days)s, then replaced by a new random identifier")
            % {"days": days(round(browser_cookie_age().total_seconds() / 86400))},
            necessary=False,
        ),
    ]
