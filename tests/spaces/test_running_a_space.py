"""Creating and running a space: settings, the invitation link, slow mode, closing; each change logged once."""

import pytest
from django.test import Client

from groupket.spaces.models import Membership, Space, SpaceLogEntry
from groupket.spaces.permissions import SpaceActionDenied
from groupket.spaces.services import spaces as space_services
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space

NEW_SPACE = {
    "name": "서울 등산 모임",
    "slug": "Seoul-Hikers",
    "description": "주말마다 북한산에 오릅니다.",
    "rules": "1. 서로 존중하세요.\r\n2) No ads\r\n\r\nBring water",
    "visibility": "public",
    "joining": "approval",
}


def actions(space: Space) -> list[str]:
    return list(SpaceLogEntry.objects.filter(space=space).order_by("pk").values_list("action", flat=True))


@pytest.mark.django_db
def test_a_member_creates_a_space_and_owns_it(client: Client) -> None:
    owner = MemberFactory()
    sign_in(client, owner)
    response = client.post("/spaces/new/", NEW_SPACE)
    assert response.status_code == 302 and response["Location"] == "/s/seoul-hikers/"

    space = Space.objects.get()
    assert (space.slug, space.name, space.joining) == ("seoul-hikers", "서울 등산 모임", "approval")
    assert space.rules == ["서로 존중하세요.", "No ads", "Bring water"]  # numbered by the page, not by the text
    assert Membership.objects.get(space=space).role == Membership.OWNER
    assert actions(space) == ["space_created"]
    html = client.get("/s/seoul-hikers/").content.decode()
    assert "<li>서로 존중하세요.</li>" in html and "1 member" in html and "주말마다 북한산에 오릅니다." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "a"}, "slug", "3 to 40 small letters"),
        ({"slug": "-bad-"}, "slug", "3 to 40 small letters"),
        ({"slug": "hiking-club"}, "slug", "Another space has this address"),
        ({"name": ""}, "name", "This field is required"),
        ({"rules": "\n".join(f"rule {n}" for n in range(21))}, "rules", "at most 20 rules"),
        ({"rules": "x" * 301}, "rules", "at most 300 characters"),
        ({"visibility": "hidden", "joining": "open"}, "joining", "by invitation only"),
        ({"visibility": "everyone"}, "visibility", "Select a valid choice"),
    ],
)
def test_a_bad_space_form_says_what_is_wrong_and_creates_nothing(client: Client, changes, field, message) -> None:
    make_space(MemberFactory())
    sign_in(client, MemberFactory())
    response = client.post("/spaces/new/", {**NEW_SPACE, **changes})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Space.objects.count() == 1 and SpaceLogEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_address_taken_in_a_race_is_a_clear_error_not_a_500(client: Client) -> None:
    owner = MemberFactory()
    make_space(owner, slug="taken")
    with pytest.raises(space_services.SpaceAddressTaken):
        make_space(MemberFactory(), slug="taken")
    assert Space.objects.count() == 1 and Membership.objects.count() == 1


@pytest.mark.django_db
def test_organisers_change_the_settings_and_members_cannot(client: Client) -> None:
    owner, member = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(member, space)
    settings_form = {**NEW_SPACE, "name": "Hiking Club Seoul", "rules": "Be kind.", "visibility": "members"}

    sign_in(client, member)
    assert client.get("/s/hiking-club/manage/").status_code == 403
    response = client.post("/s/hiking-club/manage/settings/", settings_form)
    assert response.status_code == 403 and "organisers" in response.content.decode()
    assert Space.objects.get().name == "Hiking Club"

    sign_in(client, owner)
    assert client.post("/s/hiking-club/manage/settings/", settings_form).status_code == 302
    space.refresh_from_db()
    assert (space.name, space.rules, space.visibility, space.slug) == (
        "Hiking Club Seoul",
        ["Be kind."],
        "members",
        "hiking-club",
    )
    entry = SpaceLogEntry.objects.get(action="space_updated")
    assert entry.actor_id == owner.pk
    assert set(entry.detail["fields"]) == {"name", "rules", "visibility", "joining", "description"}
    # The same settings again change nothing and log nothing.
    client.post("/s/hiking-club/manage/settings/", settings_form)
    assert SpaceLogEntry.objects.filter(action="space_updated").count() == 1


@pytest.mark.django_db
def test_slow_mode_is_stored_and_logged(client: Client) -> None:
    owner = MemberFactory()
    space = make_space(owner)
    sign_in(client, owner)
    assert client.post("/s/hiking-club/manage/slow-mode/", {"minutes": "15"}).status_code == 400
    assert client.post("/s/hiking-club/manage/slow-mode/", {"minutes": "10"}).status_code == 302
    space.refresh_from_db()
    assert space.slow_mode_minutes == 10
    assert SpaceLogEntry.objects.get(action="slow_mode_set").detail == {"slow_mode_minutes": 10}


@pytest.mark.django_db
def test_the_invitation_link_lets_people_in_until_it_is_renewed_or_revoked(client: Client) -> None:
    owner, guest, late = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(owner, visibility="hidden", joining="invitation")
    first = f"/s/hiking-club/invite/{space.invitation_token}/"
    sign_in(client, guest)
    assert client.get("/s/hiking-club/").status_code == 404
    assert "Hiking Club" in client.get(first).content.decode()
    assert client.post(first).status_code == 302
    assert Membership.objects.get(space=space, member=guest).is_active

    sign_in(client, owner)
    client.post("/s/hiking-club/manage/link/", {"action": "renew"})
    space.refresh_from_db()
    second = f"/s/hiking-club/invite/{space.invitation_token}/"
    assert second != first
    sign_in(client, late)
    assert client.get(first).status_code == 404  # a stale link says nothing about the hidden space
    sign_in(client, owner)
    client.post("/s/hiking-club/manage/link/", {"action": "revoke"})
    sign_in(client, late)
    assert client.get(second).status_code == 404 and client.post(second).status_code == 404
    assert not Membership.objects.filter(member=late).exists()
    assert actions(space)[-3:] == ["member_joined", "invitation_link_renewed", "invitation_link_revoked"]


@pytest.mark.django_db
def test_the_owner_closes_the_space_and_may_then_leave(client: Client) -> None:
    owner, member, asking = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(owner, joining="approval")
    join(member, space)
    Membership.objects.filter(member=member).update(status=Membership.ACTIVE)
    join(asking, space)
    sign_in(client, owner)
    assert client.post("/s/hiking-club/leave/").status_code == 403  # transfer or close first
    client.post("/s/hiking-club/manage/close/", {})  # not confirmed: nothing happens
    assert Space.objects.get().closed_at is None
    assert client.post("/s/hiking-club/manage/close/", {"confirm": "1"}).status_code == 302
    space.refresh_from_db()
    assert space.is_closed and space.invitation_token == ""
    assert not Membership.objects.filter(member=asking).exists()  # pending requests end with the space
    assert "hiking-club" not in client.get("/spaces/").content.decode()
    assert client.post("/s/hiking-club/leave/").status_code == 302
    assert Client().get("/s/hiking-club/").status_code == 404
    sign_in(client, member)
    assert client.get("/s/hiking-club/").status_code == 200  # its members still read it
    with pytest.raises(SpaceActionDenied):
        space_services.set_slow_mode(actor=owner, space=space, minutes=5)
    assert actions(space)[-2:] == ["space_closed", "member_left"]
