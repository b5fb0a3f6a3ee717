"""The whole member lifecycle in a real browser, against a live server (P3.1, P6.3, P7.5).

Sign up with [Agree], confirm the address from the emailed link, sign out and in,
edit the name, add and delete a profile photo, unregister, and be refused at the
next sign-in exactly as an unknown ID is. Throughout, the browser asks nothing of
any origin but Groupket's own: no CDN, font, analytics or other third party.
"""

import email
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

USERNAME = "hana.e2e"
NAME = "Hana Park"
NEW_NAME = "Hana Park-Lee"
EMAIL = "hana.e2e@example.org"
PASSWORD = "Maple4harbor-Quiet"
WRONG_CREDENTIALS = "The ID or the password is not correct."
SCREENSHOTS = {"signup": Path("/tmp/gk-e2e-signup.png"), "me": Path("/tmp/gk-e2e-me.png")}


def origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def newest_verification_link(mail_dir: Path, site_url: str, *, wait_seconds: float = 5.0) -> str:
    """The verification link in the newest .eml (names start with a sortable timestamp)."""
    deadline = time.monotonic() + wait_seconds
    while not (messages := sorted(mail_dir.glob("*.eml"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert messages, f"no email was written to {mail_dir}"
    message = email.message_from_bytes(messages[-1].read_bytes())
    assert message["To"] == EMAIL
    body = message.get_payload(decode=True).decode()
    links = re.findall(re.escape(site_url) + r"/accounts/verify/[^\s/]+/", body)
    assert links, f"no verification link to {site_url} in the email:\n{body}"
    return links[0]


def open_section(page: Any, section: str) -> Any:
    """Open one of My information's sections (a <details>) and return it."""
    details = page.locator(f"details#{section}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign in to Groupket")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.locator("main").get_by_role("button", name="Sign in").click()


def save_profile(page: Any) -> None:
    page.locator("main").get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")


@pytest.mark.e2e
@pytest.mark.clause("P6.3")
@pytest.mark.clause("P7.5")
@pytest.mark.clause("P3.1")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_lifecycle_in_a_browser_touches_no_other_origin(
    live_server: Any,
    settings: Any,
    mail_dir: Path,
    tmp_path: Path,
    page: Any,
    recorded: Recorded,
) -> None:
    base = live_server.url
    settings.SITE_URL = base  # the emailed link must lead to this live server

    # Sign up: the four required items, and [Agree] to both documents (P3.1).
    response = page.goto(f"{base}/accounts/signup/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Create your Groupket account")
    expect(page.locator("fieldset.agreement")).to_have_count(2)
    page.fill('input[name="username"]', USERNAME)
    page.fill('input[name="name"]', NAME)
    page.fill('input[name="email"]', EMAIL)
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.check('input[name="agree_terms"][value="agree"]')
    page.check('input[name="agree_privacy"][value="agree"]')
    page.screenshot(path=str(SCREENSHOTS["signup"]), full_page=True)
    page.locator("main").get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(f"{base}/accounts/signup/done/")
    expect(page.locator("h1")).to_have_text("Check your email")

    # Signup signs nobody in (a taken address gets the same answer). Sign in before confirming: a banner asks.
    sign_in(page, base, USERNAME, PASSWORD)
    expect(page).to_have_url(f"{base}/me/")
    expect(page.locator(".notice")).to_contain_text("Please confirm your email address")

    # Confirm the address from the emailed link, in the same (signed-in) browser.
    page.goto(newest_verification_link(mail_dir, base))
    expect(page).to_have_url(f"{base}/me/")
    expect(page.locator(".messages")).to_contain_text("Your email address is confirmed. Thank you.")
    expect(page.get_by_text("Please confirm your email address")).to_have_count(0)
    expect(page.locator('[data-profile="username"]')).to_have_text(USERNAME)
    consents = open_section(page, "consents")
    expect(consents.locator("tbody")).to_be_visible()
    expect(consents).to_contain_text("Terms of Use")
    expect(consents).to_contain_text("Privacy Policy")
    expect(consents.locator("tbody tr")).to_have_count(2)
    expect(consents.locator("tbody")).not_to_contain_text("Withdrawn")

    # Sign out with the header's button, then sign in with the ID and password.
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.locator(".messages")).to_contain_text("You are signed out.")
    expect(page.locator("header")).to_contain_text("Sign in")
    sign_in(page, base, USERNAME, PASSWORD)
    expect(page).to_have_url(f"{base}/me/")
    expect(page.locator("h1")).to_have_text("My information")
    expect(page.locator(".profile-card h2")).to_have_text(NAME)

    # [Edit Profile]: change the name.
    page.goto(f"{base}/me/edit/")
    expect(page.locator("h1")).to_have_text("Edit Profile")
    expect(page.locator('input[name="name"]')).to_have_value(NAME)
    page.fill('input[name="name"]', NEW_NAME)
    save_profile(page)
    expect(page.locator(".profile-card h2")).to_have_text(NEW_NAME)
    expect(open_section(page, "held").locator('tr[data-item="name"] td')).to_have_text(NEW_NAME)

    # Add a profile photo: the browser shows it on /me/ (it really loads, under the CSP).
    png = tmp_path / "me.png"
    Image.new("RGB", (80, 60), (30, 140, 90)).save(png, "PNG")
    page.goto(f"{base}/me/edit/")
    expect(page.locator('input[name="remove_photo"]')).to_have_count(0)  # nothing to delete yet
    page.set_input_files('input[name="photo"]', str(png))
    save_profile(page)
    expect(page.locator('.not-given [data-item="photo"]')).to_have_count(0)
    photo = page.locator(".profile-card img.photo")
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("src", "/me/photo/")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [80, 60]
    page.screenshot(path=str(SCREENSHOTS["me"]), full_page=True)

    # Delete the photo with the edit form's checkbox.
    page.goto(f"{base}/me/edit/")
    expect(page.locator("#photo-field img.photo")).to_be_visible()
    page.check('input[name="remove_photo"]')
    save_profile(page)
    expect(page.locator(".profile-card img")).to_have_count(0)
    expect(page.locator('.not-given [data-item="photo"]')).to_have_text("Profile photo")

    # [Unregister] (P6.3): the password and the confirmation, then the done page.
    page.goto(f"{base}/me/unregister/")
    expect(page.locator("h1")).to_have_text("Unregister from Groupket")
    page.fill('input[name="password"]', PASSWORD)
    page.check('input[name="confirm"]')
    page.get_by_role("button", name="Unregister and destroy my data").click()
    expect(page).to_have_url(f"{base}/me/unregister/done/")
    expect(page.locator("h1")).to_have_text("You have unregistered")
    expect(page.locator("main")).to_contain_text("your data has been destroyed")
    expect(page.locator("header")).to_contain_text("Sign in")

    # The old ID and password now fail exactly as an ID that never existed does.
    sign_in(page, base, "no.such.member", PASSWORD)
    unknown_id_error = page.locator("main .errorlist[role=alert]")
    expect(unknown_id_error).to_have_text(WRONG_CREDENTIALS)
    sign_in(page, base, USERNAME, PASSWORD)
    expect(page).to_have_url(f"{base}/accounts/login/")
    expect(page.locator("main .errorlist[role=alert]")).to_have_text(WRONG_CREDENTIALS)
    expect(page.locator("header")).not_to_contain_text("My information")

    # P7.5: every request went to the live server's own origin, and nothing broke in the page.
    assert len(recorded.requested_urls) > 20
    assert any(urlsplit(url).path.startswith("/static/") for url in recorded.requested_urls)
    elsewhere = [url for url in recorded.requested_urls if origin(url) != origin(base)]
    assert elsewhere == []
    # The only error statuses are the two refused sign-ins (400 by design); no CSP or script errors.
    assert recorded.error_responses == [("POST", "/accounts/login/", 400)] * 2
    assert recorded.console_errors == []
