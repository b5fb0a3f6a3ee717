"""Every spaces page passes axe in English and Korean, and fits a 360 px phone without sideways scrolling.

Also the path a member takes through the browser: create a space, post, comment and like. The
data is made before the browser opens (see conftest.py: no ORM call while Playwright runs).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from groupket.spaces.models import Comment
from groupket.spaces.notifications.services import make_off_token
from groupket.spaces.services.posts import add_comment
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, _record_console_error
from tests.factories import MemberFactory, join, make_post, make_space

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
from tests.e2e.test_accessibility import AxeAudit, sign_in, submit  # noqa: E402

expect = sync_api.expect
PASSWORD = "Linden7harbor-Calm"
WIDTHS = {"phone": 360, "laptop": 1280}


@contextmanager
def tab(base: str, language: str, width: int, console_errors: list[str]) -> Iterator[AxeAudit]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(locale=language, viewport={"width": width, "height": 800})
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.on("console", lambda message: _record_console_error(message, console_errors))
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            yield AxeAudit(page, base, language)
        finally:
            chromium.close()


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the window: 0 when nothing scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def community(language: str) -> dict[str, Any]:
    owner = MemberFactory(username=f"owner.{language}", password=PASSWORD)
    writer = MemberFactory(username=f"a.very-long-member-id.{language}")
    space = make_space(
        owner,
        slug=f"walks-{language}",
        name="서울 도보 여행자들의 아주 긴 이름을 가진 모임 Seoul Walkers With A Long Name",
        description="주말마다 서울의 성곽길을 걷습니다. " * 8,
        rules=("서로 존중하세요.", "A rule long enough to wrap on a phone: " + "no ads, " * 10),
        joining="approval",
    )
    join(writer, space)
    space.memberships.filter(member=writer).update(status="active")
    join(MemberFactory(), space)  # a request waiting on the members page
    post = make_post(
        writer,
        space,
        f"**Saturday** at 9, @owner.{language}. A long link: https://example.org/{'x' * 80}\n\n> quoted",
        title="토요일 성곽길 걷기 " * 4,
    )
    comment = Comment.objects.create(post=post, author=owner, data_key_id=owner.data_key_id, body="좋아요! " * 20)
    own_post = make_post(owner, space, "My own post, which I may edit.")
    add_comment(actor=writer, post=own_post, body="긴 댓글입니다. " * 12)  # a notification for the owner
    off = make_off_token(owner.pk, "replies")
    return {
        "owner": owner,
        "space": space,
        "post": post,
        "comment": comment,
        "own": own_post,
        "writer": writer,
        "off": off,
    }


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_spaces_pages_pass_axe_and_fit_the_screen(live_server: Any, language: str, device: str) -> None:
    made = community(language)
    slug, post, own, comment = made["space"].slug, made["post"], made["own"], made["comment"]
    pages = [
        "/",
        "/spaces/",
        "/spaces/?q=서울",
        "/spaces/new/",
        f"/s/{slug}/",
        f"/s/{slug}/p/{post.pk}/",
        f"/s/{slug}/p/{own.pk}/edit/",
        f"/s/{slug}/p/{own.pk}/delete/",
        f"/s/{slug}/c/{comment.pk}/edit/",
        f"/s/{slug}/manage/",
        f"/s/{slug}/members/",
        f"/members/{made['writer'].pk}/",
        f"/s/{slug}/invite/{made['space'].invitation_token}/",
        "/me/notifications/",
        f"/notifications/off/{made['off']}/",
    ]
    console_errors: list[str] = []
    too_wide: list[str] = []
    with tab(live_server.url, language, WIDTHS[device], console_errors) as audit:
        audit.visit("/spaces/", f"/s/{slug}/")  # signed out
        sign_in(audit, made["owner"].username, PASSWORD)
        for path in pages:
            audit.open(path)
            audit.check(path)
            if overflow(audit.page) > 0:
                too_wide.append(f"{path}: {overflow(audit.page)} px too wide")
        audit.open("/spaces/new/")
        submit(audit.page)
        expect(audit.page.locator("main .errorlist").first).to_be_visible()
        audit.check("/spaces/new/ posted empty")
    assert audit.findings == [], audit.report()
    assert too_wide == []
    assert console_errors == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_creates_a_space_posts_comments_and_likes_in_the_browser(live_server: Any) -> None:
    MemberFactory(username="browser.member", password=PASSWORD)
    console_errors: list[str] = []
    with tab(live_server.url, "en", 360, console_errors) as audit:
        page = audit.page
        sign_in(audit, "browser.member", PASSWORD)
        audit.open("/spaces/new/")
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
        audit.open("/")
        expect(page.locator(".home-feed")).to_contain_text("First bake")
    assert console_errors == []
