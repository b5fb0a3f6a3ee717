"""Joining, invitations, requests, roles, ownership and leaving; each change one log row."""

import pytest
from django.test import Client

from groupket.spaces.models import Membership, SpaceLogEntry
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space


def standing(space, member) -> tuple[str, str] | None:
    row = Membership.objects.filter(space=space, member=member).first()
    return (row.status, row.role) if row else None


def last_action(space) -> tuple[str, int | None, int | None]:
    entry = SpaceLogEntry.objects.filter(space=space).order_by("-pk").first()
    return entry.action, entry.actor_id, entry.subject_id


@pytest.mark.django_db
def test_joining_an_open_space_is_at_once(client: Client) -> None:
    space, member = make_space(MemberFactory()), MemberFactory()
    sign_in(client, member)
    assert client.post("/s/hiking-club/join/").status_code == 302
    assert standing(space, member) == ("active", "member")
    assert last_action(space) == ("member_joined", member.pk, None)
    assert client.post("/s/hiking-club/join/").status_code == 403  # already in: nothing changes
    assert Membership.objects.filter(member=member).count() == 1


@pytest.mark.django_db
def test_a_request_to_join_waits_for_an_organiser(client: Client) -> None:
    owner, organiser, asking, refused = MemberFactory(), MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(owner, joining="approval", visibility="members")
    Membership.objects.create(space=space, member=organiser, role=Membership.ORGANISER)
    for member in (asking, refused):
        sign_in(client, member)
        client.post("/s/hiking-club/join/")
        assert standing(space, member) == ("requested", "member")
    assert "The posts of this space are for its members." in client.get("/s/hiking-club/").content.decode()

    sign_in(client, organiser)
    page = client.get("/s/hiking-club/members/").content.decode()
    assert f"@{asking.username}" in page and f"@{refused.username}" in page
    client.post("/s/hiking-club/members/act/", {"member": asking.pk, "action": "approve"})
    assert last_action(space) == ("join_approved", organiser.pk, asking.pk)
    client.post("/s/hiking-club/members/act/", {"member": refused.pk, "action": "refuse"})
    assert last_action(space) == ("join_refused", organiser.pk, refused.pk)
    assert standing(space, asking) == ("active", "member") and standing(space, refused) is None
    # Approving someone who never asked is refused and changes nothing.
    assert client.post("/s/hiking-club/members/act/", {"member": asking.pk, "action": "approve"}).status_code == 403


@pytest.mark.django_db
def test_an_invitation_by_id_waits_on_the_invitees_home_page(client: Client) -> None:
    owner, invitee, decliner = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(owner, visibility="hidden", joining="invitation")
    sign_in(client, owner)
    response = client.post("/s/hiking-club/members/invite/", {"username": "nobody.here"})
    assert response.status_code == 400 and "No member has this ID." in response.content.decode()
    for member in (invitee, decliner):
        assert client.post("/s/hiking-club/members/invite/", {"username": member.username.upper()}).status_code == 302
    assert last_action(space) == ("member_invited", owner.pk, decliner.pk)
    assert client.post("/s/hiking-club/members/invite/", {"username": invitee.username}).status_code == 403

    sign_in(client, invitee)
    home = client.get("/").content.decode()
    assert "Invitations" in home and "Hiking Club" in home
    assert client.get("/s/hiking-club/").status_code == 200  # the hidden space shows itself to the invited
    client.post("/s/hiking-club/invitation/", {"answer": "accept"})
    assert standing(space, invitee) == ("active", "member")
    assert last_action(space) == ("invitation_accepted", invitee.pk, None)

    sign_in(client, decliner)
    client.post("/s/hiking-club/invitation/", {"answer": "decline"})
    assert standing(space, decliner) is None
    assert client.get("/s/hiking-club/").status_code == 404


@pytest.mark.django_db
def test_the_owner_appoints_organisers_who_remove_members_but_not_each_other(client: Client) -> None:
    owner, organiser, second, member = (MemberFactory() for _ in range(4))
    space = make_space(owner)
    for one in (organiser, second, member):
        join(one, space)
    sign_in(client, owner)
    for one in (organiser, second):
        client.post("/s/hiking-club/members/act/", {"member": one.pk, "action": "organiser"})
    assert standing(space, organiser) == ("active", "organiser")
    assert last_action(space) == ("role_changed", owner.pk, second.pk)

    sign_in(client, organiser)
    assert client.post("/s/hiking-club/members/act/", {"member": second.pk, "action": "remove"}).status_code == 403
    assert client.post("/s/hiking-club/members/act/", {"member": owner.pk, "action": "remove"}).status_code == 403
    assert client.post("/s/hiking-club/members/act/", {"member": member.pk, "action": "organiser"}).status_code == 403
    assert client.post("/s/hiking-club/members/act/", {"member": member.pk, "action": "remove"}).status_code == 302
    assert standing(space, member) is None
    assert last_action(space) == ("member_removed", organiser.pk, member.pk)
    # A junk member number or action is a clear message, not a change.
    response = client.post("/s/hiking-club/members/act/", {"member": "x", "action": "remove"}, follow=True)
    assert "Choose a member and an action." in response.content.decode()


@pytest.mark.django_db
def test_the_owner_transfers_ownership_then_may_leave(client: Client) -> None:
    owner, heir = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(heir, space)
    sign_in(client, owner)
    assert client.get("/s/hiking-club/leave/").status_code == 403
    client.post("/s/hiking-club/members/act/", {"member": heir.pk, "action": "transfer"})
    assert standing(space, heir) == ("active", "owner") and standing(space, owner) == ("active", "organiser")
    assert last_action(space) == ("ownership_transferred", owner.pk, heir.pk)
    assert client.post("/s/hiking-club/leave/").status_code == 302
    assert standing(space, owner) is None and last_action(space) == ("member_left", owner.pk, None)


@pytest.mark.django_db
def test_a_member_leaves_or_withdraws_a_request(client: Client) -> None:
    space, member = make_space(MemberFactory(), joining="approval"), MemberFactory()
    sign_in(client, member)
    assert client.post("/s/hiking-club/leave/").status_code == 403  # not in it
    client.post("/s/hiking-club/join/")
    assert "Withdraw your request" in client.get("/s/hiking-club/leave/").content.decode()
    client.post("/s/hiking-club/leave/")
    assert standing(space, member) is None
