"""A privacy officer's first visit to the staff console, in a real browser (P7.7, P7.8).

Sign in with the password, be sent to set up an authenticator, read the key off the
page and confirm it with the code an authenticator app would show, receive the 10
backup codes, then look a member up by exact ID with a reason and a reference, see
only the items the role allows, and find the look in the access log. Afterwards the
database holds exactly that one hash-chained access-log row, and the chain is intact.

The browser's tabs are closed (`tabs.close()`) before the database checks: while the test
drives the browser its thread may make no ORM call (see BrowserSession in conftest.py).
"""

import re
from base64 import b32decode
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp

from groupket.staff.models import AccessLogEntry
from groupket.staff.services.access_log import verify_access_log
from groupket.staff.services.roles import grant_role
from tests.conftest import TEST_SETUP
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs
from tests.factories import MemberFactory

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

OFFICER = {"username": "officer.e2e", "name": "Seo-yeon Lim", "email": "officer.e2e@example.org"}
OFFICER_PASSWORD = "Copper8lantern-Mild"
MEMBER = {"username": "dana.lookup", "name": "Dana Choi", "email": "dana.lookup@example.org"}
MEMBER_PHONE = "010-2345-6789"
REASON = "member_request"
REASON_LABEL = "The member's own request"
REFERENCE = "REQ-2025-0042"
# The privacy officer's showable items, in inventory order, with their labels.
ITEMS = {"username": "ID (username)", "name": "Name", "email": "Email address", "phone": "Phone number"}
SCREENSHOTS = {"enrol": Path("/tmp/gk-e2e-staff-enrol.png"), "lookup": Path("/tmp/gk-e2e-staff-lookup.png")}


def origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def current_code(grouped_secret: str) -> str:
    """What an authenticator app shows now for the key typed from the page (django-otp's defaults: 30 s, 6 digits)."""
    secret = re.sub(r"\s", "", grouped_secret).upper()
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


@pytest.mark.e2e
@pytest.mark.clause("P7.7")
@pytest.mark.clause("P7.8")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_privacy_officer_enrols_looks_up_a_member_and_finds_the_logged_look(
    live_server: Any,
    tabs: Tabs,
    recorded: Recorded,
) -> None:
    base = live_server.url

    # Set-up, before the browser opens: a privacy officer with no authenticator yet, and a member.
    officer = MemberFactory(**OFFICER, password=OFFICER_PASSWORD)
    grant_role(officer=TEST_SETUP, member=officer, role="privacy_officer", reason="e2e: the console's first visit")
    member = MemberFactory(**MEMBER)
    member.phone = MEMBER_PHONE
    member.save(update_fields=["phone"])
    member_id, officer_id = member.pk, officer.pk

    page = tabs.open()
    # Sign in with the ID and password only.
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="username"]', OFFICER["username"])
    page.fill('input[name="password"]', OFFICER_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/me/")

    # The console shows nothing before an authenticator is set up (P7.7).
    page.goto(f"{base}/staff/")
    expect(page).to_have_url(f"{base}/staff/enrol/")
    expect(page.locator("h1")).to_have_text("Set up your authenticator")
    qr_svg = page.locator("figure.qr-code > svg")
    expect(qr_svg).to_have_count(1)  # drawn inline: the secret goes to no image service
    expect(page.locator("figure.qr-code img")).to_have_count(0)
    expect(qr_svg.locator("path").first).to_be_attached()
    secret = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret), secret
    page.screenshot(path=str(SCREENSHOTS["enrol"]), full_page=True)

    page.fill('input[name="code"]', current_code(secret))
    page.locator("main").get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_have_text("Your authenticator is set up")
    backup_codes = page.locator("ol.backup-codes li code")
    expect(backup_codes).to_have_count(10)
    codes = backup_codes.all_inner_texts()
    assert len(set(codes)) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes), codes
    page.get_by_role("link", name="I have stored them: open the staff console").click()
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.locator("h1")).to_have_text("Staff console")
    expect(page.locator("main")).to_contain_text("Privacy officer")

    # Look the member up by exact ID, with a reason and a reference (P7.8).
    nav = page.locator("nav.staff-nav")
    nav.get_by_role("link", name="Look up a member").click()
    expect(page).to_have_url(f"{base}/staff/members/")
    page.fill('input[name="query"]', MEMBER["username"])
    page.select_option('select[name="reason"]', REASON)
    page.fill('input[name="reference"]', REFERENCE)
    page.locator("main").get_by_role("button", name="Look up").click()
    expect(page.locator("h1")).to_have_text(f"Member #{member_id}")
    shown = page.locator("dl.member-items dd")
    expect(shown).to_have_count(len(ITEMS))
    assert [cell.get_attribute("data-item") for cell in shown.all()] == list(ITEMS)
    expect(page.locator("dl.member-items dt")).to_have_text(list(ITEMS.values()))
    expect(page.locator('dd[data-item="username"]')).to_have_text(MEMBER["username"])
    expect(page.locator('dd[data-item="name"]')).to_have_text(MEMBER["name"])
    expect(page.locator('dd[data-item="email"]')).to_have_text(MEMBER["email"])
    expect(page.locator('dd[data-item="phone"]')).to_have_text(MEMBER_PHONE)
    expect(page.locator(".access-logged")).to_contain_text(f"reason “{REASON_LABEL}”")
    page.screenshot(path=str(SCREENSHOTS["lookup"]), full_page=True)

    # The look is in the access log, newest first: the only row so far.
    nav.get_by_role("link", name="Access log").click()
    expect(page).to_have_url(f"{base}/staff/access-log/")
    rows = page.locator("table.access-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(
        [
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"),
            OFFICER["username"],
            f"#{member_id}",
            ", ".join(ITEMS.values()),
            REASON_LABEL,
            REFERENCE,
            "127.0.0.1",
        ]
    )
    shown_entry_id = int(rows.first.get_attribute("data-entry"))

    # The browser is closed: the test thread may use the database again.
    tabs.close()
    entries = list(AccessLogEntry.objects.filter(member_ref=member_id))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.pk, entry.staff_ref, entry.reason, entry.reference) == (shown_entry_id, officer_id, REASON, REFERENCE)
    assert sorted(entry.items) == sorted(ITEMS)
    assert AccessLogEntry.objects.count() == 1
    assert verify_access_log() is None
    officer.refresh_from_db()
    assert officer.authenticator_set.filter(confirmed=True).count() == 1
    assert officer.backupcodes_set.get().remaining == 10

    # Every request went to the live server alone (P7.5), and nothing failed or was blocked in the page.
    assert any(urlsplit(url).path.startswith("/static/") for url in recorded.requested_urls)
    elsewhere = [url for url in recorded.requested_urls if origin(url) != origin(base)]
    assert elsewhere == []
    assert recorded.error_responses == []
    assert recorded.console_errors == []
