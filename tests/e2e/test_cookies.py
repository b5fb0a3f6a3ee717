"""Cookies and analytics in a real browser (P9.2, P9.3, P7.5).

A new browser sees the banner in the page's flow; its two buttons look and weigh the same. Reject leaves
no analytics cookie and no page view; Accept sets one and pages are counted; Reject on /cookies/ deletes
the cookie and counting stops; a browser sending Sec-GPC: 1 sees no banner and is never counted. Every
request goes to Groupket's own origin. The banner, /cookies/ and the staff analytics page are checked for
layout and axe in English and Korean with every other page, by the tour (tests/e2e/pages.py).

While a tab is open the test thread may make no ORM call (see BrowserSession in conftest.py), so the page
views are counted with the thread handed back to Django for the moment of the count.
"""

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from groupket.analytics.models import PageView
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs
from tests.e2e.pages import LAPTOP, PHONE

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

# What makes a button look heavier than another.
LOOK = "el => { const s = getComputedStyle(el); return [s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.borderTopWidth, s.borderTopColor, s.paddingTop, s.paddingLeft]; }"  # noqa: E501


def page_views(tabs: Tabs) -> int:
    """Counted page views, read by the test thread while the browser waits (BrowserSession.leave/enter)."""
    tabs.session.leave()
    try:
        return PageView.objects.count()
    finally:
        tabs.session.enter()


def settled_page_views(tabs: Tabs, expected_at_least: int = 0, wait: float = 5.0) -> int:
    """The count once the server has closed the last response (the insert runs then, a moment later)."""
    deadline = time.monotonic() + wait
    while page_views(tabs) < expected_at_least and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    return page_views(tabs)


def cookie_names(tab: Any) -> set[str]:
    return {cookie["name"] for cookie in tab.context.cookies()}


def assert_banner_in_the_flow_on_a_phone(tab: Any) -> None:
    banner = tab.locator(".cookie-banner")
    expect(banner).to_be_visible()
    assert banner.evaluate("el => getComputedStyle(el).position") == "static"
    banner_box, main_box = banner.bounding_box(), tab.locator("main").bounding_box()
    assert banner_box["y"] + banner_box["height"] <= main_box["y"]  # above the content, never over it
    assert main_box["y"] < PHONE["height"]  # and the content still starts on the first screen
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accept, reject = banner.get_by_role("button", name="Accept"), banner.get_by_role("button", name="Reject")
    assert accept.evaluate(LOOK) == reject.evaluate(LOOK)
    accept_box, reject_box = accept.bounding_box(), reject.bounding_box()
    assert (round(accept_box["width"]), round(accept_box["height"])) == (
        round(reject_box["width"]),
        round(reject_box["height"]),
    )
    assert accept_box["height"] >= 44


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P9.2")
@pytest.mark.clause("P9.3")
@pytest.mark.clause("P7.5")
def test_accept_reject_and_gpc_in_a_browser_touch_no_other_origin(
    live_server: Any, tabs: Tabs, recorded: Recorded
) -> None:
    base = live_server.url

    # A new browser on a phone: the banner, in the flow, with two buttons alike.
    tab = tabs.open(viewport=PHONE)
    tab.goto(f"{base}/privacy/")
    assert_banner_in_the_flow_on_a_phone(tab)
    expect(tab.locator(".cookie-banner a[href='/cookies/']")).to_be_visible()

    # Reject: no analytics cookie, no page view, no banner any more.
    tab.locator(".cookie-banner").get_by_role("button", name="Reject").click()
    expect(tab).to_have_url(f"{base}/privacy/")
    expect(tab.locator(".cookie-banner")).to_have_count(0)
    for path in ("/", "/terms/", "/accounts/signup/"):
        tab.goto(base + path)
    assert "cookie_choice" in cookie_names(tab)
    assert "analytics_id" not in cookie_names(tab)
    assert settled_page_views(tabs) == 0
    tab.context.close()

    # Accept, in a new browser: the cookie, and pages are counted.
    tab = tabs.open(viewport=LAPTOP)
    tab.goto(f"{base}/")
    tab.locator(".cookie-banner").get_by_role("button", name="Accept").click()
    expect(tab.locator(".messages")).to_contain_text("analytics cookies are accepted")
    assert "analytics_id" in cookie_names(tab)
    tab.goto(f"{base}/terms/")
    counted = settled_page_views(tabs, expected_at_least=2)
    assert counted == 2  # the page after the answer, and the terms

    # Reject on /cookies/: the cookie is deleted and counting stops.
    tab.goto(f"{base}/cookies/")
    expect(tab.locator("[data-cookie-state]")).to_have_attribute("data-cookie-state", "accepted")
    tab.locator("#choice").get_by_role("button", name="Reject").click()
    expect(tab.locator("[data-cookie-state]")).to_have_attribute("data-cookie-state", "rejected")
    assert "analytics_id" not in cookie_names(tab)
    for path in ("/", "/privacy/", "/terms/"):
        tab.goto(base + path)
    assert settled_page_views(tabs) == counted + 1  # the /cookies/ page itself, opened while still accepted
    tab.context.close()

    # A browser sending GPC: no banner, never counted, and /cookies/ says why.
    tab = tabs.open(viewport=LAPTOP)
    tab.set_extra_http_headers({"Sec-GPC": "1"})
    for path in ("/", "/privacy/", "/cookies/"):
        tab.goto(base + path)
        expect(tab.locator(".cookie-banner")).to_have_count(0)
    expect(tab.locator("[data-cookie-state]")).to_have_attribute("data-cookie-state", "gpc")
    assert "analytics_id" not in cookie_names(tab)
    assert settled_page_views(tabs) == counted + 1

    # Every request of the three browsers went to Groupket's own origin, and no page logged an error.
    assert len(recorded.requested_urls) > 10
    assert {urlsplit(url).netloc for url in recorded.requested_urls} == {urlsplit(base).netloc}
    assert {urlsplit(url).scheme for url in recorded.requested_urls} == {"http"}
    assert recorded.console_errors == []
    assert recorded.error_responses == []
