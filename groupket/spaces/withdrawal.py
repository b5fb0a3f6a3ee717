"""What Unregister does in the spaces (P6.3, P8.5): listed in settings.GROUPKET_WITHDRAWAL_STEPS.

Accounts may not import spaces, so Unregister calls each step of that setting inside its
own transaction, before the member's data key is destroyed. This step passes on the spaces
the member owns, then deletes what the member wrote and liked, keeping other members'
counts true, and returns what it destroyed for the destruction log (counts only).

A member may choose instead to leave their posts and comments under "Withdrawn member"
(keep_writing). Each (and each photo of their posts) is then opened with the member's key and
sealed again under its space's own key (Space.withdrawn_key, made on first use), and loses its
author; earlier versions and likes are deleted as before. Nothing left names the member: the rows hold no author and no
key of theirs, mentions of their ID stay plain text (the ID no longer belongs to anyone), and
the copies sealed under their key, in the database's history and in backups, die with the key.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from groupket.core.keys import create_data_key
from groupket.spaces.models import (
    Comment,
    CommentRevision,
    Membership,
    Post,
    PostImage,
    PostRevision,
    Reaction,
    Space,
    Written,
)
from groupket.spaces.services import log

RESEAL_BATCH = 500


def _successor(space: Space, member_id: int) -> Membership | None:
    """The longest-standing organiser, else the longest-standing member."""
    others = Membership.objects.select_for_update().filter(space=space, status=Membership.ACTIVE)
    others = others.exclude(member_id=member_id)
    return (
        others.filter(role=Membership.ORGANISER).order_by("created_at", "pk").first()
        or others.order_by("created_at", "pk").first()
    )


def _pass_on_owned_spaces(member_id: int) -> None:
    owned = Space.objects.select_for_update(of=("self",)).filter(
        closed_at__isnull=True,
        memberships__member_id=member_id,
        memberships__role=Membership.OWNER,
        memberships__status=Membership.ACTIVE,
    )
    for space in owned:
        successor = _successor(space, member_id)
        if successor is None:
            space.closed_at = timezone.now()
            space.invitation_token = ""
            space.save(update_fields=["closed_at", "invitation_token"])
            log.record(space, actor=None, action=log.CLOSED_ON_WITHDRAWAL)
            continue
        successor.role = Membership.OWNER
        successor.save(update_fields=["role"])
        log.record(space, actor=None, action=log.OWNERSHIP_PASSED_ON, subject_id=successor.member_id)


def _count_subquery(model: type, **filters: object) -> Coalesce:
    counted = model.objects.filter(post=OuterRef("pk"), **filters).order_by().values("post")
    counted = counted.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _recount(post_ids: set[int]) -> None:
    """Like and comment counts of other members' posts, recounted after this member's rows are gone."""
    if post_ids:
        Post.objects.filter(pk__in=post_ids).update(
            like_count=_count_subquery(Reaction), comment_count=_count_subquery(Comment, state=Written.SHOWN)
        )


def _withdrawn_key(space_id: int, made: dict[int, int]) -> int:
    """The space's key for what withdrawn members leave in it, made (and its space locked) on first use."""
    if space_id not in made:
        space = Space.objects.select_for_update().only("withdrawn_key").get(pk=space_id)
        if space.withdrawn_key_id is None:
            space.withdrawn_key = create_data_key()
            space.save(update_fields=["withdrawn_key"])
        made[space_id] = space.withdrawn_key_id
    return made[space_id]


def _reseal(rows: list, fields: tuple[str, ...], space_of, made: dict[int, int]) -> None:  # noqa: ANN001
    """Open each row's sealed fields with the member's key, then seal them under its space's key, authorless."""
    for row in rows:
        plain = {name: getattr(row, name) for name in fields}  # opened while data_key is still the member's
        row.data_key_id, row.author = _withdrawn_key(space_of(row), made), None
        for name, value in plain.items():
            setattr(row, name, value)
        row.save(update_fields=["data_key", "author", *fields])


def _leave_writing_behind(member: AbstractBaseUser) -> None:
    """Re-seal the member's posts, comments and their photos under their spaces' keys, authorless; each space's log
    counts them."""
    made: dict[int, int] = {}
    left: dict[int, dict[str, int]] = {}
    batches = (
        ("posts", Post.objects.filter(author=member), ("title", "body", "body_html"), lambda row: row.space_id),
        ("comments", Comment.objects.filter(author=member).select_related("post"), ("body", "body_html"),
         lambda row: row.post.space_id),
        ("images", PostImage.objects.filter(author=member).select_related("post"), ("content",),
         lambda row: row.post.space_id),
    )  # fmt: skip
    for label, rows, fields, space_of in batches:
        while batch := list(rows.order_by("pk")[:RESEAL_BATCH]):
            _reseal(batch, fields, space_of, made)
            for row in batch:
                counts = left.setdefault(space_of(row), {"posts": 0, "comments": 0})
                counts[label] = counts.get(label, 0) + 1
    for space_id, counts in left.items():
        log.record(Space(pk=space_id), actor=None, action=log.WRITING_LEFT_ON_WITHDRAWAL, **counts)


def withdraw_from_spaces(*, member: AbstractBaseUser, keep_writing: bool = False) -> dict[str, int]:
    """Run inside Unregister's transaction; returns destruction counts by category.

    keep_writing: the member chose to leave their posts and comments under "Withdrawn member".
    """
    _pass_on_owned_spaces(member.pk)
    counts = {
        "post revisions": PostRevision.objects.filter(post__author=member).count(),
        "comment revisions": CommentRevision.objects.filter(comment__author=member).count(),
        "likes": Reaction.objects.filter(member=member).count(),
        "space memberships": Membership.objects.filter(member=member).count(),
    }
    touched = set(Reaction.objects.filter(member=member).values_list("post_id", flat=True))
    Reaction.objects.filter(member=member).delete()
    if keep_writing:
        # Earlier versions are the author's alone to read: they go, and only what was shown stays.
        PostRevision.objects.filter(post__author=member).delete()
        CommentRevision.objects.filter(comment__author=member).delete()
        _leave_writing_behind(member)
    else:
        counts["posts"] = Post.objects.filter(author=member).count()
        counts["comments"] = Comment.objects.filter(author=member).count()
        counts["post images"] = PostImage.objects.filter(author=member).count()
        touched |= set(Comment.objects.filter(author=member).values_list("post_id", flat=True))
        Comment.objects.filter(author=member).delete()
        Post.objects.filter(author=member).delete()
    _recount(touched)  # the member's own posts among them are gone, and so not recounted
    return counts
