"""The space log: one row per change, written in the change's own transaction."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.spaces.models import Comment, Post, Space, SpaceLogEntry

SPACE_CREATED = "space_created"
SPACE_UPDATED = "space_updated"
SPACE_CLOSED = "space_closed"
SLOW_MODE_SET = "slow_mode_set"
INVITATION_LINK_RENEWED = "invitation_link_renewed"
INVITATION_LINK_REVOKED = "invitation_link_revoked"
MEMBER_JOINED = "member_joined"
JOIN_REQUESTED = "join_requested"
JOIN_APPROVED = "join_approved"
JOIN_REFUSED = "join_refused"
MEMBER_INVITED = "member_invited"
INVITATION_ACCEPTED = "invitation_accepted"
INVITATION_DECLINED = "invitation_declined"
MEMBER_REMOVED = "member_removed"
MEMBER_LEFT = "member_left"
ROLE_CHANGED = "role_changed"
OWNERSHIP_TRANSFERRED = "ownership_transferred"
POST_CREATED = "post_created"
POST_EDITED = "post_edited"
POST_DELETED = "post_deleted"
POST_PINNED = "post_pinned"
POST_UNPINNED = "post_unpinned"
POST_LIKED = "post_liked"
POST_UNLIKED = "post_unliked"
COMMENT_ADDED = "comment_added"
COMMENT_EDITED = "comment_edited"
COMMENT_DELETED = "comment_deleted"
# Unregister of an owner: the space passes on, or closes when nobody is left to run it.
OWNERSHIP_PASSED_ON = "ownership_passed_on_withdrawal"
CLOSED_ON_WITHDRAWAL = "space_closed_on_withdrawal"
# Unregister with the choice to keep: how many posts and comments stay under "Withdrawn member" (counts only).
WRITING_LEFT_ON_WITHDRAWAL = "writing_left_on_withdrawal"


def record(
    space: Space,
    *,
    actor: AbstractBaseUser | None,
    action: str,
    subject_id: int | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    **detail: Any,
) -> SpaceLogEntry:
    """Write the log row of a change; `detail` holds codes, numbers and ids, never text a member wrote."""
    return SpaceLogEntry.objects.create(
        space=space, actor=actor, action=action, subject_id=subject_id, post=post, comment=comment, detail=detail
    )
