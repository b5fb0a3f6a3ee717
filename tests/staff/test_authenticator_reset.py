"""A lost authenticator: the officer removes it with a recorded reason, and the staff member enrols anew (P7.7)."""

import email
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from groupket.accounts.models import SignIn
from groupket.staff.models import Authenticator, AuthenticatorReset, BackupCodes
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory
from tests.markup import fragment

REASON = "phone lost; confirmed in person at the office"


@pytest.fixture
def officer(db: None):
    return make_staff("privacy_officer", username="officer.kim")


@pytest.fixture
def moderator(db: None):
    staff = make_staff("moderator", username="mod.lee", email="mod.lee@example.com")
    BackupCodes.objects.create(user=staff, data_key_id=staff.data_key_id, name="backup codes", codes="abcd2345")
    return staff


@pytest.fixture
def desk(client: Client, officer) -> Client:
    sign_in_staff(client, officer)
    return client


def reset(client: Client, username: str, reason: str = REASON):
    return client.post("/staff/roles/reset-authenticator/", {"username": username, "reason": reason})


def devices_of(member) -> int:
    return Authenticator.objects.filter(user=member).count() + BackupCodes.objects.filter(user=member).count()


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_the_officer_resets_a_lost_authenticator_and_the_staff_member_enrols_anew(
    desk: Client, officer, moderator, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    moderators_browser = Client()
    sign_in_staff(moderators_browser, moderator)
    assert moderators_browser.get("/staff/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = reset(desk, "Mod.Lee")

    assert response.status_code == 302 and response["Location"] == "/staff/roles/"
    assert devices_of(moderator) == 0
    record = AuthenticatorReset.objects.get()
    assert (record.member_ref, record.reset_by_ref, record.reason) == (moderator.pk, officer.pk, REASON)
    # Signed out on every browser: the old session opens nothing.
    assert not SignIn.objects.filter(member=moderator).exists()
    assert moderators_browser.get("/staff/").status_code == 404
    # Signing in again leads only to enrolling a new authenticator.
    sign_in(moderators_browser, moderator)
    assert moderators_browser.get("/staff/members/")["Location"] == "/staff/enrol/"
    # Told at once, by email, without the reason or any code.
    (path,) = mail_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["To"] == "mod.lee@example.com"
    subject = "[Groupket] Your staff authenticator was reset / 직원 인증 앱이 초기화되었습니다"
    assert message["Subject"].strip() == subject
    body = message.get_content()
    assert "set up a new authenticator app" in body and "새 인증 앱" in body
    assert REASON not in body
    # The desk's history shows who reset whose authenticator, and why.
    history = fragment(desk.get("/staff/roles/").content.decode(), class_="role-history")
    row = fragment(history, tag="tr", class_="event-authenticator_reset")
    assert "Authenticator reset" in row and "mod.lee" in row and "officer.kim" in row and REASON in row


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "reason", "message"),
    [
        ("officer.kim", REASON, "Your own authenticator is reset by another privacy officer"),
        ("nobody.here", REASON, "No active member has exactly that ID."),
        ("plain.member", REASON, "That member holds no staff role."),
        ("mod.lee", "   ", "Say why the authenticator is reset."),
        ("mod.lee", "x" * 301, "Ensure this value has at most 300 characters"),
    ],
)
def test_a_refused_reset_says_why_and_changes_nothing(
    desk: Client, officer, moderator, username: str, reason: str, message: str
) -> None:
    MemberFactory(username="plain.member")

    response = reset(desk, username, reason)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert devices_of(moderator) == 2 and devices_of(officer) == 1
    assert not AuthenticatorReset.objects.exists()


@pytest.mark.django_db
def test_a_staff_member_who_never_enrolled_has_nothing_to_reset(desk: Client) -> None:
    newcomer = make_staff("support_handler", username="new.helper")
    Authenticator.objects.filter(user=newcomer).delete()

    response = reset(desk, "new.helper")

    assert response.status_code == 400
    assert "has no authenticator yet" in response.content.decode()
    assert not AuthenticatorReset.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_only_the_privacy_officer_resets_authenticators(client: Client, moderator) -> None:
    sign_in_staff(client, make_staff("support_handler"))

    response = reset(client, "mod.lee")

    assert response.status_code == 403
    assert devices_of(moderator) == 2 and not AuthenticatorReset.objects.exists()


@pytest.mark.django_db
def test_the_operator_resets_an_officers_own_authenticator_on_the_server(officer) -> None:
    call_command("reset_authenticator", "officer.kim", "--reason", "sole officer lost the phone")

    record = AuthenticatorReset.objects.get()
    assert (record.member_ref, record.reset_by_ref) == (officer.pk, None)
    assert devices_of(officer) == 0
    with pytest.raises(CommandError, match="no active member"):
        call_command("reset_authenticator", "nobody.here", "--reason", "x")
    with pytest.raises(CommandError, match="no authenticator yet"):
        call_command("reset_authenticator", "officer.kim", "--reason", "again")
