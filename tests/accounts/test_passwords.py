"""Changing a password, resetting it by email, and the reminder to change an old one (P7.1, P7.9)."""

import email
import email.policy
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from groupket.accounts.models import Member, SignIn
from groupket.accounts.services.passwords import reset_tokens
from groupket.accounts.tokens import make_reset_token
from tests.factories import DEFAULT_PASSWORD, MemberFactory

NEW_PASSWORD = "violet4meadow-Cloud"
REMINDER = "Your password is more than 180 days old."
INVALID_LINK = "This link is not valid"


def browser(member: Member) -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD}).status_code == 302
    )
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


def change(client: Client, old: str = DEFAULT_PASSWORD, new: str = NEW_PASSWORD, again: str | None = None) -> object:
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post("/me/password/", data)


def request_reset(client: Client, address: str, capture: Callable[..., object]) -> object:
    # Mail is sent on commit, as in production.
    with capture(execute=True):
        return client.post("/accounts/password-reset/", {"email": address})


def mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]


def reset_path(message: email.message.EmailMessage) -> str:
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", message.get_content()).group(0)
    return urlsplit(link).path


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
@pytest.mark.clause("P7.9")
def test_change_keeps_this_browser_ends_the_others_and_stores_argon2id(member: Member) -> None:
    laptop, phone = browser(member), browser(member)
    before = Member.objects.get(pk=member.pk).password_changed_at
    response = change(laptop)
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert "every other browser is signed out" in laptop.get("/me/").content.decode()
    assert is_signed_in(laptop) and not is_signed_in(phone)
    remaining = SignIn.objects.get(member=member)
    assert remaining.session_key == laptop.cookies["sessionid"].value
    member.refresh_from_db()
    assert member.password.startswith("argon2$argon2id$") and member.check_password(NEW_PASSWORD)
    assert member.password_changed_at > before


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_change_needs_the_current_password(signed_in: Client, member: Member) -> None:
    response = change(signed_in, old="not9mypassword")
    assert response.status_code == 400
    assert "That is not your current password." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("lettersonlypassword", None, "Mix letters and numbers."),
        ("{username}-2026x", None, "Do not use your ID"),
        ("minji2026kim", None, "Do not use your ID"),  # the member's first name
        (NEW_PASSWORD, "different5Password", "The two passwords differ."),
        (DEFAULT_PASSWORD, None, "different from the current one"),
    ],
)
def test_change_applies_the_rules_with_the_member_as_user(
    signed_in: Client, member: Member, new: str, again: str | None, message: str
) -> None:
    response = change(signed_in, new=new.format(username=member.username), again=again)
    assert response.status_code == 400
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_reset_request_answers_the_same_and_mails_only_a_member(
    client: Client, member: Member, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    known = request_reset(client, member.email.upper(), django_capture_on_commit_callbacks)
    unknown = request_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())
    assert "If the address belongs to a Groupket account" in known.content.decode()
    sent = mails(mail_dir)
    assert [message["To"] for message in sent] == [member.email]
    assert sent[0]["Subject"].strip() == "[Groupket] Set a new password / 새 비밀번호 설정"


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_reset_link_sets_a_new_password_ends_every_session_and_works_once(
    client: Client, member: Member, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    elsewhere = browser(member)
    request_reset(client, member.email, django_capture_on_commit_callbacks)
    link = reset_path(mails(mail_dir)[0])
    response = client.get(link)
    # The token leaves the address bar: it is kept in the session instead.
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/set-password/"
    assert 'name="new_password1"' in client.get(response["Location"]).content.decode()
    response = client.post(response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and member.password.startswith("argon2$argon2id$")
    assert not SignIn.objects.filter(member=member).exists() and not is_signed_in(elsewhere)
    again = Client().get(link)
    assert again.status_code == 400 and INVALID_LINK in again.content.decode()
    assert Client().post("/accounts/login/", {"username": member.username, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
@pytest.mark.parametrize(("minutes", "status"), [(59, 302), (61, 400)])
def test_reset_link_expires_after_one_hour(
    client: Client,
    member: Member,
    mail_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
    minutes: int,
    status: int,
) -> None:
    request_reset(client, member.email, django_capture_on_commit_callbacks)
    later = datetime.now() + timedelta(minutes=minutes)
    monkeypatch.setattr(reset_tokens, "_now", lambda: later)
    assert client.get(reset_path(mails(mail_dir)[0])).status_code == status


@pytest.mark.django_db
def test_a_sign_in_after_the_link_was_mailed_ends_the_link_and_a_wrong_password_does_not(member: Member) -> None:
    link = f"/accounts/password-reset/{make_reset_token(member)}/"
    wrong = Client().post("/accounts/login/", {"username": member.username, "password": "not-the-Password9"})
    assert wrong.status_code == 400
    assert Client().get(link).status_code == 302  # still on to the form
    browser(member)
    assert Client().get(link).status_code == 400


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_reset_applies_the_rules_and_changes_nothing_on_error(
    client: Client, member: Member, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    request_reset(client, member.email, django_capture_on_commit_callbacks)
    form_page = client.get(reset_path(mails(mail_dir)[0]))["Location"]
    weak = f"{member.username}7x"
    response = client.post(form_page, {"new_password1": weak, "new_password2": weak})
    assert response.status_code == 400 and "Do not use your ID" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "-",
        "MQ-",
        "%%%-abc",
        "OTk5OTk5-6x8-0123456789abcdef",
        urlsafe_base64_encode(force_bytes("9" * 40)) + "-abc-def",
        "set-password",
    ],
)
def test_bad_reset_links_get_a_clear_400(client: Client, member: Member, token: str) -> None:
    response = client.get(f"/accounts/password-reset/{token}/")
    assert response.status_code == 400 and INVALID_LINK in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_a_link_for_one_member_is_not_valid_for_another(member: Member) -> None:
    other = MemberFactory()
    forged = f"{urlsafe_base64_encode(force_bytes(other.pk))}-{reset_tokens.make_token(member)}"
    assert Client().get(f"/accounts/password-reset/{forged}/").status_code == 400


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_reminder_appears_after_180_days_and_remind_later_hides_it_for_30_days(
    signed_in: Client, member: Member
) -> None:
    Member.objects.filter(pk=member.pk).update(password_changed_at=timezone.now() - timedelta(days=179))
    assert REMINDER not in signed_in.get("/me/").content.decode()
    Member.objects.filter(pk=member.pk).update(password_changed_at=timezone.now() - timedelta(days=181))
    page = signed_in.get("/me/").content.decode()
    assert REMINDER in page and 'href="/me/password/"' in page
    response = signed_in.post("/me/password/remind-later/", {"next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert REMINDER not in signed_in.get("/me/").content.decode()
    member.refresh_from_db()
    snoozed_for = member.password_reminder_snoozed_until - timezone.now()
    assert timedelta(days=29, hours=23) < snoozed_for <= timedelta(days=30)
    Member.objects.filter(pk=member.pk).update(password_reminder_snoozed_until=timezone.now() - timedelta(seconds=1))
    assert REMINDER in signed_in.get("/me/").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_changing_the_password_ends_the_reminder(signed_in: Client, member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(password_changed_at=timezone.now() - timedelta(days=200))
    assert REMINDER in signed_in.get("/me/").content.decode()
    change(signed_in)
    assert REMINDER not in signed_in.get("/me/").content.decode()


@pytest.mark.django_db
def test_remind_later_is_post_only_and_keeps_next_on_this_site(signed_in: Client, member: Member) -> None:
    assert signed_in.get("/me/password/remind-later/").status_code == 405
    response = signed_in.post("/me/password/remind-later/", {"next": "https://evil.example/"})
    assert response["Location"] == "/me/"


@pytest.mark.clause("P7.1")
def test_the_product_hashes_with_argon2_first() -> None:
    """Tests swap in cheaper Argon2 costs; the product itself lists its Argon2 hasher (Django's, tuned) first."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.utils.module_loading import import_string

    from groupket import settings as product_settings

    first = import_string(product_settings.PASSWORD_HASHERS[0])
    assert issubclass(first, Argon2PasswordHasher)
    assert first.algorithm == "argon2"
    assert product_settings.GROUPKET_ARGON2 == {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
