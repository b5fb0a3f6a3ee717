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

from tests.e2e.pages import MEMBER_PASSWORD, PHONE, create_space, sign_in  # noqa: E402


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_creates_a_space_posts_comments_and_likes_in_the_browser(
    live_server: Any, tabs: Tabs, recorded: Recorded
) -> None:
    MemberFactory(username="browser.member", password=MEMBER_PASSWORD)
    page = tabs.open(viewport=PHONE)
    sign_in(page, live_server.url, "browser.member", MEMBER_PASSWORD)
    create_space(page, live_server.url, "Browser Bakers", "browser-bakers")
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


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_attaches_photos_to_a_post_and_places_one_in_the_text(
    live_server: Any, tabs: Tabs, recorded: Recorded
) -> None:
    """Plain forms: a file input that takes several photos, then the edit page's Markdown line for one of them."""
    MemberFactory(username="photo.member", password=MEMBER_PASSWORD)
    page = tabs.open(viewport=PHONE)
    sign_in(page, live_server.url, "photo.member", MEMBER_PASSWORD)
    create_space(page, live_server.url, "Photo Walkers", "photo-walkers")

    page.fill('textarea[name="body"]', "The walk in pictures.")
    page.set_input_files(
        'input[name="images"]',
        [
            {"name": "ridge.png", "mimeType": "image/png", "buffer": _png((1200, 800), (200, 90, 40))},
            {"name": "gate.png", "mimeType": "image/png", "buffer": _png((600, 900), (40, 120, 200))},
        ],
    )
    page.get_by_role("button", name="Publish").click()
    photos = page.locator(".post-images img")
    expect(photos).to_have_count(2)
    photos.first.scroll_into_view_if_needed()  # loaded lazily, once near the screen
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photos.first.element_handle())
    assert photos.first.evaluate("img => img.naturalWidth") == 1024  # loaded, re-encoded to 1024 px at most
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # and fits a phone

    page.get_by_role("link", name="Edit").click()
    line = page.locator(".post-edit-images code").nth(1).inner_text()
    page.fill('textarea[name="body"]', "The gate:\n\n" + line.replace("what the photo shows", "the west gate"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator('.post-body img[alt="the west gate"]')).to_have_count(1)
    expect(page.locator(".post-images img")).to_have_count(1)  # the placed one is not shown twice
    assert recorded.console_errors == []
    assert recorded.error_responses == []
