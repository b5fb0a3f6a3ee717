"""Every page that checks the current password, and the staff second factor, share the sign-in window (P7.1).

A stolen session must not be a way around the sign-in limit: 5 wrong tries within 15 minutes, on any of
these pages or at sign-in, pause them all for 15 minutes with HTTP 429 and a translated message.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from groupket.accounts import throttle
from groupket.accounts.models import Member
from groupket.privacy.models import DataExport
from groupket.staff.models import Authenticator
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD
from tests.staff.test_safeguards import code_for, let_backoff_pass, wrong_code_for

PAUSED = "Too many wrong tries."
PAUSED_KO = "잘못 입력한 횟수가 너무 많습니다."
NEW = "fresh8meadow-Kite"
ROOT = Path(__file__).resolve().parents[2]


def travel(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    now = throttle._now()
    monkeypatch.setattr(throttle, "_now", lambda: now + seconds)


def change_password(client: Client, password: str) -> object:
    return client.post("/me/password/", {"old_password": password, "new_password1": NEW, "new_password2": NEW})


def unregister(client: Client, password: str) -> object:
    return client.post("/me/unregister/", {"password": password, "confirm": "on"})


def export(client: Client, password: str) -> object:
    return client.post("/me/export/", {"password": password})


def staff_password(client: Client, password: str) -> object:
    return client.post("/staff/password/", {"old_password": password, "new_password1": NEW, "new_password2": NEW})


MEMBER_FORMS = {"/me/password/": change_password, "/me/unregister/": unregister, "/me/export/": export}


def nothing_changed(member: Member) -> bool:
    member = Member.objects.filter(pk=member.pk).first()
    return member is not None and member.check_password(DEFAULT_PASSWORD) and not DataExport.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
@pytest.mark.parametrize("page", list(MEMBER_FORMS))
def test_five_wrong_passwords_on_a_members_page_pause_it_and_sign_in(
    client: Client, member: Member, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = MEMBER_FORMS[page]
    sign_in(client, member)
    statuses = [post(client, f"wrong{n}password").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    response = post(client, DEFAULT_PASSWORD)  # even the right password is not checked now
    assert response.status_code == 429 and PAUSED in response.content.decode()
    assert nothing_changed(member)
    login = Client().post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    assert login.status_code == 429
    travel(monkeypatch, 15 * 60 + 1)
    assert post(client, DEFAULT_PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_wrong_tries_on_different_pages_and_at_sign_in_add_up(client: Client, member: Member) -> None:
    sign_in(client, member)
    assert change_password(client, "wrong1password").status_code == 400
    assert unregister(client, "wrong2password").status_code == 400
    assert export(client, "wrong3password").status_code == 400
    other = Client().post("/accounts/login/", {"username": member.username, "password": "wrong4password"})
    assert other.status_code == 400
    assert change_password(client, "wrong5password").status_code == 429
    for post in MEMBER_FORMS.values():
        response = post(client, DEFAULT_PASSWORD)
        assert response.status_code == 429 and PAUSED in response.content.decode()
    assert nothing_changed(member)


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_the_right_password_on_a_page_starts_the_window_afresh(client: Client, member: Member) -> None:
    sign_in(client, member)
    for n in range(4):
        export(client, f"wrong{n}password")
    assert export(client, DEFAULT_PASSWORD).status_code == 302
    assert unregister(client, "wrong5password").status_code == 400


@pytest.mark.django_db
def test_the_pause_is_said_in_korean(client: Client, member: Member) -> None:
    sign_in(client, member)
    for n in range(5):
        unregister(client, f"wrong{n}password")
    response = client.post("/me/unregister/", {"password": "x", "confirm": "on"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 429 and PAUSED_KO in response.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_staff_password_page_shares_the_window(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    statuses = [staff_password(client, f"wrong{n}password").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    response = staff_password(client, DEFAULT_PASSWORD)
    assert response.status_code == 429 and PAUSED in response.content.decode()
    assert Member.objects.get(pk=staff.pk).check_password(DEFAULT_PASSWORD)
    assert change_password(client, DEFAULT_PASSWORD).status_code == 429


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_wrong_codes_and_wrong_passwords_share_one_window(client: Client) -> None:
    staff = make_staff("support_handler")
    sign_in(client, staff)  # password passed, second factor not yet
    device = Authenticator.objects.get(user=staff)
    for n in range(3):
        assert change_password(client, f"wrong{n}password").status_code == 400
    assert client.post("/staff/verify/", {"code": wrong_code_for(device)}).status_code == 400
    let_backoff_pass()
    assert client.post("/staff/verify/", {"code": wrong_code_for(device)}).status_code == 429
    let_backoff_pass()
    response = client.post("/staff/verify/", {"code": code_for(device)})  # the right code, not checked now
    assert response.status_code == 429
    assert change_password(client, DEFAULT_PASSWORD).status_code == 429


@pytest.mark.django_db
def test_no_page_checks_a_members_password_outside_the_throttle() -> None:
    # Sign-in checks it in the backend, under the sign-in service's slots; everything else goes through
    # Member.check_current_password, which counts in the same window.
    allowed = {"groupket/accounts/throttle.py", "groupket/accounts/backends.py"}
    callers = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "groupket").rglob("*.py")
        if re.search(r"\.check_password\(", path.read_text())
    }
    assert callers == allowed
