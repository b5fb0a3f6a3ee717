"""Staff safeguards: a second factor, 90-day passwords, ending sessions, staff networks (P7.4, P7.7)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from groupket.accounts import throttle
from groupket.accounts.models import Member, SignIn
from groupket.staff import middleware
from groupket.staff import urls as staff_urls
from groupket.staff.models import Authenticator, BackupCodes, StaffPasswordHistory
from groupket.staff.services.roles import grant_role
from tests.conftest import TEST_SETUP, make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.test_security import is_same_origin, loaded_resources

WRONG = "That code is not right."
PAUSED = "Verification is paused for 15 minutes."
REUSED = "Choose a password you have not used recently"


def code_for(device: Authenticator, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or that many 30-second steps later)."""
    return f"{totp(device.secret, device.STEP, 0, device.DIGITS, steps_ahead):06d}"


def wrong_code_for(device: Authenticator) -> str:
    accepted = {code_for(device, step) for step in range(-2, 3)}
    return next(code for code in (f"{n:06d}" for n in range(123456, 999999, 7919)) if code not in accepted)


def let_backoff_pass() -> None:
    """Wait out the devices' own back-off (1, 2, 4 ... seconds after a wrong code), kept in the database."""
    past = timezone.now() - timedelta(hours=1)
    for model in (Authenticator, BackupCodes):
        model.objects.exclude(throttling_failure_timestamp=None).update(throttling_failure_timestamp=past)


def travel(monkeypatch: pytest.MonkeyPatch, module: object, seconds: float) -> None:
    """Move a module's clock to this many seconds after the real now."""
    now = middleware.time.time()
    monkeypatch.setattr(module, "_now", lambda: now + seconds)


def new_staff(client: Client, role: str = "support_handler") -> Member:
    """A member just given a role, signed in with the password only and no authenticator yet."""
    staff = MemberFactory()
    grant_role(officer=TEST_SETUP, member=staff, role=role, reason="test staff")
    sign_in(client, staff)
    return staff


def console_urls() -> list[str]:
    samples = {"IntConverter": 1, "UUIDConverter": uuid.UUID(int=1)}
    urls = []
    for pattern in staff_urls.urlpatterns:
        kwargs = {name: samples.get(type(conv).__name__, "x") for name, conv in pattern.pattern.converters.items()}
        urls.append(reverse(f"staff:{pattern.name}", kwargs=kwargs))
    return urls


def enrol(client: Client, staff: Member) -> list[str]:
    client.get("/staff/enrol/")
    device = Authenticator.objects.get(user=staff, confirmed=False)
    response = client.post("/staff/enrol/", {"code": code_for(device)})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


