"""Moderation in the browser, the whole path (P10.1): a space is made, a post is held by a watched word, a post is
reported, a moderator acts, the author appeals and a second moderator decides.

Each person has their own tab (a fresh profile). The moderation pages themselves are checked (layout, touch
targets, axe, titles) by the tour of tests/e2e/pages.py. The people are made before the first tab opens (see
BrowserSession in conftest.py: no ORM call while Playwright runs).
"""

import re
from typing import Any

import pytest
from django_otp.oath import totp

from groupket.moderation.models import WatchedWord
from groupket.staff.models import Authenticator
from tests.conftest import make_staff
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs
from tests.factories import MemberFactory

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

from tests.e2e.pages import MEMBER_PASSWORD, PHONE, create_space, sign_in, submit  # noqa: E402

SPACE = "/s/story-walkers/"


def the_story() -> dict[str, bytes]:
    """Three members and two of Groupket's moderators; "casino" held in every space. The moderators' secrets."""
    for name in ("story.owner", "story.writer", "story.reader"):
        MemberFactory(username=name, password=MEMBER_PASSWORD)
    moderators = [
        make_staff("moderator", username=name, password=MEMBER_PASSWORD) for name in ("story.mod.one", "story.mod.two")
    ]
    WatchedWord.objects.create(space=None, word="casino", action="hold", added_by_ref=moderators[0].pk)
    return {staff.username: Authenticator.objects.get(user=staff).secret for staff in moderators}


def staff_tab(tabs: Tabs, base: str, username: str, secret: bytes) -> Any:
    tab = tabs.open(viewport=PHONE)
    sign_in(tab, base, username, MEMBER_PASSWORD)
    tab.goto(base + "/staff/")
    tab.wait_for_url(re.compile(r"/staff/verify/"))
    tab.fill('input[name="code"]', f"{totp(secret, 30, 0, 6):06d}")
    submit(tab)
    tab.wait_for_url(re.compile(r"/staff/$"))
    return tab


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_held_reported_decided_appealed_and_decided_again_in_the_browser(
    live_server: Any, tabs: Tabs, recorded: Recorded
) -> None:
    base = live_server.url
    secrets = the_story()
    people = {}
    for name in ("story.owner", "story.writer", "story.reader"):
        people[name] = tabs.open(viewport=PHONE)
        sign_in(people[name], base, name, MEMBER_PASSWORD)
    owner, writer, reader = people.values()
    create_space(owner, base, "Story Walkers", "story-walkers")
    for tab in (writer, reader):
        tab.goto(base + SPACE)
        tab.get_by_role("button", name="Join this space").click()
        expect(tab.get_by_role("button", name="Publish")).to_be_visible()

    writer.goto(base + SPACE)
    writer.fill('textarea[name="body"]', "Friday: C a s i n o night!")
    writer.get_by_role("button", name="Publish").click()
    expect(writer.locator(".messages")).to_contain_text("held for review")
    writer.goto(base + SPACE)
    writer.fill('textarea[name="body"]', "Cheap watches, message me.")
    writer.get_by_role("button", name="Publish").click()
    expect(writer.locator(".post-body")).to_contain_text("Cheap watches")
    watches = writer.url

    reader.goto(base + SPACE)
    expect(reader.locator("main")).to_contain_text("Cheap watches")
    expect(reader.locator("main")).not_to_contain_text("C a s i n o")
    reader.goto(watches)
    reader.get_by_role("link", name="Report").click()
    reader.check('input[name="reason"][value="space_rule"]')
    reader.select_option('select[name="rule_number"]', "2")
    reader.fill('textarea[name="note"]', "An advert.")
    submit(reader)
    expect(reader.locator(".messages")).to_contain_text("Moderators will review it")

    first = staff_tab(tabs, base, "story.mod.one", secrets["story.mod.one"])
    first.goto(base + "/staff/moderation/")
    first.locator(".queue-list li", has_text="1 report").get_by_role("link").click()
    expect(first.locator(".post-body")).to_contain_text("Cheap watches")
    first.check('input[name="kind"][value="hide"]')
    first.select_option('select[name="rule"]', "space_rule:2")
    first.fill('textarea[name="reason"]', "Adverts go to the market space.")
    submit(first)
    expect(first.locator(".messages")).to_contain_text("The decision is recorded")

    writer.goto(base + "/me/moderation/")
    expect(writer.locator(".decision").first).to_contain_text("Adverts go to the market space.")
    writer.fill('textarea[name="statement"]', "It was a free giveaway, not an advert.")
    writer.get_by_role("button", name="Appeal").click()
    expect(writer.locator(".messages")).to_contain_text("Your appeal is sent")

    # The moderator who decided may not decide the appeal: tests/moderation/test_reports_and_decisions.py proves it.
    second = staff_tab(tabs, base, "story.mod.two", secrets["story.mod.two"])
    second.goto(base + "/staff/moderation/")
    second.locator(".queue-list li", has_text="Appeal #").get_by_role("link").click()
    second.check('input[name="outcome"][value="upheld"]')
    second.fill('textarea[name="answer"]', "A giveaway is welcome here.")
    submit(second)
    expect(second.locator(".messages")).to_contain_text("The appeal is decided")

    reader.goto(watches)
    expect(reader.locator(".post-body")).to_contain_text("Cheap watches")
    writer.goto(base + "/me/moderation/")
    expect(writer.locator(".decision").first).to_contain_text("A giveaway is welcome here.")
    assert recorded.console_errors == []
    assert recorded.error_responses == []
