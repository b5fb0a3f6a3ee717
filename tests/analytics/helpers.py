"""What the analytics tests share: answering the banner as a browser does, and reading the cookies it holds."""

from django.test import Client

from groupket.analytics.browser import BROWSER_COOKIE, CHOICE_COOKIE

GPC = {"HTTP_SEC_GPC": "1"}


def answer(client: Client, choice: str, *, origin: str = "banner", next_path: str = "/", **headers: str) -> object:
    """Press Accept or Reject (or send any value) as the banner's form does."""
    return client.post("/cookies/", {"choice": choice, "from": origin, "next": next_path}, **headers)


def held(client: Client, name: str) -> str | None:
    """The cookie's value as the browser now holds it; None when it was never set or has been deleted."""
    morsel = client.cookies.get(name)
    if morsel is None or morsel.value == "" or morsel["max-age"] == 0:
        return None
    return morsel.value


def analytics_cookie(client: Client) -> str | None:
    return held(client, BROWSER_COOKIE)


def choice_cookie(client: Client) -> str | None:
    return held(client, CHOICE_COOKIE)


def banner_shown(html: str) -> bool:
    return 'class="cookie-banner"' in html
