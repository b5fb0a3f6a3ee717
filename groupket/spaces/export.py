"""What the spaces put in a member's data export (P6.1): listed in settings.GROUPKET_EXPORT_SECTIONS.

Everything here is the member's own: their places in spaces, what they wrote (with the
earlier versions they replaced) and what they liked. Other members' writing is not theirs
and is not exported, not even the replies under their comments.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from groupket.privacy.export_sections import export_section, timestamp
from groupket.spaces.models import Comment, CommentRevision, Membership, Post, PostRevision, Reaction

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
