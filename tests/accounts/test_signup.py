"""Sign up with consent (P1.1, P2.1, P3.1)."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.privacy.models import ConsentEvent
from groupket.privacy.selectors import current_document
from tests.accounts.test_passwords import mails, without_csrf
from tests.hashers import CountingArgon2Hasher
from tests.markup import attribute

VALID = {
    "username": "minji.kim",
    "name": "Minji Kim",
    "email": "Minji@Example.ORG",
    "password1": "blue9harbor-Lamp",
    "password2": "blue9harbor-Lamp",
    "agree_terms": "agree",
    "agree_privacy": "agree",
}


def post_signup(client: Client, **changes: str | None) -> object:
    data = {**VALID, **changes}
    return client.post("/accounts/signup/", {k: v for k, v in data.items() if v is not None})


@pytest.mark.django_db
@pytest.mark.clause("P1.1")
def test_signup_form_asks_for_exactly_the_four_required_items(client: Client) -> None:
    html = client.get("/accounts/signup/").content.decode()
    inputs = {
        name
        for name in ("username", "name", "email", "password1", "password2", "phone", "bio", "photo", "address")
        if f'name="{name}"' in html
    }
    assert inputs == {"username", "name", "email", "password1", "password2"}
    assert 'name="agree_terms"' in html and 'name="agree_privacy"' in html
    assert attribute(html, "checked", tag="input", name="marketing_opt_in") is None


@pytest.mark.django_db
@pytest.mark.clause("P2.1")
@pytest.mark.clause("P3.1")
def test_signup_without_optional_items_creates_member_and_records_both_agreements(client: Client) -> None:
    response = post_signup(client)
    assert response.status_code == 302
    member = Member.objects.with_username("MINJI.KIM").get()
    assert member.username == "minji.kim"
    assert member.email == "Minji@example.org"
    assert member.phone is None and member.bio is None and member.photo is None
    events = {(e.document, e.version, e.granted, e.channel) for e in ConsentEvent.objects.filter(member=member)}
    terms, privacy = current_document("terms"), current_document("privacy")
    assert events == {("terms", terms.version, True, "web"), ("privacy", privacy.version, True, "web")}


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_marketing_opt_in_is_its_own_consent_event(client: Client) -> None:
    post_signup(client, marketing_opt_in="on")
    member = Member.objects.with_username("minji.kim").get()
    assert ConsentEvent.objects.filter(member=member, document="marketing", granted=True).count() == 1


@pytest.mark.django_db
@pytest.mark.clause("P2.1")
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("username", "Choose an ID."),
        ("name", "Enter your name."),
        ("email", "Enter your email address."),
        ("password1", "Choose a password."),
    ],
)
def test_signup_missing_a_required_item_fails_with_its_own_message(client: Client, field: str, message: str) -> None:
    response = post_signup(client, **{field: None})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Member.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
@pytest.mark.parametrize("document", ["agree_terms", "agree_privacy"])
def test_disagree_ends_signup_and_stores_nothing(client: Client, document: str) -> None:
    response = post_signup(client, **{document: "disagree"})
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/declined/"
    assert Member.objects.count() == 0
    assert ConsentEvent.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "nothing you typed was stored" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"username": "ab"}, "Use 3 to 30 letters"),
        ({"username": "김민지"}, "Use 3 to 30 letters"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password2": "different9Pass"}, "The two passwords differ."),
        ({"password1": "short1", "password2": "short1"}, "Use at least 10 characters."),
        ({"password1": "onlyletterspass", "password2": "onlyletterspass"}, "Mix letters and numbers."),
        ({"password1": "minji.kim2026x", "password2": "minji.kim2026x"}, "Do not use your ID"),
    ],
)
def test_invalid_items_get_their_message_and_store_nothing(client: Client, changes: dict, field_message: str) -> None:
    response = post_signup(client, **changes)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_username_and_email_are_unique_case_insensitively(client: Client) -> None:
    post_signup(client)
    other = Client()
    response = post_signup(other, username="MINJI.KIM", email="other@example.org")
    assert "This ID is taken" in response.content.decode()  # IDs are public handles
    response = post_signup(other, username="someone", email="minji@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/done/"
    assert Member.objects.count() == 1


def signup_answer(response: object, client: Client) -> tuple:
    """What a visitor can see of a signup's answer: status, where it leads, its cookies, the next page."""
    page = client.get(response["Location"])
    html = without_csrf(page.content.decode())
    return response.status_code, response["Location"], sorted(response.cookies), page.status_code, html


@pytest.mark.django_db
def test_a_taken_email_gets_the_fresh_signup_answer_stores_nothing_and_tells_its_owner(
    mail_dir: Path, settings: pytest.FixtureRequest, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2Hasher"]
    CountingArgon2Hasher.reset()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = Client()
        fresh_answer = signup_answer(post_signup(fresh), fresh)
    assert CountingArgon2Hasher.runs == 1
    owner = Member.objects.get()
    counts = (Member.objects.count(), ConsentEvent.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        taken = Client()
        taken_answer = signup_answer(post_signup(taken, username="intruder", name="Mallory Intruder"), taken)
    assert taken_answer == fresh_answer
    assert "Check your email" in taken_answer[-1]
    assert CountingArgon2Hasher.runs == 2  # the attempted password is hashed too, then dropped
    assert (Member.objects.count(), ConsentEvent.objects.count()) == counts
    assert not Member.objects.with_username("intruder").exists()
    assert fresh.get("/me/").status_code == taken.get("/me/").status_code == 302  # neither is signed in
    verification, notice = mails(mail_dir)
    assert verification["To"] == notice["To"] == owner.email
    assert notice["Subject"].strip() == (
        "[Groupket] Someone tried to sign up with your email address / "
        "회원님의 이메일 주소로 회원가입 시도가 있었습니다"
    )
    body = notice.get_content()
    assert "no new account was made" in body and "새 계정은 만들어지지 않았고" in body
    assert "Mallory" not in body and "intruder" not in body  # nothing the visitor typed reaches the owner


@pytest.mark.django_db
def test_an_address_owner_gets_at_most_3_notices_an_hour(
    member: Member, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signup(Client(), username=f"intruder{n}", email=member.email)
        assert response.status_code == 302
    assert len(mails(mail_dir)) == 3
