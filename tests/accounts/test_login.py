"""Sign in by ID and password, throttling, shared computers, sign out and sign-in records (P7.1, P7.9)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from groupket.accounts import throttle
from groupket.accounts.models import LoginRecord, Member, SignIn
from groupket.accounts.services.sign_in import purge_old_login_records
from groupket.privacy.models import DestructionLog
from tests.factories import DEFAULT_PASSWORD
from tests.hashers import CountingArgon2Hasher
from tests.markup import fragment

WRONG = "The ID or the password is not correct."
LOCKED = "Too many failed sign-in attempts."
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)


def post_login(client: Client, username: str, password: str = DEFAULT_PASSWORD, **extra: str) -> object:
    data = {"username": username, "password": password}
    if extra.pop("shared_computer", None):
        data["shared_computer"] = "on"
    return client.post("/accounts/login/", data, **extra)


def is_signed_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


def travel(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Move the throttle's clock forward."""
    now = throttle._now()
    monkeypatch.setattr(throttle, "_now", lambda: now + seconds)


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_login_form_asks_for_id_password_and_shared_computer(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="shared_computer"' in html and "This is a shared computer" in html
    assert 'type="checkbox" name="shared_computer"' in html and "checked" not in html.split("shared_computer")[1][:30]


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_right_password_signs_in_for_14_days_and_is_recorded(client: Client, member: Member) -> None:
    response = post_login(client, member.username.upper(), HTTP_USER_AGENT=CHROME, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert int(response.cookies["sessionid"]["max-age"]) == 14 * 24 * 3600
    assert is_signed_in(client)
    sign_in = SignIn.objects.get(member=member)
    assert sign_in.shared_computer is False and sign_in.user_agent == CHROME
    record = LoginRecord.objects.get(member=member)
    assert (record.succeeded, record.ip_address, record.user_agent) == (True, "198.51.100.4", CHROME)


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_shared_computer_session_ends_with_the_browser_and_after_30_idle_minutes(
    client: Client, member: Member
) -> None:
    response = post_login(client, member.username, shared_computer="on")
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    SignIn.objects.filter(member=member).update(last_seen_at=timezone.now() - timedelta(minutes=29))
    assert is_signed_in(client)
    SignIn.objects.filter(member=member).update(last_seen_at=timezone.now() - timedelta(minutes=31))
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not SignIn.objects.filter(member=member).exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_own_computer_session_survives_idle_time(client: Client, member: Member) -> None:
    post_login(client, member.username)
    SignIn.objects.filter(member=member).update(last_seen_at=timezone.now() - timedelta(hours=5))
    assert is_signed_in(client)


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_wrong_password_and_unknown_id_get_the_same_answer_and_only_a_member_gets_a_record(
    client: Client, member: Member
) -> None:
    wrong = post_login(client, member.username, "wrong9password")
    unknown = post_login(client, "nobody.here", "wrong9password")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert WRONG in response.content.decode()
    assert not is_signed_in(client)
    assert [(r.member_id, r.succeeded) for r in LoginRecord.objects.all()] == [(member.pk, False)]


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_five_failures_lock_the_id_for_15_minutes_even_with_the_right_password(
    client: Client, member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = [post_login(client, member.username, f"wrong{n}password").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    response = post_login(client, member.username)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not is_signed_in(client)
    assert LoginRecord.objects.filter(member=member, succeeded=True).count() == 0
    travel(monkeypatch, 15 * 60 + 1)
    assert post_login(client, member.username).status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_a_locked_unknown_id_gets_exactly_the_same_answer_as_a_locked_member(client: Client, member: Member) -> None:
    def locked_answer(username: str) -> tuple[int, str]:
        for n in range(5):
            post_login(client, username, f"wrong{n}password")
        response = post_login(client, username, "another1password")
        errors = fragment(response.content.decode(), class_="errorlist")
        return response.status_code, errors

    member_answer = locked_answer(member.username)
    assert member_answer[0] == 429 and LOCKED in member_answer[1]
    assert locked_answer("no.such.member") == member_answer


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_failures_older_than_the_window_do_not_count(
    client: Client, member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        post_login(client, member.username, f"wrong{n}password")
    travel(monkeypatch, 16 * 60)
    assert post_login(client, member.username, "wrong4password").status_code == 400
    assert post_login(client, member.username).status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_twenty_failures_from_one_address_refuse_that_address_only(client: Client, member: Member) -> None:
    attacker = "203.0.113.7"
    statuses = [post_login(client, f"guess{n}", "wrong9password", REMOTE_ADDR=attacker).status_code for n in range(20)]
    assert statuses == [400] * 19 + [429]
    response = post_login(client, member.username, REMOTE_ADDR=attacker)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert post_login(Client(), member.username, REMOTE_ADDR="198.51.100.20").status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_an_ipv6_visitor_cannot_dodge_the_address_limit_within_its_64(client: Client, member: Member) -> None:
    for n in range(20):
        post_login(client, f"guess{n}", "wrong9password", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    assert post_login(client, member.username, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert post_login(client, member.username, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def _cache_keys() -> list[str]:
    """Every key in the cache in use: local memory on a laptop, Redis when REDIS_URL is set."""
    if hasattr(cache._cache, "get_client"):
        return [key.decode() for key in cache._cache.get_client().keys("*")]
    return list(cache._cache.keys())


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_throttle_counters_never_hold_the_id_or_the_address(client: Client) -> None:
    post_login(client, "Secret.Name", "wrong9password", REMOTE_ADDR="192.0.2.55")
    keys = " ".join(_cache_keys()).casefold()
    assert "signin:id:" in keys and "signin:ip:" in keys
    assert "secret.name" not in keys and "192.0.2.55" not in keys


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_a_success_clears_the_ids_failures(client: Client, member: Member) -> None:
    for n in range(4):
        post_login(client, member.username, f"wrong{n}password")
    assert post_login(client, member.username).status_code == 302
    client.post("/accounts/logout/")
    assert post_login(client, member.username, "wrong5password").status_code == 400


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_passwords_are_stored_as_argon2id(member: Member) -> None:
    assert member.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_an_unknown_id_costs_one_argon2_run_like_a_wrong_password(
    client: Client, member: Member, settings: pytest.FixtureRequest
) -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2Hasher"]
    CountingArgon2Hasher.reset()
    post_login(client, "no.such.member", "wrong9password")
    assert CountingArgon2Hasher.runs == 1
    post_login(client, member.username, "wrong9password")
    assert CountingArgon2Hasher.runs == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/me/sessions/", "/me/sessions/"),
        ("https://evil.example/", "/me/"),
        ("//evil.example/x", "/me/"),
        ("0", "/me/"),  # a bare word is not a path: redirect() would look it up as a view name
        ("accounts:logout", "/me/"),
        ("me/sessions/", "/me/"),
    ],
)
def test_next_redirect_stays_on_this_site(client: Client, member: Member, next_url: str, expected: str) -> None:
    response = client.post(
        "/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD, "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == expected


@pytest.mark.django_db
def test_login_page_keeps_a_safe_next_and_drops_an_unsafe_one(client: Client) -> None:
    def login_form(query: str) -> str:
        html = client.get(f"/accounts/login/?{query}").content.decode()
        return fragment(html, tag="form", action="/accounts/login/")

    assert '<input type="hidden" name="next" value="/me/sessions/">' in login_form("next=/me/sessions/")
    assert 'name="next"' not in login_form("next=https://evil.example/")


@pytest.mark.django_db
def test_empty_login_form_gets_its_messages(client: Client) -> None:
    response = client.post("/accounts/login/", {})
    assert response.status_code == 400
    assert "Enter your ID." in response.content.decode() and "Enter your password." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_sign_out_ends_the_session_and_its_listing(signed_in: Client, member: Member) -> None:
    assert signed_in.get("/accounts/logout/").status_code == 200  # a link alone signs nobody out
    assert SignIn.objects.filter(member=member).count() == 1
    session_key = signed_in.cookies["sessionid"].value
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not SignIn.objects.filter(member=member).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not is_signed_in(signed_in)


@pytest.mark.django_db
def test_old_login_records_are_destroyed_and_the_destruction_logged(client: Client, member: Member) -> None:
    post_login(client, member.username, "wrong9password")
    post_login(client, member.username)
    old, recent = LoginRecord.objects.order_by("pk")
    LoginRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    LoginRecord.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=89))
    assert purge_old_login_records() == 1
    assert list(LoginRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    log = DestructionLog.objects.get()
    assert (log.category, log.count) == ("login records", 1)
    assert purge_old_login_records() == 0 and DestructionLog.objects.count() == 1
