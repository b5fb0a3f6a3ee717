"""[Edit Profile]: name, email change with verification, phone and bio (P1.2, P2.2, P2.3, P6.1)."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client, TestCase

from groupket.accounts.models import Member
from tests.accounts.test_verification import open_verification_link
from tests.conftest import MEMBER_PAGE_QUERIES, sign_in
from tests.factories import MemberFactory
from tests.markup import fragment

run_on_commit = TestCase.captureOnCommitCallbacks


def current_values(member: Member) -> dict[str, str]:
    member = Member.objects.get(pk=member.pk)
    return {"name": member.name, "email": member.email, "phone": member.phone or "", "bio": member.bio or ""}


def post_edit(client: Client, member: Member, **changes: object) -> object:
    # The test's transaction never commits, so the mail queued for after commit is run here.
    with run_on_commit(execute=True):
        return client.post("/me/edit/", {**current_values(member), **changes})


def open_link(client: Client, path: str) -> object:
    with run_on_commit(execute=True):
        return open_verification_link(client, path)


def reload(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


def read_mail(mail_dir: Path) -> list[EmailMessage]:
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]


def my_information_row(client: Client, key: str) -> str:
    page = client.get("/me/").content.decode()
    return fragment(page, tag="tr", data_item=key)


def not_given_line(client: Client) -> str:
    """My information's one line of optional items the member has not given."""
    page = client.get("/me/").content.decode()
    return fragment(page, class_="not-given")


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
@pytest.mark.clause("P2.3")
def test_edit_page_shows_current_items_and_warns_against_sensitive_information(signed_in: Client, member) -> None:
    response = signed_in.get("/me/edit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert f'value="{member.name}"' in html and f'value="{member.email}"' in html
    for field in ("name", "email", "phone", "bio", "photo"):
        assert f'name="{field}"' in html
    notice = fragment(html, id="sensitive-notice")
    for word in ("health", "beliefs", "political views", "criminal records", "race", "sex life"):
        assert word in notice


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/me/edit/", "/me/photo/"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_a_new_name_is_saved_and_shown_on_my_information(signed_in: Client, member) -> None:
    response = post_edit(signed_in, member, name="  Kim Minji  ")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert reload(member).name == "Kim Minji"
    assert "Kim Minji" in my_information_row(signed_in, "name")


@pytest.mark.django_db
@pytest.mark.clause("P1.2")
@pytest.mark.parametrize(
    ("field", "typed", "stored", "shown"),
    [
        ("phone", "010-1234-5678", "+821012345678", "+821012345678"),
        ("bio", "I like hiking\r\nand baking.", "I like hiking\nand baking.", "I like hiking<br>and baking."),
    ],
)
def test_each_optional_item_can_be_added_and_deleted_again(
    signed_in: Client, member, field: str, typed: str, stored: str, shown: str
) -> None:
    assert post_edit(signed_in, member, **{field: typed}).status_code == 302
    assert getattr(reload(member), field) == stored
    assert shown in my_information_row(signed_in, field)

    assert post_edit(signed_in, member, **{field: ""}).status_code == 302
    assert Member.objects.filter(pk=member.pk, **{f"{field}__isnull": True}).exists()
    assert f'data-item="{field}"' in not_given_line(signed_in)
    assert f'<tr data-item="{field}"' not in signed_in.get("/me/").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P1.2")
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("010-1234-5678", "+821012345678"),
        ("01012345678", "+821012345678"),
        ("+82 10 1234 5678", "+821012345678"),
        ("02-312-3456", "+8223123456"),
        ("+1 650-253-0000", "+16502530000"),
    ],
)
def test_phone_numbers_are_read_as_korean_first_and_stored_in_e164(
    signed_in: Client, member, typed: str, stored: str
) -> None:
    assert post_edit(signed_in, member, phone=typed).status_code == 302
    assert reload(member).phone == stored


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["12345", "010-123", "call me maybe", "+82 10 1234 5678 9999"])
def test_an_invalid_phone_number_is_refused_and_nothing_changes(signed_in: Client, member, typed: str) -> None:
    response = post_edit(signed_in, member, phone=typed, name="Changed Name")
    assert response.status_code == 400
    assert "Enter a valid phone number" in response.content.decode()
    after = reload(member)
    assert after.phone is None and after.name == member.name


@pytest.mark.django_db
def test_bio_is_limited_to_500_characters(signed_in: Client, member) -> None:
    response = post_edit(signed_in, member, bio="x" * 501)
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert reload(member).bio is None
    # Line breaks count once each, as the member sees them, even though browsers send CRLF.
    fits = "\r\n".join(["y" * 99] * 5)
    assert post_edit(signed_in, member, bio=fits).status_code == 302
    assert len(reload(member).bio) == 499


@pytest.mark.django_db
@pytest.mark.clause("P2.2")
def test_a_member_without_optional_items_can_edit_their_profile(signed_in: Client, member) -> None:
    response = post_edit(signed_in, member, name="Only Required")
    assert response.status_code == 302
    after = reload(member)
    assert after.name == "Only Required"
    assert (after.phone, after.bio, after.photo, after.pending_email) == (None, None, None, None)


@pytest.mark.django_db
def test_saving_without_changes_changes_nothing(signed_in: Client, member, mail_dir: Path) -> None:
    before = len(read_mail(mail_dir))
    response = post_edit(signed_in, member)
    assert response.status_code == 302
    assert "Nothing was changed." in signed_in.get("/me/").content.decode()
    assert reload(member).pending_email is None and len(read_mail(mail_dir)) == before


