"""Moderation in the browser: every new page passes axe in English and Korean at 360 and 1280 px with no sideways
scroll, and the whole path: a space is made, a post is held by a watched word, a post is reported, a moderator acts,
the author appeals and a second moderator decides (P10.1).

The data is made before the browser opens (see conftest.py: no ORM call while Playwright runs).
"""

import re
from typing import Any

import pytest
from django_otp.oath import totp

from groupket.moderation.models import Appeal, Case, Decision, WatchedWord
from groupket.staff.models import Authenticator
from tests.conftest import make_staff
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM
from tests.factories import MemberFactory, join, make_post, make_space
from tests.moderation.test_reports_and_decisions import client_of, decide, report

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
from tests.e2e.test_accessibility import sign_in, submit  # noqa: E402
from tests.e2e.test_spaces_pages import WIDTHS, create_space_in_browser, overflow, tab  # noqa: E402

expect = sync_api.expect
PASSWORD = "Linden7harbor-Calm"


def staff_sign_in(audit: Any, username: str, secret: bytes) -> None:
    sign_in(audit, username, PASSWORD)
    audit.open("/staff/")
    expect(audit.page).to_have_url(re.compile(r"/staff/verify/"))
    audit.page.fill('input[name="code"]', f"{totp(secret, 30, 0, 6):06d}")
    submit(audit.page)


def sign_out(audit: Any) -> None:
    audit.page.context.clear_cookies()


def moderated_space(language: str) -> dict[str, Any]:
    owner = MemberFactory(username=f"mod.owner.{language}", password=PASSWORD)
    writer = MemberFactory(username=f"a.long-writer-id.{language}", password=PASSWORD)
    reader = MemberFactory(username=f"mod.reader.{language}", password=PASSWORD)
    space = make_space(owner, slug=f"reviewed-{language}", name="검토되는 스페이스 Reviewed Space " * 2)
    for member in (writer, reader):
        join(member, space)
    WatchedWord.objects.create(space=space, word="카지노", action="hold", added_by_ref=owner.pk)
    held = make_post(writer, space, "주말 카 지 노 모임 " * 10, title="A held post with a long title " * 3)
    post = make_post(writer, space, "Cheap watches " * 30)
    report(reader, space, post, "space_rule", rule_number="2", note="광고입니다. " * 20)
    case = Case.objects.get(post=post)
    decide(client_of(owner), f"/s/{space.slug}/moderation/cases/{case.pk}/", kind="hide", rule="space_rule:2",
           reason="광고는 장터 스페이스에 올려 주세요. " * 5)  # fmt: skip
    decision = Decision.objects.get(case=case)
    client_of(writer).post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "무료 나눔이었습니다. " * 10})
    staff = make_staff("moderator", username=f"mod.staff.{language}", password=PASSWORD)
    return {
        "owner": owner,
        "writer": writer,
        "space": space,
        "held_case": Case.objects.get(post=held),
        "appeal": Appeal.objects.get(),
        "post": post,
        "staff": staff,
        "secret": Authenticator.objects.get(user=staff).secret,
    }


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moderation_pages_pass_axe_and_fit_the_screen(live_server: Any, language: str, device: str) -> None:
    made = moderated_space(language)
    slug = made["space"].slug
    organiser_pages = [
        f"/s/{slug}/moderation/",
        f"/s/{slug}/moderation/cases/{made['held_case'].pk}/",
        f"/s/{slug}/moderation/words/",
        f"/s/{slug}/moderation/appeals/{made['appeal'].pk}/",
        "/transparency/",
    ]
    staff_pages = [
        "/staff/moderation/",
        f"/staff/moderation/cases/{made['held_case'].pk}/",
        f"/staff/moderation/appeals/{made['appeal'].pk}/",
        "/staff/moderation/words/",
    ]
    console_errors: list[str] = []
    too_wide: list[str] = []

    def check(audit: Any, path: str, label: str | None = None) -> None:
        audit.check(label or path)
        if overflow(audit.page) > 0:
            too_wide.append(f"{label or path}: {overflow(audit.page)} px too wide")

    with tab(live_server.url, language, WIDTHS[device], console_errors) as audit:
        audit.visit("/transparency/")
        sign_in(audit, made["writer"].username, PASSWORD)
        for path in ("/me/moderation/", f"/s/{slug}/p/{made['post'].pk}/", f"/s/{slug}/p/{made['held_case'].post_id}/"):
            audit.open(path)
            check(audit, path)
        sign_out(audit)
        sign_in(audit, made["owner"].username, PASSWORD)
        audit.open(f"/s/{slug}/p/{made['held_case'].post_id}/report/")
        check(audit, "/s/<slug>/p/<id>/report/")
        submit(audit.page)
        expect(audit.page.locator("main .errorlist").first).to_be_visible()
        check(audit, "/s/<slug>/p/<id>/report/ posted empty")
        for path in organiser_pages:
            audit.open(path)
            check(audit, path)
        audit.open(f"/s/{slug}/moderation/cases/{made['held_case'].pk}/")
        submit(audit.page)
        expect(audit.page.locator("main .errorlist").first).to_be_visible()
        check(audit, "case posted empty")
        sign_out(audit)
        staff_sign_in(audit, made["staff"].username, made["secret"])
        for path in staff_pages:
            audit.open(path)
            check(audit, path)
    assert audit.findings == [], audit.report()
    assert too_wide == []
    assert console_errors == []


