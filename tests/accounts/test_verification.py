"""Email verification: a signed 48-hour link; unverified accounts are deleted after 7 days."""

import email
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.core.models import DataKey
from groupket.privacy.models import DestructionLog
from tests.conftest import sign_in
from tests.factories import MemberFactory


def verification_links(mail_dir: Path) -> list[str]:
    links = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        body = message.get_payload(decode=True).decode()
        links += dict.fromkeys(re.findall(r"http://127\.0\.0\.1:8000(/accounts/verify/[^\s]+/)", body))
    return links


def open_verification_link(client: Client, link: str) -> object:
    """As a browser does: the link's token moves into the session, then the page without it confirms."""
    response = client.get(link)
    if response.status_code == 302 and response["Location"] == "/accounts/verify/confirm/":
        response = client.get(response["Location"])
    return response


@pytest.mark.django_db
def test_signup_sends_a_link_that_verifies_the_address(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member = MemberFactory(email="yuna@example.org")
    [path] = list(mail_dir.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes())
    assert message["To"] == "yuna@example.org"
    assert "이메일 주소 확인" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    [link] = verification_links(mail_dir)
    assert "yuna" not in link  # the address is never in the URL

    response = open_verification_link(client, link)
    member.refresh_from_db()
    assert response.status_code == 302
    assert member.email_confirmed


@pytest.mark.django_db
def test_expired_or_altered_link_is_refused_and_changes_nothing(
    client: Client, mail_dir: Path, settings, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member = MemberFactory()
    [link] = verification_links(mail_dir)
    assert client.get(link[:-3] + "xx/").status_code == 400
    settings.GROUPKET_VERIFICATION_MAX_AGE = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    member.refresh_from_db()
    assert not member.email_confirmed


@pytest.mark.django_db
def test_unverified_member_sees_a_banner_and_can_resend(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member = MemberFactory()
    sign_in(client, member)
    page = client.get("/me/").content.decode()
    assert "Please confirm your email address" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/verify-resend/")
    assert response.status_code == 302
    assert len(list(mail_dir.glob("*.eml"))) == 2
    open_verification_link(client, verification_links(mail_dir)[-1])
    assert "Please confirm your email address" not in client.get("/me/").content.decode()


@pytest.mark.django_db
def test_unverified_accounts_are_destroyed_after_seven_days_by_the_schedule() -> None:
    stale, fresh, verified = MemberFactory(), MemberFactory(), MemberFactory()
    Member.objects.filter(pk__in=[stale.pk, verified.pk]).update(joined_at=timezone.now() - timedelta(days=8))
    Member.objects.filter(pk=verified.pk).update(email_verified_at=timezone.now())

    call_command("run_schedules")

    assert set(Member.objects.values_list("pk", flat=True)) == {fresh.pk, verified.pk}
    assert not DataKey.objects.filter(pk=stale.data_key_id).exists()
    log = DestructionLog.objects.get(category="unverified member account")
    assert log.count == 1 and "crypto-shredding" in log.method
    # Not due again within the hour: a second run does nothing.
    call_command("run_schedules")
    assert DestructionLog.objects.filter(category="unverified member account").count() == 1


@pytest.mark.django_db
def test_resend_never_redirects_to_another_site(signed_in: Client) -> None:
    response = signed_in.post("/accounts/verify-resend/", {"next": "https://evil.example/phish"})
    assert response["Location"] == "/me/"
    response = signed_in.post("/accounts/verify-resend/", {"next": "/me/edit/"})
    assert response["Location"] == "/me/edit/"
    # A bare word is no path: redirect() would have looked it up as a view name and failed.
    response = signed_in.post("/accounts/verify-resend/", {"next": "0"})
    assert response["Location"] == "/me/"
