"""The path a member takes through the browser: create a space, post, comment and like.

The spaces pages themselves are checked (layout, touch targets, axe, titles) by the tour of tests/e2e/pages.py.
"""

from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs
from tests.factories import MemberFactory

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

from tests.e2e.pages import MEMBER_PASSWORD, PHONE, sign_in, submit  # noqa: E402


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_creates_a_space_posts_comments_and_likes_in_the_browser(
    live_server: Any, tabs: Tabs, recorded: Recorded
) -> None:
    MemberFactory(username="browser.member", password=MEMBER_PASSWORD)
    page = tabs.open(viewport=PHONE)
    sign_in(page, live_server.url, "browser.member", MEMBER_PASSWORD)
    page.goto(f"{live_server.url}/spaces/new/")
    page.fill('input[name="name"]', "Browser Bakers")
    page.fill('input[name="slug"]', "browser-bakers")
    page.fill('textarea[name="rules"]', "Be kind.\nNo ads.")
    page.check('input[name="visibility"][value="public"]')
    page.check('input[name="joining"][value="open"]')
    submit(page)
    expect(page).to_have_url(f"{live_server.url}/s/browser-bakers/")
    expect(page.locator(".space-rules li")).to_have_count(2)

    page.fill('input[name="title"]', "First bake")
    page.fill('textarea[name="body"]', "Sourdough *tonight*.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".post-body em")).to_have_text("tonight")

    page.fill('textarea[name="body"]', "Save me a slice!")
    page.get_by_role("button", name="Comment").click()
    expect(page.locator(".comment .post-body")).to_contain_text("Save me a slice!")

    page.get_by_role("button", name="Like").click()
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".post-actions")).to_contain_text("1 like")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".home-feed")).to_contain_text("First bake")
    assert recorded.console_errors == []
    assert recorded.error_responses == []