def the_story() -> dict[str, Any]:
    owner = MemberFactory(username="story.owner", password=PASSWORD)
    writer = MemberFactory(username="story.writer", password=PASSWORD)
    reader = MemberFactory(username="story.reader", password=PASSWORD)
    first = make_staff("moderator", username="story.mod.one", password=PASSWORD)
    second = make_staff("moderator", username="story.mod.two", password=PASSWORD)
    WatchedWord.objects.create(space=None, word="casino", action="hold", added_by_ref=first.pk)
    secrets = {staff.username: Authenticator.objects.get(user=staff).secret for staff in (first, second)}
    return {"owner": owner, "writer": writer, "reader": reader, "first": first, "second": second, "secrets": secrets}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_held_reported_decided_appealed_and_decided_again_in_the_browser(live_server: Any) -> None:
    made = the_story()
    console_errors: list[str] = []
    with tab(live_server.url, "en", 360, console_errors) as audit:
        page = audit.page
        sign_in(audit, "story.owner", PASSWORD)
        create_space_in_browser(audit, "Story Walkers", "story-walkers")

        for name in ("story.writer", "story.reader"):
            sign_out(audit)
            sign_in(audit, name, PASSWORD)
            audit.open("/s/story-walkers/")
            page.get_by_role("button", name="Join this space").click()
        sign_out(audit)
        sign_in(audit, "story.writer", PASSWORD)
        audit.open("/s/story-walkers/")
        page.fill('textarea[name="body"]', "Friday: C a s i n o night!")
        page.get_by_role("button", name="Publish").click()
        expect(page.locator(".messages")).to_contain_text("held for review")
        audit.open("/s/story-walkers/")
        page.fill('textarea[name="body"]', "Cheap watches, message me.")
        page.get_by_role("button", name="Publish").click()
        watches_url = page.url

        sign_out(audit)
        sign_in(audit, "story.reader", PASSWORD)
        audit.open("/s/story-walkers/")
        expect(page.locator("main")).not_to_contain_text("C a s i n o")
        page.goto(watches_url)
        page.get_by_role("link", name="Report").click()
        page.check('input[name="reason"][value="space_rule"]')
        page.select_option('select[name="rule_number"]', "2")
        page.fill('textarea[name="note"]', "An advert.")
        submit(page)
        expect(page.locator(".messages")).to_contain_text("Moderators will review it")

        sign_out(audit)
        staff_sign_in(audit, "story.mod.one", made["secrets"]["story.mod.one"])
        audit.open("/staff/moderation/")
        page.locator(".queue-list li", has_text="1 report").get_by_role("link").click()
        expect(page.locator(".post-body")).to_contain_text("Cheap watches")
        page.check('input[name="kind"][value="hide"]')
        page.select_option('select[name="rule"]', "space_rule:2")
        page.fill('textarea[name="reason"]', "Adverts go to the market space.")
        submit(page)
        expect(page.locator(".messages")).to_contain_text("The decision is recorded")

        sign_out(audit)
        sign_in(audit, "story.writer", PASSWORD)
        audit.open("/me/moderation/")
        expect(page.locator(".decision").first).to_contain_text("Adverts go to the market space.")
        page.fill('textarea[name="statement"]', "It was a free giveaway, not an advert.")
        page.get_by_role("button", name="Appeal").click()
        expect(page.locator(".messages")).to_contain_text("Your appeal is sent")

        # The same moderator may not decide the appeal (a second sign-in within one TOTP step would reuse its code,
        # so tests/moderation/test_reports_and_decisions.py proves that part).
        sign_out(audit)
        staff_sign_in(audit, "story.mod.two", made["secrets"]["story.mod.two"])
        audit.open("/staff/moderation/")
        page.locator(".queue-list li", has_text="Appeal #").get_by_role("link").click()
        page.check('input[name="outcome"][value="upheld"]')
        page.fill('textarea[name="answer"]', "A giveaway is welcome here.")
        submit(page)
        expect(page.locator(".messages")).to_contain_text("The appeal is decided")

        sign_out(audit)
        sign_in(audit, "story.reader", PASSWORD)
        page.goto(watches_url)
        expect(page.locator(".post-body")).to_contain_text("Cheap watches")
        sign_out(audit)
        sign_in(audit, "story.writer", PASSWORD)
        audit.open("/me/moderation/")
        expect(page.locator(".decision").first).to_contain_text("A giveaway is welcome here.")
    assert console_errors == []
