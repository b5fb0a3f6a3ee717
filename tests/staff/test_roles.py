"""The role desk: only the privacy officer grants and revokes, and every change is kept (P7.6, P10.2)."""

import pytest
from django.test import Client

from groupket.accounts.services.unregister import unregister_member
from groupket.staff.models import AuthenticatorReset, RoleGrant
from tests.conftest import CONSOLE_QUERIES, make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment, fragments


@pytest.fixture
def officer(db: None):
    return make_staff("privacy_officer", username="officer.kim")


@pytest.fixture
def desk(client: Client, officer) -> Client:
    sign_in_staff(client, officer)
    return client


def grant(client: Client, username: str, role: str = "moderator", reason: str = "joins the review team"):
    return client.post("/staff/roles/grant/", {"username": username, "role": role, "reason": reason})


def history_rows(page: str) -> list[str]:
    return fragments(fragment(fragment(page, tag="table", class_="role-history"), tag="tbody"), tag="tr")


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_officer_grants_a_role_by_exact_username_and_it_is_recorded(desk: Client, officer) -> None:
    member = MemberFactory(username="new.moderator")

    response = grant(desk, "New.Moderator")

    assert response.status_code == 302 and response["Location"] == "/staff/roles/"
    row = RoleGrant.objects.get(member_ref=member.pk)
    assert (row.role, row.reason, row.granted_by_ref, row.revoked_at) == (
        "moderator",
        "joins the review team",
        officer.pk,
        None,
    )
    page = desk.get("/staff/roles/").content.decode()
    live = fragment(page, class_="live-grants")
    assert f'data-grant="{row.pk}"' in live and "new.moderator" in live
    newest = history_rows(page)[0]
    assert '"event-granted"' in newest and "new.moderator" in newest and "Moderator" in newest
    assert "joins the review team" in newest and "officer.kim" in newest


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_officer_revokes_with_a_reason_and_the_history_keeps_both_events(desk: Client) -> None:
    member = make_staff("support_handler", username="leaving.handler")
    row = RoleGrant.objects.get(member_ref=member.pk)

    response = desk.post(f"/staff/roles/{row.pk}/revoke/", {"reason": "moved to another team"})

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoke_reason == "moved to another team"
    page = desk.get("/staff/roles/").content.decode()
    assert f'data-grant="{row.pk}"' not in page
    events = [event for event in history_rows(page) if "leaving.handler" in event]
    assert len(events) == 2
    assert '"event-revoked"' in events[0] and "moved to another team" in events[0] and "officer.kim" in events[0]
    assert '"event-granted"' in events[1] and "the operator" in events[1]


@pytest.mark.django_db
@pytest.mark.clause("P10.2")
@pytest.mark.clause("P7.6")
def test_a_support_handler_cannot_grant_revoke_or_see_the_desk(client: Client, officer) -> None:
    handler = make_staff("support_handler")
    member = MemberFactory(username="wants.a.role")
    sign_in_staff(client, handler)
    officer_grant = RoleGrant.objects.get(member_ref=officer.pk)

    assert client.get("/staff/roles/").status_code == 403
    assert grant(client, "wants.a.role", role="privacy_officer").status_code == 403
    assert client.post(f"/staff/roles/{officer_grant.pk}/revoke/", {"reason": "coup"}).status_code == 403

    assert not RoleGrant.objects.filter(member_ref=member.pk).exists()
    officer_grant.refresh_from_db()
    assert officer_grant.revoked_at is None


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_members_without_a_role_get_the_ordinary_404(client: Client) -> None:
    sign_in(client, MemberFactory())
    assert client.get("/staff/roles/").status_code == 404
    assert grant(client, "anyone").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"username": "no.such.member", "role": "moderator", "reason": "x"}, "No active member has exactly that ID"),
        ({"username": "target.member", "role": "moderator", "reason": "  "}, "Say why the member needs this role"),
        ({"username": "target.member", "role": "overlord", "reason": "x"}, "Pick one of the listed roles"),
        ({"username": "", "role": "moderator", "reason": "x"}, "Type the exact ID"),
    ],
)
def test_bad_grants_get_a_clear_400_and_change_nothing(desk: Client, data: dict, field_message: str) -> None:
    MemberFactory(username="target.member")
    before = RoleGrant.objects.count()

    response = desk.post("/staff/roles/grant/", data)

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert RoleGrant.objects.count() == before


@pytest.mark.django_db
def test_granting_a_role_already_held_or_revoking_twice_is_refused(desk: Client) -> None:
    holder = make_staff("moderator", username="already.moderator")
    row = RoleGrant.objects.get(member_ref=holder.pk)

    response = grant(desk, "already.moderator")
    assert response.status_code == 400 and "already holds this role" in response.content.decode()
    assert RoleGrant.objects.filter(member_ref=holder.pk).count() == 1

    missing_reason = desk.post(f"/staff/roles/{row.pk}/revoke/", {"reason": ""})
    assert missing_reason.status_code == 400 and "Say why the role is revoked" in missing_reason.content.decode()
    assert desk.post(f"/staff/roles/{row.pk}/revoke/", {"reason": "done"}).status_code == 302
    again = desk.post(f"/staff/roles/{row.pk}/revoke/", {"reason": "done"})
    assert again.status_code == 400 and "not live any more" in again.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_a_grant_outlives_the_staff_member_and_shows_as_former_member(desk: Client) -> None:
    leaver = make_staff("moderator", username="gone.moderator")
    row = RoleGrant.objects.get(member_ref=leaver.pk)
    leaver_id = leaver.pk

    unregister_member(member=leaver, password=DEFAULT_PASSWORD)

    row.refresh_from_db()
    assert row.member_id is None and row.member_ref == leaver_id
    page = desk.get("/staff/roles/").content.decode()
    assert f"former member #{leaver_id}" in page and "gone.moderator" not in page


@pytest.mark.django_db
def test_the_desk_takes_a_fixed_number_of_queries(desk: Client, officer, django_assert_num_queries) -> None:
    for _ in range(3):
        make_staff("moderator")
    desk.get("/staff/roles/")  # the session and the second factor are settled by a first visit
    with django_assert_num_queries(CONSOLE_QUERIES + 3):
        first = desk.get("/staff/roles/")
    for _ in range(4):
        helper = make_staff("support_handler")
        AuthenticatorReset.objects.create(member_ref=helper.pk, reset_by_ref=officer.pk, reason="lost phone")
    with django_assert_num_queries(CONSOLE_QUERIES + 3):
        second = desk.get("/staff/roles/")
    assert first.content.decode().count("data-grant=") == 4
    assert second.content.decode().count("data-grant=") == 8
    assert second.content.decode().count('class="event-authenticator_reset"') == 4
