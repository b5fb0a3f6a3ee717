"""Who may do what in a space: one check per action, each raising SpaceActionDenied (Habit 12).

The checks are plain functions of the space, the acting member's membership (None when
they have none) and, where it matters, the membership or post acted on. They read no
database, so each can be tested on its own; the services load the rows, call the check
before changing anything, and only then act.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from groupket.spaces.models import Comment, Membership, Post, Space


class SpaceActionDenied(PermissionDenied):
    """The acting member may not do this in this space; the message is for people and translated."""


NOT_IN_SPACE = _("That member is not in this space.")


def _deny(message: object) -> None:
    raise SpaceActionDenied(message)


def _active(membership: Membership | None) -> bool:
    return membership is not None and membership.is_active


def _runs(membership: Membership | None) -> bool:
    return membership is not None and membership.runs_space


def _owns(membership: Membership | None) -> bool:
    return _active(membership) and membership.role == Membership.OWNER


# --- seeing and reading: answers, not checks, since the views answer 404 rather than 403 ----------------------


def can_see_space(space: Space, membership: Membership | None) -> bool:
    """Whether the space's home exists for this visitor: a hidden or closed space only for those it knows."""
    if space.visibility == Space.HIDDEN or space.is_closed:
        return membership is not None
    return True


def can_see_written(written: Post | Comment, viewer_id: int | None, membership: Membership | None) -> bool:
    """A post or comment that screening held or moderators took down: its author and the organisers only."""
    return written.is_shown or written.author_id == viewer_id or _runs(membership)


def can_read_posts(space: Space, membership: Membership | None) -> bool:
    if space.visibility == Space.PUBLIC and not space.is_closed:
        return True
    return _active(membership)


# --- running the space --------------------------------------------------------------------------------------


def _open_space(space: Space) -> None:
    if space.is_closed:
        _deny(_("This space is closed."))


def check_can_edit_space(space: Space, membership: Membership | None) -> None:
    _open_space(space)
    if not _runs(membership):
        _deny(_("Only the space's organisers can change its settings."))


def check_can_manage_members(space: Space, membership: Membership | None) -> None:
    """Approve or refuse join requests, invite members, renew or revoke the invitation link, set slow mode."""
    _open_space(space)
    if not _runs(membership):
        _deny(_("Only the space's organisers can do this."))


def check_can_remove_member(space: Space, membership: Membership | None, target: Membership) -> None:
    check_can_manage_members(space, membership)
    if target.role == Membership.OWNER:
        _deny(_("The owner cannot be removed; ownership must be transferred first."))
    if target.role == Membership.ORGANISER and not _owns(membership):
        _deny(_("Only the owner can remove an organiser."))
    if target.member_id == membership.member_id:
        _deny(_("To leave the space, use Leave."))


def check_can_set_role(space: Space, membership: Membership | None, target: Membership) -> None:
    _open_space(space)
    if not _owns(membership):
        _deny(_("Only the owner can appoint or dismiss organisers."))
    if not target.is_active or target.role == Membership.OWNER:
        _deny(_("Only a member of the space can be made an organiser."))


def check_can_transfer_ownership(space: Space, membership: Membership | None, target: Membership) -> None:
    _open_space(space)
    if not _owns(membership):
        _deny(_("Only the owner can transfer ownership."))
    if not target.is_active or target.member_id == membership.member_id:
        _deny(_("Ownership can go only to another member of the space."))


def check_can_close_space(space: Space, membership: Membership | None) -> None:
    _open_space(space)
    if not _owns(membership):
        _deny(_("Only the owner can close the space."))


MAX_PINNED = 3


def check_can_pin(space: Space, membership: Membership | None, post: Post, *, pinned_count: int) -> None:
    """Pin or unpin; `pinned_count` is how many posts are pinned now, since at most MAX_PINNED may be."""
    _open_space(space)
    if not _runs(membership) or post.space_id != space.pk:
        _deny(_("Only the space's organisers can pin posts."))
    if post.pinned_at is None and pinned_count >= MAX_PINNED:
        _deny(_("At most 3 posts can be pinned. Unpin one first."))


# --- joining and leaving ----------------------------------------------------------------------------------------


def check_can_join(space: Space, membership: Membership | None) -> None:
    """Join an open space, or ask to join one by approval."""
    _open_space(space)
    if membership is not None and membership.status != Membership.INVITED:
        _deny(_("You are already in this space or have asked to join it."))
    if membership is None and (space.joining == Space.INVITATION or space.visibility == Space.HIDDEN):
        _deny(_("This space can be joined by invitation only."))


def check_can_join_by_link(space: Space, membership: Membership | None, *, token_matches: bool) -> None:
    _open_space(space)
    if not token_matches:
        _deny(_("This invitation link is no longer valid."))
    if _active(membership):
        _deny(_("You are already in this space."))


def check_can_answer_invitation(space: Space, membership: Membership | None) -> None:
    _open_space(space)
    if membership is None or membership.status != Membership.INVITED:
        _deny(_("There is no invitation to answer."))


def check_can_answer_request(space: Space, membership: Membership | None, target: Membership) -> None:
    check_can_manage_members(space, membership)
    if target.status != Membership.REQUESTED:
        _deny(_("That member has not asked to join."))


def check_can_invite(space: Space, membership: Membership | None, target: Membership | None) -> None:
    check_can_manage_members(space, membership)
    if target is not None:
        _deny(_("That member is already in the space, invited or asking to join."))


def check_can_leave(space: Space, membership: Membership | None) -> None:
    if membership is None:
        _deny(_("You are not in this space."))
    if membership.role == Membership.OWNER and membership.is_active and not space.is_closed:
        _deny(_("As the owner, transfer ownership or close the space before you leave."))


# --- writing ----------------------------------------------------------------------------------------------------


def check_can_post(space: Space, membership: Membership | None) -> None:
    _open_space(space)
    if not _active(membership):
        _deny(_("Only members of the space can post."))


def check_can_comment(space: Space, membership: Membership | None, post: Post, parent: Comment | None) -> None:
    check_can_post(space, membership)
    if post.space_id != space.pk or (parent is not None and (parent.post_id != post.pk or parent.parent_id)):
        _deny(_("You can reply only to a comment on this post itself."))


MAX_POST_IMAGES = 4


def check_can_attach_images(space: Space, membership: Membership | None, *, adding: int, total: int) -> None:
    """Photos on a post: adding them is writing in the space; at most MAX_POST_IMAGES on one post."""
    if adding:
        check_can_post(space, membership)
    if total > MAX_POST_IMAGES:
        _deny(_("A post can have at most 4 photos."))


def check_can_react(space: Space, membership: Membership | None) -> None:
    _open_space(space)
    if not _active(membership):
        _deny(_("Only members of the space can like posts."))


def check_is_author(actor_id: int, written: Post | Comment) -> None:
    """Edit or delete a post or comment: its author only (moderators come with moderation)."""
    if written.author_id != actor_id:
        _deny(_("Only its author can change or delete this."))
