"""What the spaces put in a member's data export (P6.1): listed in settings.GROUPKET_EXPORT_SECTIONS.

Everything here is the member's own: their places in spaces, what they wrote (with the
earlier versions they replaced) and what they liked. Other members' writing is not theirs
and is not exported, not even the replies under their comments.
"""

import base64
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from groupket.privacy.export_sections import export_section, timestamp
from groupket.spaces.models import (
    Comment,
    CommentRevision,
    Membership,
    Notification,
    Post,
    PostImage,
    PostRevision,
    Reaction,
)
from groupket.spaces.notifications import kinds
from groupket.spaces.notifications.services import emails_switched_off

COLUMNS = {
    "space": _("Space"),
    "address": _("Address"),
    "role": _("Role"),
    "status": _("Standing"),
    "title": _("Title"),
    "body": _("Text"),
    "written_at": _("Written"),
    "edited_at": _("Edited"),
    "earlier_versions": _("Earlier versions"),
    "post": _("Post"),
    "reply_to": _("Reply to comment"),
    "number": _("Number"),
    "kind": _("Kind"),
    "read_at": pgettext_lazy("time", "Read"),
    "photo": _("Photo"),
}


@export_section(label=_("My spaces"), columns=COLUMNS)
def spaces(member: AbstractBaseUser) -> list[dict[str, Any]]:
    rows = Membership.objects.filter(member=member).select_related("space").order_by("created_at", "pk")
    return [
        {
            "space": row.space.name,
            "address": f"/s/{row.space.slug}/",
            "role": row.role,
            "status": row.status,
            "time": timestamp(row.created_at),
        }
        for row in rows
    ]


@export_section(label=_("My posts"), columns=COLUMNS)
def posts(member: AbstractBaseUser) -> list[dict[str, Any]]:
    revisions = Prefetch("revisions", queryset=PostRevision.objects.order_by("created_at", "pk"))
    rows = Post.objects.filter(author=member).select_related("space").prefetch_related(revisions)
    return [
        {
            "number": post.pk,
            "space": post.space.name,
            "address": f"/s/{post.space.slug}/p/{post.pk}/",
            "title": post.title,
            "body": post.body,
            "written_at": timestamp(post.created_at),
            "edited_at": timestamp(post.edited_at),
            "earlier_versions": [
                {"title": old.title, "body": old.body, "written_at": timestamp(old.created_at)}
                for old in post.revisions.all()
            ],
        }
        for post in rows.order_by("created_at", "pk")
    ]


@export_section(label=_("Photos in my posts"), columns=COLUMNS)
def post_images(member: AbstractBaseUser) -> list[dict[str, Any]]:
    """Each photo of the member's posts, in the posts' order and then the order shown, as the re-encoded image."""
    rows = PostImage.objects.filter(author=member).select_related("post__space").order_by("post__created_at", "pk")
    listed = []
    for image in rows:
        post = image.post
        listed.append(
            {
                "post": f"/s/{post.space.slug}/p/{post.pk}/",
                "number": post.image_ids.index(image.pk) + 1 if image.pk in post.image_ids else None,
                "address": f"/s/{post.space.slug}/p/{post.pk}/images/{image.pk}/",
                "photo": {"content_type": image.content_type, "base64": base64.b64encode(image.content).decode()},
                "time": timestamp(image.created_at),
            }
        )
    return listed


@export_section(label=_("My comments"), columns=COLUMNS)
def comments(member: AbstractBaseUser) -> list[dict[str, Any]]:
    revisions = Prefetch("revisions", queryset=CommentRevision.objects.order_by("created_at", "pk"))
    rows = Comment.objects.filter(author=member).select_related("post__space").prefetch_related(revisions)
    return [
        {
            "number": comment.pk,
            "post": f"/s/{comment.post.space.slug}/p/{comment.post_id}/",
            "reply_to": comment.parent_id,
            "body": comment.body,
            "written_at": timestamp(comment.created_at),
            "edited_at": timestamp(comment.edited_at),
            "earlier_versions": [
                {"body": old.body, "written_at": timestamp(old.created_at)} for old in comment.revisions.all()
            ],
        }
        for comment in rows.order_by("created_at", "pk")
    ]


@export_section(label=_("Posts I liked"), columns=COLUMNS)
def likes(member: AbstractBaseUser) -> list[dict[str, Any]]:
    rows = Reaction.objects.filter(member=member).select_related("post__space").order_by("created_at", "pk")
    return [{"post": f"/s/{row.post.space.slug}/p/{row.post_id}/", "time": timestamp(row.created_at)} for row in rows]


@export_section(label=_("My notifications"), columns=COLUMNS)
def notifications(member: AbstractBaseUser) -> list[dict[str, Any]]:
    """Each notification's kind, time, whether it was read and what it points at.

    Who caused it is another member, whose ID is theirs and not this member's, so it is left out.
    """
    rows = Notification.objects.filter(member=member).select_related("space", "post__space")
    fields = ("kind", "created_at", "read_at", "data_key", "detail", "space__slug", "post__space__slug")
    listed = []
    for row in rows.only(*fields).order_by("created_at", "pk"):
        entry = {"kind": row.kind, "time": timestamp(row.created_at), "read_at": timestamp(row.read_at)}
        if row.post is not None:
            entry["post"] = f"/s/{row.post.space.slug}/p/{row.post_id}/"
        elif row.space is not None:
            entry["address"] = f"/s/{row.space.slug}/"
        if row.detail:
            entry["detail"] = row.detail
        listed.append(entry)
    return listed


@export_section(label=_("Notification mail"))
def notification_mail(member: AbstractBaseUser) -> dict[str, bool]:
    """Whether the member gets each kind of notification by email."""
    off = emails_switched_off(member)
    return {switch: switch not in off for switch in kinds.EMAIL_SWITCHES}
