"""What happens in a space that members are told about, called by the spaces' services in their transaction.

A member is told only about a space whose posts they may read at that moment (a public space, or one they
are in), so a mention in a members-only space does not reach an outsider.
"""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.spaces import markdown
from groupket.spaces.models import Comment, Membership, Post, Space
from groupket.spaces.notifications import kinds
from groupket.spaces.notifications.services import notify_members
from groupket.spaces.selectors import mentioned_members


def _readers(space: Space, member_ids: Iterable[int | None]) -> set[int]:
    wanted = {member_id for member_id in member_ids if member_id is not None}
    if not wanted or (space.visibility == Space.PUBLIC and not space.is_closed):
        return wanted
    active = Membership.objects.filter(space=space, status=Membership.ACTIVE, member_id__in=wanted)
    return set(active.values_list("member_id", flat=True))


def _newly_mentioned(body: str, replaced_body: str | None) -> set[int]:
    keys = markdown.parse(body).mentioned_keys
    if replaced_body is not None:
        keys -= markdown.parse(replaced_body).mentioned_keys
    return set(mentioned_members(keys).values())


def post_written(*, actor: AbstractBaseUser, post: Post, replaced_body: str | None = None) -> None:
    """A new post, or an edit (with the body it replaced): IDs mentioned for the first time are told."""
    readers = _readers(post.space, _newly_mentioned(post.body, replaced_body))
    notify_members(member_ids=readers, kind=kinds.MENTION, actor_id=actor.pk, space_id=post.space_id, post_id=post.pk)


def comment_written(
    *, actor: AbstractBaseUser, comment: Comment, space: Space, replaced_body: str | None = None
) -> None:
    """A new comment tells the post's author, or the author of the comment it replies to; then the mentions."""
    where = {"actor_id": actor.pk, "space_id": space.pk, "post_id": comment.post_id, "comment_id": comment.pk}
    told: set[int] = {actor.pk}
    if replaced_body is None:
        replied_to = comment.parent.author_id if comment.parent_id else None
        for kind, author_id in ((kinds.REPLY_TO_COMMENT, replied_to), (kinds.REPLY_TO_POST, comment.post.author_id)):
            readers = _readers(space, [author_id]) - told
            notify_members(member_ids=readers, kind=kind, **where)
            told |= readers
    mentioned = _readers(space, _newly_mentioned(comment.body, replaced_body)) - told
    notify_members(member_ids=mentioned, kind=kinds.MENTION, **where)


def join_requested(*, member: AbstractBaseUser, space: Space) -> None:
    """A request to join a space by approval reaches everyone who runs it."""
    runners = Membership.objects.filter(
        space=space, status=Membership.ACTIVE, role__in=[Membership.OWNER, Membership.ORGANISER]
    ).values_list("member_id", flat=True)
    notify_members(member_ids=list(runners), kind=kinds.JOIN_REQUEST, actor_id=member.pk, space_id=space.pk)


def join_approved(*, member_id: int, space: Space) -> None:
    """The member who asked is told; not which organiser answered."""
    notify_members(member_ids=[member_id], kind=kinds.JOIN_APPROVED, space_id=space.pk)
