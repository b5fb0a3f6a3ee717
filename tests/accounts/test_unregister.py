"""[Unregister]: password, confirmation, one transaction, nothing left (P6.3, P8.1, P8.5)."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.test import Client

from groupket.accounts.models import LoginRecord, Member, SignIn
from groupket.core.models import DataKey
from groupket.privacy.models import ConsentEvent, DestructionLog
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory


def unregister(client: Client, password: str = DEFAULT_PASSWORD, confirm: bool = True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "on"
    return client.post("/me/unregister/", data)


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
def test_page_says_what_is_destroyed_and_what_may_be_kept(signed_in: Client) -> None:
    page = signed_in.get("/me/unregister/").content.decode()
    assert "What will be destroyed at once" in page and "Email address" in page
    assert "What the law lets us keep" in page


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
@pytest.mark.clause("P8.1")
def test_unregister_ends_membership_destroys_data_and_old_login_fails(client: Client) -> None:
    member = MemberFactory(username="leaving.member")
    other_browser = Client()
    sign_in(client, member)
    sign_in(other_browser, member)
    survivor = MemberFactory()

    response = unregister(client)

    assert response.status_code == 302 and response["Location"] == "/me/unregister/done/"
    assert not Member.objects.filter(pk=member.pk).exists()
    assert not DataKey.objects.filter(pk=member.data_key_id).exists()
    for model in (LoginRecord, SignIn, ConsentEvent):
        assert not model.objects.filter(member_id=member.pk).exists()
    assert Session.objects.count() == 0  # both browsers signed out
    assert other_browser.get("/me/").status_code == 302
    assert authenticate(username="leaving.member", password=DEFAULT_PASSWORD) is None
    assert Member.objects.filter(pk=survivor.pk).exists()
    categories = dict(DestructionLog.objects.values_list("category", "count"))
    assert categories["member account"] == 1 and categories["consent records"] == 2
    assert categories["signed-in sessions"] == 2
    for log in DestructionLog.objects.all():
        assert "leaving" not in f"{log.category} {log.method} {log.basis}"


@pytest.mark.django_db
@pytest.mark.clause("P6.3")
@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("wrong-password1", True, "That is not your password. Nothing was changed."),
        (DEFAULT_PASSWORD, False, "Tick the box to confirm"),
        ("", True, "Type your password to confirm."),
    ],
)
def test_wrong_password_or_no_confirmation_changes_nothing(
    signed_in: Client, member: Member, password: str, confirm: bool, message: str
) -> None:
    response = unregister(signed_in, password, confirm)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Member.objects.filter(pk=member.pk).exists()
    assert DestructionLog.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.1")
def test_failure_in_the_middle_leaves_the_member_whole(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    member = MemberFactory()
    sign_in(client, member)

    def database_fails(**kwargs: object) -> None:
        raise RuntimeError("simulated database failure while writing the destruction log")

    monkeypatch.setattr("groupket.accounts.services.unregister.record_destruction", database_fails)
    with pytest.raises(RuntimeError):
        unregister(client)

    from groupket.core import keys

    keys._opened.clear()
    whole = Member.objects.get(pk=member.pk)
    assert whole.name == member.name and whole.email == member.email
    assert DataKey.objects.filter(pk=member.data_key_id).exists()
    assert SignIn.objects.filter(member=member).count() == 1
    assert ConsentEvent.objects.filter(member=member).count() == 2
    assert client.get("/me/").status_code == 200
