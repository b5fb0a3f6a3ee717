"""Each permission check of a space on its own, without a database (Habit 12).

The checks take the space, the acting member's membership and what is acted on; these
tests build those objects in memory and show each check allows exactly whom it should.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from groupket.spaces import permissions
from groupket.spaces.models import Comment, Membership, Post, Space
from groupket.spaces.permissions import SpaceActionDenied


def space(**fields: object) -> Space:
    defaults = {"pk": 1, "slug": "s", "visibility": Space.PUBLIC, "joining": Space.OPEN}
    return Space(**{**defaults, **fields})


def membership(role: str = Membership.MEMBER, status: str = Membership.ACTIVE, member_id: int = 10) -> Membership:
    return Membership(space_id=1, member_id=member_id, role=role, status=status)


OWNER = membership(Membership.OWNER, member_id=1)
ORGANISER = membership(Membership.ORGANISER, member_id=2)
MEMBER = membership(member_id=3)
REQUESTED = membership(status=Membership.REQUESTED, member_id=4)
INVITED = membership(status=Membership.INVITED, member_id=5)
NOBODY = None


def allowed(check, *args: object, **kwargs: object) -> bool:
    try:
        check(*args, **kwargs)
    except SpaceActionDenied:
        return False
    return True


def test_a_refusal_is_a_permission_denied_with_a_message_for_people() -> None:
    assert issubclass(SpaceActionDenied, PermissionDenied)
    with pytest.raises(SpaceActionDenied, match="organisers"):
        permissions.check_can_edit_space(space(), MEMBER)


@pytest.mark.parametrize(
    ("visibility", "who", "sees", "reads"),
    [
        (Space.PUBLIC, NOBODY, True, True),
        (Space.MEMBERS_ONLY, NOBODY, True, False),
        (Space.MEMBERS_ONLY, REQUESTED, True, False),
        (Space.MEMBERS_ONLY, MEMBER, True, True),
        (Space.HIDDEN, NOBODY, False, False),
        (Space.HIDDEN, INVITED, True, False),
        (Space.HIDDEN, MEMBER, True, True),
    ],
)
def test_who_sees_a_space_and_who_reads_its_posts(visibility: str, who, sees: bool, reads: bool) -> None:
    assert permissions.can_see_space(space(visibility=visibility), who) is sees
    assert permissions.can_read_posts(space(visibility=visibility), who) is reads


def test_a_closed_space_is_seen_and_read_only_by_its_members() -> None:
    closed = space(closed_at=timezone.now())
    assert not permissions.can_see_space(closed, NOBODY)
    assert not permissions.can_read_posts(closed, NOBODY)
    assert permissions.can_read_posts(closed, MEMBER)
    assert not allowed(permissions.check_can_post, closed, MEMBER)
    assert not allowed(permissions.check_can_edit_space, closed, OWNER)


def test_settings_and_member_work_are_for_the_owner_and_organisers() -> None:
    for check in (permissions.check_can_edit_space, permissions.check_can_manage_members):
        assert [allowed(check, space(), who) for who in (OWNER, ORGANISER, MEMBER, REQUESTED, NOBODY)] == [
            True,
            True,
            False,
            False,
            False,
        ]


def test_removing_a_member_organisers_remove_members_and_only_the_owner_removes_organisers() -> None:
    other_member, other_organiser = membership(member_id=30), membership(Membership.ORGANISER, member_id=31)
    assert allowed(permissions.check_can_remove_member, space(), ORGANISER, other_member)
    assert not allowed(permissions.check_can_remove_member, space(), ORGANISER, other_organiser)
    assert allowed(permissions.check_can_remove_member, space(), OWNER, other_organiser)
    assert not allowed(permissions.check_can_remove_member, space(), OWNER, OWNER)
    assert not allowed(permissions.check_can_remove_member, space(), MEMBER, other_member)
    assert not allowed(permissions.check_can_remove_member, space(), ORGANISER, ORGANISER)


def test_roles_and_ownership_are_the_owners_to_give() -> None:
    assert allowed(permissions.check_can_set_role, space(), OWNER, MEMBER)
    assert not allowed(permissions.check_can_set_role, space(), ORGANISER, MEMBER)
    assert not allowed(permissions.check_can_set_role, space(), OWNER, INVITED)
    assert allowed(permissions.check_can_transfer_ownership, space(), OWNER, MEMBER)
    assert not allowed(permissions.check_can_transfer_ownership, space(), OWNER, REQUESTED)
    assert not allowed(permissions.check_can_transfer_ownership, space(), OWNER, OWNER)
    assert not allowed(permissions.check_can_transfer_ownership, space(), ORGANISER, MEMBER)
    assert allowed(permissions.check_can_close_space, space(), OWNER)
    assert not allowed(permissions.check_can_close_space, space(), ORGANISER)


@pytest.mark.parametrize(
    ("joining", "visibility", "who", "may_join"),
    [
        (Space.OPEN, Space.PUBLIC, NOBODY, True),
        (Space.APPROVAL, Space.MEMBERS_ONLY, NOBODY, True),
        (Space.INVITATION, Space.PUBLIC, NOBODY, False),
        (Space.INVITATION, Space.HIDDEN, NOBODY, False),
        (Space.INVITATION, Space.HIDDEN, INVITED, True),
        (Space.OPEN, Space.PUBLIC, MEMBER, False),
        (Space.APPROVAL, Space.PUBLIC, REQUESTED, False),
    ],
)
def test_joining_follows_the_spaces_rule(joining: str, visibility: str, who, may_join: bool) -> None:
    assert allowed(permissions.check_can_join, space(joining=joining, visibility=visibility), who) is may_join


def test_the_invitation_link_works_only_while_it_matches() -> None:
    assert allowed(permissions.check_can_join_by_link, space(joining=Space.INVITATION), NOBODY, token_matches=True)
    assert not allowed(permissions.check_can_join_by_link, space(), NOBODY, token_matches=False)
    assert not allowed(permissions.check_can_join_by_link, space(), MEMBER, token_matches=True)


def test_answering_requests_and_invitations() -> None:
    assert allowed(permissions.check_can_answer_request, space(), ORGANISER, REQUESTED)
    assert not allowed(permissions.check_can_answer_request, space(), ORGANISER, MEMBER)
    assert not allowed(permissions.check_can_answer_request, space(), MEMBER, REQUESTED)
    assert allowed(permissions.check_can_answer_invitation, space(), INVITED)
    assert not allowed(permissions.check_can_answer_invitation, space(), REQUESTED)
    assert allowed(permissions.check_can_invite, space(), ORGANISER, None)
    assert not allowed(permissions.check_can_invite, space(), ORGANISER, REQUESTED)
    assert not allowed(permissions.check_can_invite, space(), MEMBER, None)


def test_leaving_is_always_possible_except_for_the_owner_of_an_open_space() -> None:
    assert all(allowed(permissions.check_can_leave, space(), who) for who in (ORGANISER, MEMBER, REQUESTED))
    assert not allowed(permissions.check_can_leave, space(), OWNER)
    assert allowed(permissions.check_can_leave, space(closed_at=timezone.now()), OWNER)
    assert not allowed(permissions.check_can_leave, space(), NOBODY)


def test_writing_is_for_members_and_changing_it_for_its_author() -> None:
    post = Post(pk=7, space_id=1, author_id=3)
    assert allowed(permissions.check_can_post, space(), MEMBER)
    assert not allowed(permissions.check_can_post, space(), REQUESTED)
    assert not allowed(permissions.check_can_react, space(), NOBODY)
    assert allowed(permissions.check_can_comment, space(), MEMBER, post, None)
    top = Comment(pk=8, post_id=7, parent_id=None, author_id=3)
    reply = Comment(pk=9, post_id=7, parent_id=8, author_id=3)
    assert allowed(permissions.check_can_comment, space(), MEMBER, post, top)
    assert not allowed(permissions.check_can_comment, space(), MEMBER, post, reply)  # one level of replies
    assert not allowed(permissions.check_can_comment, space(), MEMBER, Post(pk=70, space_id=2), None)
    assert allowed(permissions.check_is_author, 3, post)
    assert not allowed(permissions.check_is_author, 1, post)  # not even the owner edits another's post


def test_pinning_is_for_organisers_and_at_most_three_posts() -> None:
    post = Post(pk=7, space_id=1, author_id=3)
    assert allowed(permissions.check_can_pin, space(), ORGANISER, post, pinned_count=2)
    assert not allowed(permissions.check_can_pin, space(), ORGANISER, post, pinned_count=3)
    assert not allowed(permissions.check_can_pin, space(), MEMBER, post, pinned_count=0)
    post.pinned_at = timezone.now()
    assert allowed(permissions.check_can_pin, space(), ORGANISER, post, pinned_count=3)  # unpinning
