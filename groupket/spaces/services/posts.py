"""Posts, comments and likes: written by members, sealed under the author's own data key (P8.5)."""

from collections.abc import Collection, Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groupket.accounts.photos import ProfilePhoto
from groupket.spaces import permissions
from groupket.spaces.feeds import COOKED_FIELDS, cook
from groupket.spaces.models import Comment, CommentRevision, Membership, Post, PostRevision, Reaction, Space, Written
from groupket.spaces.notifications import events
from groupket.spaces.screening import COMMENT, POST, Draft, Verdict, screen, state_after_edit
from groupket.spaces.services import log, post_images
from groupket.spaces.services.spaces import locked_membership


def locked_post(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("space").get(pk=post.pk)


def _after_written(verdict: Verdict, written: Post | Comment) -> None:
    if verdict.after_written is not None:
        verdict.after_written(written)


def create_post(
    *,
    actor: AbstractBaseUser,
    space: Space,
    title: str | None,
    body: str,
    images: Sequence[ProfilePhoto] = (),
    confirmed: bool = False,
) -> Post:
    """Screened first (spaces.screening): ScreeningRefused leaves nothing stored; the post may be held.

    `images`: photos already checked as profile photos are (accounts.photos), shown with the post in this order.
    """
    with transaction.atomic():
        membership = locked_membership(space, actor.pk)
        permissions.check_can_post(space, membership)
        permissions.check_can_attach_images(space, membership, adding=len(images), total=len(images))
        verdict = screen(Draft(actor, space, membership, POST, title, body, confirmed=confirmed))
        post = Post(
            space=space,
            author=actor,
            data_key_id=actor.data_key_id,
            title=verdict.title,
            body=verdict.body,
            state=verdict.state,
            censored=verdict.censored,
        )
        if not images:
            cook(post)
        post.save(force_insert=True)
        if images:
            # Cooked once the photos have ids: their addresses are what the text may place.
            post.image_ids = post_images.attach(post, images)
            cook(post)
            post.save(update_fields=["image_ids", *COOKED_FIELDS])
        log.record(space, actor=actor, action=log.POST_CREATED, post=post, state=post.state, **_counted(images=images))
        _after_written(verdict, post)
        if post.is_shown:  # a held post tells nobody until a moderator lets it through
            events.post_written(actor=actor, post=post)
    return post


def _counted(**changes: Collection) -> dict[str, int]:
    """The log's detail of photos added or removed: their numbers, only when there are any."""
    return {name: len(items) for name, items in changes.items() if items}


def edit_post(
    *,
    actor: AbstractBaseUser,
    post: Post,
    title: str | None,
    body: str,
    add_images: Sequence[ProfilePhoto] = (),
    remove_image_ids: Collection[int] = (),
    confirmed: bool = False,
) -> bool:
    """Change a post, keeping the version it replaces as a revision the author can read; False if unchanged.

    Photos removed are deleted at once (earlier versions keep text only); `add_images` go after those kept.
    """
    with transaction.atomic():
        post = locked_post(post)
        permissions.check_is_author(actor.pk, post)
        removed = [pk for pk in post.image_ids if pk in set(remove_image_ids)]
        kept = [pk for pk in post.image_ids if pk not in removed]
        text_changed = (post.title, post.body) != (title, body)
        if not (text_changed or removed or add_images):
            return False
        membership = locked_membership(post.space, actor.pk)
        permissions.check_can_attach_images(
            post.space, membership, adding=len(add_images), total=len(kept) + len(add_images)
        )
        rewritten = _rewrite(post, actor, membership, title, body, confirmed) if text_changed else None
        post_images.detach(post, removed)
        post.image_ids = kept + post_images.attach(post, add_images)
        post.edited_at = timezone.now()
        cook(post)
        post.save(update_fields=["title", "body", *COOKED_FIELDS, "edited_at", "state", "censored", "image_ids"])
        detail = _counted(images_added=add_images, images_removed=removed)
        log.record(post.space, actor=actor, action=log.POST_EDITED, post=post, state=post.state, **detail)
        if rewritten is not None:
            verdict, replaced_body = rewritten
            _after_written(verdict, post)
            if post.is_shown:
                events.post_written(actor=actor, post=post, replaced_body=replaced_body)
    return True


def _rewrite(
    post: Post, actor: AbstractBaseUser, membership: Membership | None, title: str | None, body: str, confirmed: bool
) -> tuple[Verdict, str]:
    """New text for a locked post, screened, with the text it replaces kept as a revision: the verdict and the
    body replaced. Saved by the caller."""
    draft = Draft(actor, post.space, membership, POST, title, body, editing=post, confirmed=confirmed)
    verdict = screen(draft)
    PostRevision.objects.create(
        post=post,
        data_key_id=post.data_key_id,
        title=post.title,
        body=post.body,
        created_at=post.edited_at or post.created_at,
    )
    replaced_body = post.body
    post.title, post.body = verdict.title, verdict.body
    post.state, post.censored = state_after_edit(post.state, verdict), post.censored or verdict.censored
    return verdict, replaced_body


def delete_post(*, actor: AbstractBaseUser, post: Post) -> None:
    """The author deletes their post with its revisions, its comments and its likes."""
    with transaction.atomic():
        post = locked_post(post)
        permissions.check_is_author(actor.pk, post)
        delete_post_row(post, actor=actor)


def delete_post_row(post: Post, *, actor: AbstractBaseUser | None) -> None:
    """Inside the caller's transaction, with the post locked and the right to delete it checked."""
    space, post_id = post.space, post.pk
    post.delete()
    log.record(space, actor=actor, action=log.POST_DELETED, post_number=post_id)


def set_pinned(*, actor: AbstractBaseUser, post: Post, pinned: bool) -> None:
    with transaction.atomic():
        post = locked_post(post)
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
        post = locked_post(post)
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


def add_comment(
    *, actor: AbstractBaseUser, post: Post, body: str, parent: Comment | None = None, confirmed: bool = False
) -> Comment:
    """A comment on a post, or a reply to one of its comments (one level only); screened like a post.

    The post's comment count counts shown comments only, so it matches what readers see.
    """
    with transaction.atomic():
        post = locked_post(post)
        membership = locked_membership(post.space, actor.pk)
        permissions.check_can_comment(post.space, membership, post, parent)
        verdict = screen(Draft(actor, post.space, membership, COMMENT, None, body, confirmed=confirmed))
        comment = Comment(
            post=post,
            parent=parent,
            author=actor,
            data_key_id=actor.data_key_id,
            body=verdict.body,
            state=verdict.state,
            censored=verdict.censored,
        )
        cook(comment)
        comment.save(force_insert=True)
        if comment.is_shown:
            Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        log.record(post.space, actor=actor, action=log.COMMENT_ADDED, post=post, comment=comment, state=comment.state)
        _after_written(verdict, comment)
        if comment.is_shown:
            events.comment_written(actor=actor, comment=comment, space=post.space)
    return comment


def locked_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update(of=("self",)).select_related("post__space").get(pk=comment.pk)


def edit_comment(*, actor: AbstractBaseUser, comment: Comment, body: str, confirmed: bool = False) -> bool:
    with transaction.atomic():
        comment = locked_comment(comment)
        permissions.check_is_author(actor.pk, comment)
        if comment.body == body:
            return False
        space = comment.post.space
        draft = Draft(
            actor, space, locked_membership(space, actor.pk), COMMENT, None, body, editing=comment, confirmed=confirmed
        )
        verdict = screen(draft)
        CommentRevision.objects.create(
            comment=comment,
            data_key_id=comment.data_key_id,
            body=comment.body,
            created_at=comment.edited_at or comment.created_at,
        )
        replaced_body = comment.body
        was_shown = comment.is_shown
        comment.body, comment.edited_at = verdict.body, timezone.now()
        comment.state = state_after_edit(comment.state, verdict)
        comment.censored = comment.censored or verdict.censored
        cook(comment)
        comment.save(update_fields=["body", *COOKED_FIELDS, "edited_at", "state", "censored"])
        count_comment_change(comment.post_id, was_shown, comment.is_shown)
        log.record(space, actor=actor, action=log.COMMENT_EDITED, post=comment.post, comment=comment)
        _after_written(verdict, comment)
        if comment.is_shown:
            events.comment_written(actor=actor, comment=comment, space=space, replaced_body=replaced_body)
    return True


def count_comment_change(post_id: int, was_shown: bool, is_shown: bool) -> None:
    if was_shown != is_shown:
        Post.objects.filter(pk=post_id).update(comment_count=F("comment_count") + (1 if is_shown else -1))


def delete_comment(*, actor: AbstractBaseUser, comment: Comment) -> None:
    """The author deletes their comment; the replies under it go with it, as a thread cannot hang from nothing."""
    with transaction.atomic():
        comment = locked_comment(comment)
        permissions.check_is_author(actor.pk, comment)
        delete_comment_row(comment, actor=actor)


def delete_comment_row(comment: Comment, *, actor: AbstractBaseUser | None) -> None:
    """Inside the caller's transaction, with the comment locked and the right to delete it checked."""
    post = comment.post
    removed = int(comment.is_shown) + comment.replies.filter(state=Written.SHOWN).count()
    comment_id = comment.pk
    comment.delete()
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") - removed)
    log.record(post.space, actor=actor, action=log.COMMENT_DELETED, post=post, comment_number=comment_id)