# --- Enrolment -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_new_staff_can_do_nothing_but_enrol(client: Client) -> None:
    new_staff(client, "privacy_officer")
    for url in console_urls():
        if url == "/staff/enrol/":
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert (response.status_code, response.get("Location")) == (302, "/staff/enrol/"), url
    assert client.get("/staff/enrol/").status_code == 200


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
@pytest.mark.clause("P7.5")
def test_enrol_page_draws_the_qr_code_inline_and_requests_nothing_from_another_origin(client: Client) -> None:
    staff = new_staff(client)
    response = client.get("/staff/enrol/")
    page = response.content.decode()
    device = Authenticator.objects.get(user=staff)
    assert not device.confirmed
    assert '<figure class="qr-code"' in page and "<svg " in page and "<img" not in page.split("qr-code")[1][:200]
    secret = "".join(re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).split())
    assert device.config_url.split("secret=")[1].startswith(secret)
    resources = loaded_resources(page)
    assert resources.urls and [url for _, url in resources.urls if not is_same_origin(url)] == []
    assert resources.inline == []
    # Nothing inside the SVG (an <image>, a <use>) or anywhere else points at another origin either.
    addresses = re.findall(r"""(?:src|href|srcset|action)\s*=\s*["']([^"']*)""", page)
    assert [address for address in addresses if not is_same_origin(address)] == []
    assert "no-store" in response["Cache-Control"]
    # Opening the page again shows the same secret rather than piling up devices.
    client.get("/staff/enrol/")
    assert Authenticator.objects.filter(user=staff).count() == 1


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
@pytest.mark.parametrize(("typed", "message"), [("wrong", WRONG), ("", "Type the 6-digit code"), ("12 34", WRONG)])
def test_enrolment_with_a_wrong_code_confirms_nothing(client: Client, typed: str, message: str) -> None:
    staff = new_staff(client)
    client.get("/staff/enrol/")
    device = Authenticator.objects.get(user=staff)
    response = client.post("/staff/enrol/", {"code": wrong_code_for(device) if typed == "wrong" else typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Authenticator.objects.filter(user=staff, confirmed=True).exists()
    assert not BackupCodes.objects.filter(user=staff).exists()
    assert client.get("/staff/")["Location"] == "/staff/enrol/"


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_enrolment_with_the_right_code_confirms_and_shows_ten_backup_codes_once(client: Client) -> None:
    staff = new_staff(client)
    client.get("/staff/enrol/")
    device = Authenticator.objects.get(user=staff)
    response = client.post("/staff/enrol/", {"code": code_for(device)})
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(set(codes)) == 10
    assert set(codes) == set(BackupCodes.objects.get(user=staff).codes.split())
    assert "shown only once" in page and "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200  # this session passed the second factor
    # The enrol page is closed now: no second authenticator, and the codes are not shown again.
    again = client.get("/staff/enrol/", follow=True)
    assert again.redirect_chain[0] == ("/staff/", 302)
    assert not any(code in again.content.decode() for code in codes)
    assert client.post("/staff/enrol/", {"code": code_for(device, 1)})["Location"] == "/staff/"
    assert Authenticator.objects.filter(user=staff).count() == 1


# --- The second factor at each sign-in ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_next_sign_in_needs_the_second_factor_and_returns_to_the_page_asked_for(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in(client, staff)
    response = client.get("/staff/members/")
    assert response["Location"] == "/staff/verify/?next=%2Fstaff%2Fmembers%2F"
    device = Authenticator.objects.get(user=staff)
    session_before = client.cookies["sessionid"].value
    response = client.post("/staff/verify/", {"code": code_for(device), "next": "/staff/members/"})
    assert response["Location"] == "/staff/members/"
    assert client.cookies["sessionid"].value != session_before  # a new session key once verified
    assert client.get("/staff/members/").status_code == 200
    assert SignIn.objects.get(member=staff).session_key == client.cookies["sessionid"].value


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_a_wrong_code_is_refused_and_an_outside_next_is_ignored(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in(client, staff)
    device = Authenticator.objects.get(user=staff)
    response = client.post("/staff/verify/", {"code": wrong_code_for(device)})
    assert response.status_code == 400 and WRONG in response.content.decode()
    assert client.post("/staff/verify/", {"code": ""}).status_code == 400
    assert client.get("/staff/")["Location"].startswith("/staff/verify/")
    let_backoff_pass()
    response = client.post("/staff/verify/", {"code": code_for(device), "next": "https://elsewhere.example/"})
    assert response["Location"] == "/staff/"


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_a_backup_code_works_once_only(client: Client) -> None:
    staff = new_staff(client)
    codes = enrol(client, staff)
    first, second = Client(), Client()
    sign_in(first, staff)
    # Typed in capitals with a space, as people copy them.
    response = first.post("/staff/verify/", {"code": f"{codes[0][:4].upper()} {codes[0][4:].upper()}"})
    assert response["Location"] == "/staff/"
    assert first.get("/staff/").status_code == 200
    sign_in(second, staff)
    response = second.post("/staff/verify/", {"code": codes[0]})
    assert response.status_code == 400 and WRONG in response.content.decode()
    assert BackupCodes.objects.get(user=staff).remaining == 9


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_five_wrong_codes_pause_verification_for_15_minutes(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    staff = make_staff("support_handler")
    sign_in(client, staff)
    device = Authenticator.objects.get(user=staff)
    statuses = [client.post("/staff/verify/", {"code": wrong_code_for(device)}) for _ in range(5)]
    assert statuses[0].status_code == 400
    assert all(response.status_code in (400, 429) for response in statuses[1:4])
    assert statuses[4].status_code == 429 and PAUSED in statuses[4].content.decode()
    let_backoff_pass()
    # Even the right code is refused during the pause.
    response = client.post("/staff/verify/", {"code": code_for(device)})
    assert response.status_code == 429 and PAUSED in response.content.decode()
    travel(monkeypatch, throttle, 14 * 60)
    assert client.post("/staff/verify/", {"code": code_for(device)}).status_code == 429
    travel(monkeypatch, throttle, 15 * 60 + 1)
    assert client.post("/staff/verify/", {"code": code_for(device)})["Location"] == "/staff/"


# --- Passwords expire after 90 days and are not reused ---------------------------------------------------------------


def change(client: Client, old: str, new: str) -> object:
    return client.post("/staff/password/", {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_a_password_older_than_90_days_must_be_changed_first(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    Member.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    assert client.get("/staff/").status_code == 200
    Member.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    for url in ("/staff/", "/staff/members/"):
        assert client.get(url)["Location"] == "/staff/password/"
    page = client.get("/staff/password/").content.decode()
    assert "more than 90 days old" in page
    assert change(client, DEFAULT_PASSWORD, "Fresh4password-now").status_code == 302
    assert client.get("/staff/").status_code == 200
    # Without the second factor, the password page sends the staff member to verify first.
    staff.refresh_from_db()  # the new password's hash, which a new session is tied to
    other = Client()
    sign_in(other, staff)
    assert other.get("/staff/password/")["Location"].startswith("/staff/verify/")


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_the_current_and_last_five_passwords_are_refused_and_a_fresh_one_accepted(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    other_browser = Client()
    sign_in_staff(other_browser, staff)
    passwords = [DEFAULT_PASSWORD] + [f"Cobalt{n}river-Stone" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302
    assert other_browser.get("/staff/").status_code == 404  # signed out by the first change
    current = passwords[-1]
    for earlier in passwords[:-1]:
        response = change(client, current, earlier)
        assert response.status_code == 400 and REUSED in response.content.decode()
    assert change(client, current, current).status_code == 400
    assert StaffPasswordHistory.objects.filter(member=staff).count() == 5
    assert change(client, current, "Fresh6harbour-Gate").status_code == 302
    # Only the last five are kept: the first password is usable again.
    assert StaffPasswordHistory.objects.filter(member=staff).count() == 5
    assert change(client, "Fresh6harbour-Gate", DEFAULT_PASSWORD).status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(DEFAULT_PASSWORD)
    assert timezone.now() - staff.password_changed_at < timedelta(minutes=1)
    assert client.get("/staff/").status_code == 200  # this browser stayed signed in throughout


# --- Sessions end after 30 idle minutes and 12 hours ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_staff_session_ends_after_30_idle_minutes(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    assert client.get("/staff/").status_code == 200
    travel(monkeypatch, middleware, 29 * 60)
    assert client.get("/staff/").status_code == 200
    travel(monkeypatch, middleware, (29 + 31) * 60)
    assert client.get("/staff/").status_code == 404
    assert client.get("/me/").status_code == 302
    assert not SignIn.objects.filter(member=staff).exists() and Session.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_staff_session_ends_12_hours_after_sign_in_however_busy(client: Client, monkeypatch) -> None:
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    for minutes in [*range(25, 716, 25), 715]:
        travel(monkeypatch, middleware, minutes * 60)
        assert client.get("/staff/").status_code == 200, minutes
    travel(monkeypatch, middleware, (12 * 60 + 1) * 60)
    assert client.get("/").status_code == 200
    assert client.get("/staff/").status_code == 404
    assert not SignIn.objects.filter(member=staff).exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_a_role_granted_during_a_session_brings_the_idle_limit(client: Client, monkeypatch) -> None:
    member = MemberFactory()
    Authenticator.objects.create(
        user=member, data_key_id=member.data_key_id, name="authenticator", secret=Authenticator.new_secret()
    )
    sign_in_staff(client, member)
    assert client.get("/").status_code == 200  # known as an ordinary member from here on
    grant_role(officer=TEST_SETUP, member=member, role="moderator", reason="test staff")
    assert client.get("/staff/").status_code == 200
    travel(monkeypatch, middleware, 31 * 60)
    client.get("/")
    assert client.get("/me/").status_code == 302


@pytest.mark.django_db
def test_ordinary_members_pay_no_query_for_the_staff_session_check(member: Member, settings, django_assert_num_queries):
    def queries_per_visit() -> list[int]:
        browser = Client()
        sign_in(browser, member)
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert browser.get("/").status_code == 200
            counts.append(len(queries))
        return counts

    with_check = settings.MIDDLEWARE
    settings.MIDDLEWARE = [name for name in with_check if name != "groupket.staff.middleware.StaffSessionMiddleware"]
    without = queries_per_visit()
    settings.MIDDLEWARE = with_check
    browser = Client()
    sign_in(browser, member)
    # Not even the first page after sign-in: whether the member is staff was settled when signing in.
    for expected in without:
        with django_assert_num_queries(expected):
            browser.get("/")


# --- Staff networks --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
def test_staff_networks_work_for_ipv6(client: Client, settings) -> None:
    sign_in_staff(client, make_staff("support_handler"))
    assert client.get("/staff/", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/staff/", REMOTE_ADDR="2001:db8:10::7").status_code == 404
    settings.GROUPKET_STAFF_NETWORKS = ["2001:db8:10::/48"]
    assert client.get("/staff/", REMOTE_ADDR="2001:db8:10::7").status_code == 200
    assert client.get("/staff/", REMOTE_ADDR="2001:db8:11::7").status_code == 404
    assert client.get("/staff/", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
@pytest.mark.parametrize("address", ["", "not-an-address", "127.0.0.1, 10.0.0.1", "127.0.0.1:8000", "127.1.2.300"])
def test_a_malformed_client_address_gets_the_ordinary_404(client: Client, address: str) -> None:
    sign_in_staff(client, make_staff("privacy_officer"))
    missing = client.get("/no-such-page/")
    response = client.get("/staff/", REMOTE_ADDR=address)
    assert response.status_code == 404 and response.content == missing.content
