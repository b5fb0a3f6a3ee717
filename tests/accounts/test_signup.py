"""Sign up with consent (P1.1, P2.1, P3.1)."""

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.privacy.models import ConsentEvent
from groupket.privacy.selectors import current_document

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
    assert 'name="marketing_opt_in"' in html and "checked" not in html.split('name="marketing_opt_in"')[1][:40]


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
    client.post("/accounts/logout/")
    other = Client()
    response = post_signup(other, username="MINJI.KIM", email="other@example.org")
    assert "This ID is taken" in response.content.decode()
    response = post_signup(other, username="someone", email="minji@example.org")
    assert "An account with this email address exists" in response.content.decode()
    assert Member.objects.count() == 1
