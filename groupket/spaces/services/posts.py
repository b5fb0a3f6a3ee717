"""Posts, comments and likes: written by members, sealed under the author's own data key (P8.5)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groupket.spaces import permissions
from groupket.spaces.models import Comment, CommentRevision, Post, PostRevision, Reaction, Space
from groupket.spaces.notifications import events
from groupket.spaces.services import log
from groupket.spaces.services.spaces import locked_membership


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("space").get(pk=post.pk)


def create_post(*, actor: AbstractBaseUser, space: Space, title: str | None, body: str) -> Post:
    with transaction.atomic():
        permissions.check_can_post(space, locked_membership(space, actor.pk))
        post = Post.objects.create(space=space, author=actor, data_key_id=actor.data_key_id, title=title, body=body)
        log.record(space, actor=actor, action=log.POST_CREATED, post=post)
        events.post_written(actor=actor, post=post)
    return post


def edit_post(*, actor: AbstractBaseUser, post: Post, title: str | None, body: str) -> bool:
    """Change a post, keeping the version it replaces as a revision the author can read; False if unchanged."""
    with transaction.atomic():
        post = _locked_post(post)
        permissions.check_is_author(actor.pk, post)
        if (post.title, post.body) == (title, body):
            return False
        PostRevision.objects.create(
            post=post,
            data_key_id=post.data_key_id,
            title=post.title,
            body=post.body,
            created_at=post.edited_at or post.created_at,
        )
        replaced_body = post.body
        post.title, post.body, post.edited_at = title, body, timezone.now()
        post.save(update_fields=["title", "body", "edited_at"])
        log.record(post.space, actor=actor, action=log.POST_EDITED, post=post)
        events.post_written(actor=actor, post=post, replaced_body=replaced_body)
    return True


def delete_post(*, actor: AbstractBaseUser, post: Post) -> None:
    """The author deletes their post with its revisions, its comments and its likes."""
    with transaction.atomic():
        post = _locked_post(post)
        permissions.check_is_author(actor.pk, post)
        space, post_id = post.space, post.pk
        post.delete()
        log.record(space, actor=actor, action=log.POST_DELETED, post_number=post_id)


def set_pinned(*, actor: AbstractBaseUser, post: Post, pinned: bool) -> None:
    with transaction.atomic():
        post = _locked_post(post)
        space = post.space
        pinned_count = Post.objects.filter(space=space, pinned_at__isnull=False).count()
        permissions.check_can_pin(space, locked_membership(space, actor.pk), post, pinned_count=pinned_count)
        if (post.pinned_at is not None) == pinned:
            return
        post.pinned_at = timezone.now() if pinned else None
        post.save(update_fields=["pinned_at"])
        log.record(space, actor=actor, action=log.POST_PINNED if pinned else log.POST_UNPINNED, post=post)


def set_like(*, actor: AbstractBaseUser, post: Post, liked: bool) -> None:
    """Like or stop liking a post; liking twice is one like."""
    with transaction.atomic():
        post = _locked_post(post)
        permissions.check_can_react(post.space, locked_membership(post.space, actor.pk))
        existing = Reaction.objects.filter(post=post, member=actor, kind=Reaction.LIKE)
        if existing.exists() == liked:
            return
        if liked:
            Reaction.objects.create(post=post, member=actor, kind=Reaction.LIKE)
        else:
            existing.delete()
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + (1 if liked else -1))
        log.record(post.space, actor=actor, action=log.POST_LIKED if liked else log.POST_UNLIKED, post=post)


def add_comment(*, actor: AbstractBaseUser, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """A comment on a post, or a reply to one of its comments (one level only)."""
    with transaction.atomic():
        post = _locked_post(post)
        permissions.check_can_comment(post.space, locked_membership(post.space, actor.pk), post, parent)
        comment = Comment.objects.create(
            post=post, parent=parent, author=actor, data_key_id=actor.data_key_id, body=body
        )
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        log.record(post.space, actor=actor, action=log.COMMENT_ADDED, post=post, comment=comment)
        events.comment_written(actor=actor, comment=comment, space=post.space)
    return comment


def _locked_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update(of=("self",)).select_related("post__space").get(pk=comment.pk)


def edit_comment(*, actor: AbstractBaseUser, comment: Comment, body: str) -> bool:
    with transaction.atomic():
        comment = _locked_comment(comment)
        permissions.check_is_author(actor.pk, comment)
        if comment.body == body:
            return False
        CommentRevision.objects.create(
            comment=comment,
            data_key_id=comment.data_key_id,
            body=comment.body,
            created_at=comment.edited_at or comment.created_at,
        )
        replaced_body = comment.body
        comment.body, comment.edited_at = body, timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        space = comment.post.space
        log.record(space, actor=actor, action=log.COMMENT_EDITED, post=comment.post, comment=comment)
        events.comment_written(actor=actor, comment=comment, space=space, replaced_body=replaced_body)
    return True


def delete_comment(*, actor: AbstractBaseUser, comment: Comment) -> None:
    """The author deletes their comment; the replies under it go with it, as a thread cannot hang from nothing."""
    with transaction.atomic():
        comment = _locked_comment(comment)
        permissions.check_is_author(actor.pk, comment)
        post = comment.post
        removed = 1 + comment.replies.count()
        comment_id = comment.pk
        comment.delete()
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") - removed)
        log.record(post.space, actor=actor, action=log.COMMENT_DELETED, post=post, comment_number=comment_id)
