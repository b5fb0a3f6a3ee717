"""A staff member cannot reuse a recent password on the member pages either: change or reset (P7.7)."""

import email
import email.policy
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.staff.models import StaffPasswordHistory
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory

REUSED = "Choose a password you have not used recently"
SECOND = "Cobalt2river-Stone"
FRESH = "Fresh7harbour-Gate"


def change_at(client: Client, url: str, old: str, new: str) -> object:
    return client.post(url, {"old_password": old, "new_password1": new, "new_password2": new})


def staff_with_one_change(client: Client) -> Member:
    """A signed-in staff member who changed DEFAULT_PASSWORD to SECOND on the staff page, long ago."""
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    assert change_at(client, "/staff/password/", DEFAULT_PASSWORD, SECOND).status_code == 302
    Member.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - timedelta(days=80))
    staff.refresh_from_db()
    return staff


def unchanged(member: Member, password: str, history: int) -> bool:
    changed_at = member.password_changed_at
    member.refresh_from_db()
    return (
        member.check_password(password)
        and member.password_changed_at == changed_at
        and StaffPasswordHistory.objects.filter(member=member).count() == history
    )


def reset_form(client: Client, member: Member, mail_dir: Path, capture: Callable[..., object]) -> str:
    """The set-password page of a fresh reset link for this member."""
    with capture(execute=True):
        client.post("/accounts/password-reset/", {"email": member.email})
    message = email.message_from_bytes(sorted(mail_dir.glob("*.eml"))[-1].read_bytes(), policy=email.policy.default)
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", message.get_content()).group(0)
    return client.get(urlsplit(link).path)["Location"]


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_staff_cannot_go_back_to_a_recent_password_at_the_member_page(client: Client) -> None:
    staff = staff_with_one_change(client)
    # A→B→A: going back to the first password would also restart the 90-day clock.
    response = change_at(client, "/me/password/", SECOND, DEFAULT_PASSWORD)
    assert response.status_code == 400 and REUSED in response.content.decode()
    assert unchanged(staff, SECOND, history=1)
    assert client.get("/me/").status_code == 200  # still signed in: nothing about the account changed


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_a_fresh_password_at_the_member_page_is_accepted_and_kept_in_the_history(client: Client) -> None:
    staff = staff_with_one_change(client)
    assert change_at(client, "/me/password/", SECOND, FRESH).status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(FRESH)
    assert timezone.now() - staff.password_changed_at < timedelta(minutes=1)
    history = StaffPasswordHistory.objects.filter(member=staff)
    assert history.count() == 2 and any(
        Member(password=kept).check_password(SECOND) for kept in history.values_list("password", flat=True)
    )
    # The staff page now refuses the password the member page replaced.
    response = change_at(client, "/staff/password/", FRESH, SECOND)
    assert response.status_code == 400 and REUSED in response.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_staff_reset_link_refuses_a_recent_password_and_keeps_a_fresh_one(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    staff = staff_with_one_change(client)
    browser = Client()
    form_page = reset_form(browser, staff, mail_dir, django_capture_on_commit_callbacks)
    response = browser.post(form_page, {"new_password1": DEFAULT_PASSWORD, "new_password2": DEFAULT_PASSWORD})
    assert response.status_code == 400 and REUSED in response.content.decode()
    assert unchanged(staff, SECOND, history=1)
    response = browser.post(form_page, {"new_password1": FRESH, "new_password2": FRESH})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    staff.refresh_from_db()
    assert staff.check_password(FRESH)
    assert StaffPasswordHistory.objects.filter(member=staff).count() == 2


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_an_ordinary_member_may_still_go_back_to_an_older_password(client: Client) -> None:
    member = MemberFactory()
    sign_in(client, member)
    assert change_at(client, "/me/password/", DEFAULT_PASSWORD, SECOND).status_code == 302
    assert change_at(client, "/me/password/", SECOND, DEFAULT_PASSWORD).status_code == 302
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)
    assert not StaffPasswordHistory.objects.filter(member=member).exists()
