"""What Unregister does in the spaces (P6.3, P8.5): listed in settings.GROUPKET_WITHDRAWAL_STEPS.

Accounts may not import spaces, so Unregister calls each step of that setting inside its
own transaction, before the member's data key is destroyed. This step passes on the spaces
the member owns, then deletes what the member wrote and liked, keeping other members'
counts true, and returns what it destroyed for the destruction log (counts only).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from groupket.spaces.models import Comment, CommentRevision, Membership, Post, PostRevision, Reaction, Space, Written
from groupket.spaces.services import log


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


def withdraw_from_spaces(*, member: AbstractBaseUser) -> dict[str, int]:
    """Run inside Unregister's transaction; returns destruction counts by category."""
    _pass_on_owned_spaces(member.pk)
    counts = {
        "posts": Post.objects.filter(author=member).count(),
        "post revisions": PostRevision.objects.filter(post__author=member).count(),
        "comments": Comment.objects.filter(author=member).count(),
        "comment revisions": CommentRevision.objects.filter(comment__author=member).count(),
        "likes": Reaction.objects.filter(member=member).count(),
        "space memberships": Membership.objects.filter(member=member).count(),
    }
    touched = set(Reaction.objects.filter(member=member).values_list("post_id", flat=True))
    touched |= set(Comment.objects.filter(author=member).values_list("post_id", flat=True))
    Reaction.objects.filter(member=member).delete()
    Comment.objects.filter(author=member).delete()
    Post.objects.filter(author=member).delete()
    _recount(touched)  # the member's own posts among them are gone, and so not recounted
    return counts
