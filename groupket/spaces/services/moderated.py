"""What moderation does to posts and comments, inside the moderation service's own transaction (P10.1).

The moderation app checks who may act and writes its own log; these keep the space's side true: the
item's state, the post's count of shown comments, and the space's log (ids and codes only).
`actor` is the moderator, or None for a change no person made (a report of exposed personal
information hides the item at once; the daily job destroys what moderators removed).
"""

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.spaces.models import Comment, Post, Written
from groupket.spaces.services import log
from groupket.spaces.services.posts import (
    count_comment_change,
    delete_comment_row,
    delete_post_row,
    locked_comment,
    locked_post,
)

STATE_LOG = {
    Written.SHOWN: "moderation_shown",
    Written.HELD: "moderation_held",
    Written.HIDDEN: "moderation_hidden",
    Written.REMOVED: "moderation_removed",
}


def set_written_state(*, actor: AbstractBaseUser | None, written: Post | Comment, state: str) -> bool:
    """Show, hold, hide or remove a post or comment; False when it already was so."""
    if state not in STATE_LOG:
        raise ValueError(f"no state {state!r} for a post or comment")
    is_post = isinstance(written, Post)
    row = locked_post(written) if is_post else locked_comment(written)
    if row.state == state:
        return False
    was_shown = row.is_shown
    row.state = state
    row.save(update_fields=["state"])
    post = row if is_post else row.post
    if not is_post:
        count_comment_change(post.pk, was_shown, row.is_shown)
    log.record(post.space, actor=actor, action=STATE_LOG[state], post=post, comment=None if is_post else row)
    return True


def destroy_written(*, actor: AbstractBaseUser | None, written: Post | Comment) -> None:
    """Delete a post (with its revisions, comments and likes) or a comment (with its replies) for good."""
    if isinstance(written, Post):
        delete_post_row(locked_post(written), actor=actor)
    else:
        delete_comment_row(locked_comment(written), actor=actor)