def verification_link(message: EmailMessage) -> str:
    body = message.get_body().get_content()
    return urlsplit(re.search(r"https?://\S+/accounts/verify/\S+/", body).group(0)).path


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
@pytest.mark.clause("P1.2")
def test_email_change_is_verified_at_the_new_address_before_it_replaces_the_old(
    signed_in: Client, member, mail_dir: Path
) -> None:
    old = member.email
    sent_before = len(read_mail(mail_dir))
    response = post_edit(signed_in, member, email="New.Address@Example.NET")
    assert response.status_code == 302
    assert "new.address" not in fragment(signed_in.get("/me/").content.decode(), tag="header").lower()

    # Until the link is opened the old address stays in use; the new one only waits.
    waiting = reload(member)
    assert waiting.email == old and waiting.pending_email == "New.Address@example.net"
    assert Member.objects.with_email(old).get() == member
    assert not Member.objects.with_email("new.address@example.net").exists()
    assert "New.Address@example.net" in my_information_row(signed_in, "pending_email")

    sent = read_mail(mail_dir)[sent_before:]
    assert [m["To"] for m in sent] == ["New.Address@example.net"]
    response = open_link(signed_in, verification_link(sent[0]))
    assert response.status_code == 302 and response["Location"] == "/me/"

    changed = reload(member)
    assert changed.email == "New.Address@example.net" and changed.pending_email is None
    assert Member.objects.with_email("NEW.ADDRESS@example.net").get() == member
    assert not Member.objects.with_email(old).exists()
    notice = read_mail(mail_dir)[-1]
    assert notice["To"] == old and "Your email address was changed" in notice["Subject"]
    assert "New.Address@example.net" in my_information_row(signed_in, "email")
    # The link is spent: opening it again changes nothing.
    assert open_link(signed_in, verification_link(sent[0])).status_code == 400


@pytest.mark.django_db
def test_email_of_another_member_is_refused_at_once(signed_in: Client, member) -> None:
    other = MemberFactory()
    response = post_edit(signed_in, member, email=other.email.upper())
    assert response.status_code == 400
    assert "Another account uses this email address" in response.content.decode()
    assert reload(member).pending_email is None


@pytest.mark.django_db
def test_verification_that_would_collide_with_another_member_fails_cleanly(
    signed_in: Client, member, mail_dir: Path
) -> None:
    post_edit(signed_in, member, email="shared@example.org")
    link = verification_link(read_mail(mail_dir)[-1])
    # Another member takes the address before the link is opened.
    taker = MemberFactory(email="Shared@example.org")

    response = open_link(signed_in, link)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    after = reload(member)
    assert after.email == member.email and after.pending_email == "shared@example.org"
    assert Member.objects.with_email("shared@example.org").get() == taker


@pytest.mark.django_db
@pytest.mark.clause("P1.2")
def test_a_pending_email_change_can_be_cancelled_and_its_link_stops_working(
    signed_in: Client, member, mail_dir: Path
) -> None:
    post_edit(signed_in, member, email="second@example.org")
    link = verification_link(read_mail(mail_dir)[-1])
    assert "Cancel the change" in signed_in.get("/me/edit/").content.decode()

    response = signed_in.post("/me/email/cancel/")
    assert response.status_code == 302
    assert Member.objects.filter(pk=member.pk, pending_email__isnull=True).exists()
    assert open_link(signed_in, link).status_code == 400
    assert reload(member).email == member.email


@pytest.mark.django_db
def test_the_link_for_a_pending_address_can_be_sent_again(signed_in: Client, member, mail_dir: Path) -> None:
    post_edit(signed_in, member, email="again@example.org")
    with run_on_commit(execute=True):
        response = signed_in.post("/accounts/verify-resend/", {"next": "/me/edit/"})
    assert response.status_code == 302 and response["Location"] == "/me/edit/"
    sent = read_mail(mail_dir)
    assert [m["To"] for m in sent[-2:]] == ["again@example.org", "again@example.org"]
    assert open_link(signed_in, verification_link(sent[-1])).status_code == 302
    assert reload(member).email == "again@example.org"


@pytest.mark.django_db
def test_changing_the_email_again_sends_a_new_link_and_voids_the_first(
    signed_in: Client, member, mail_dir: Path
) -> None:
    post_edit(signed_in, member, email="first@example.org")
    first = verification_link(read_mail(mail_dir)[-1])
    post_edit(signed_in, member, email="second@example.org")
    second = verification_link(read_mail(mail_dir)[-1])
    assert open_link(signed_in, first).status_code == 400
    assert open_link(signed_in, second).status_code == 302
    assert reload(member).email == "second@example.org"


@pytest.mark.django_db
def test_edit_form_keeps_csrf_protection(member) -> None:
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, member)
    response = browser.post("/me/edit/", {**current_values(member), "name": "Forged"})
    assert response.status_code == 403
    assert reload(member).name == member.name

    browser.get("/me/edit/")
    token = browser.cookies["csrftoken"].value
    response = browser.post("/me/edit/", {**current_values(member), "name": "Genuine", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and reload(member).name == "Genuine"


@pytest.mark.django_db
def test_edit_page_query_count(signed_in: Client, member, django_assert_num_queries) -> None:
    post_edit(signed_in, member, phone="010-1234-5678", bio="Hello", email="pending@example.org")
    # session, member, sign-in check, policy versions
    with django_assert_num_queries(MEMBER_PAGE_QUERIES):
        response = signed_in.get("/me/edit/")
    assert response.status_code == 200 and "pending@example.org" in response.content.decode()
