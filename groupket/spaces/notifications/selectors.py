"""A member's notifications as the list shows them, opened in bulk.

A page costs the same queries whatever its size and however many members, posts and spaces it names:
the notifications with what they point at, the data keys not yet open, and the spaces the member is in
(a title is shown only while the member may still read its space). Nothing shown is stored: the ID of
who did it, the title or the opening words are opened from their own sealed rows on each read.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise

from groupket.core.keys import open_data_keys
from groupket.spaces.feeds import InvalidCursor, after
from groupket.spaces.models import Membership, Notification, NotificationSettings, Space
from groupket.spaces.notifications import kinds

PAGE_SIZE = 30
EXCERPT = 80
FIELDS = (
    "kind", "created_at", "read_at", "detail", "data_key", "member",
    "actor", "actor__data_key", "actor__username",
    "space", "space__name", "space__slug", "space__visibility", "space__closed_at",
    "post", "post__data_key", "post__title", "post__body", "post__space",
    "comment", "comment__data_key", "comment__body", "comment__post",
)  # fmt: skip


@dataclass(frozen=True)
class ShownNotification:
    notification: Notification
    says: Promise
    actor_id: str | None  # the ID (username) of who did it, None when nobody is named
    about: str  # a title or the opening words, empty when gone or no longer readable
    link: str
    space: Space | None


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _readable(space: Space | None, theirs: set[int]) -> bool:
    if space is None:
        return False
    return (space.visibility == Space.PUBLIC and not space.is_closed) or space.pk in theirs


def _link_and_about(row: Notification, readable: bool) -> tuple[str, str]:
    list_page = reverse("spaces:notifications")
    if row.kind == kinds.JOIN_REQUEST and row.space is not None:
        return reverse("spaces:members", args=[row.space.slug]), ""
    if row.kind == kinds.JOIN_APPROVED and row.space is not None:
        return reverse("spaces:home", args=[row.space.slug]), ""
    if not readable or row.post is None:
        return list_page, ""
    link = reverse("spaces:post", args=[row.space.slug, row.post_id])
    if row.comment is not None:
        return f"{link}#comment-{row.comment_id}", _excerpt(row.comment.body)
    return link, _excerpt(row.post.title or row.post.body)


def _show(row: Notification, theirs: set[int]) -> ShownNotification:
    readable = _readable(row.space, theirs)
    link, about = _link_and_about(row, readable)
    says = kinds.SAYS[row.kind]
    if row.kind == kinds.MODERATION_DECISION and row.detail:
        decision = json.loads(row.detail)
        says = kinds.DECISIONS.get(decision.get("decision"), says)
        link = decision.get("link") or link
    actor = row.actor.username if row.actor is not None else None
    return ShownNotification(row, says, actor, about, link, row.space if readable else None)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
CURSOR = re.compile(r"^(\d{1,17})-(\d{1,18})$")


def _page(rows: QuerySet[Notification], cursor: str | None) -> tuple[list[Notification], str | None]:
    """Keyset paging on (created_at, id); the cursor is "<microseconds since 1970>-<id>" of the last row shown."""
    if cursor:
        match = CURSOR.match(cursor)
        if match is None:
            raise InvalidCursor(f"not a notifications cursor: {cursor[:40]!r}")
        try:
            moment = _EPOCH + int(match[1]) * _MICROSECOND
        except OverflowError as exc:
            raise InvalidCursor(f"not a notifications cursor: {cursor[:40]!r}") from exc
        rows = rows.filter(after(moment, int(match[2])))
    found = list(rows.order_by("-created_at", "-pk")[: PAGE_SIZE + 1])
    if len(found) <= PAGE_SIZE:
        return found, None
    last = found[PAGE_SIZE - 1]
    return found[:PAGE_SIZE], f"{(last.created_at - _EPOCH) // _MICROSECOND}-{last.pk}"


def notifications_page(*, member: AbstractBaseUser, cursor: str | None) -> tuple[list[ShownNotification], str | None]:
    """One page of the member's notifications, newest first, and the cursor of the next (None: the last)."""
    rows = Notification.objects.filter(member_id=member.pk).select_related("actor", "space", "post", "comment")
    found, next_cursor = _page(rows.only(*FIELDS), cursor)
    open_data_keys(
        key
        for row in found
        for key in (row.data_key_id, row.actor and row.actor.data_key_id, row.post and row.post.data_key_id,
                    row.comment and row.comment.data_key_id)
    )  # fmt: skip
    theirs: set[int] = set()
    if found:
        active = Membership.objects.filter(member_id=member.pk, status=Membership.ACTIVE)
        theirs = set(active.values_list("space_id", flat=True))
    return [_show(row, theirs) for row in found], next_cursor


def wants_mail(member_id: int, kind: str) -> bool:
    """Whether the member keeps the email switch of this kind on (every switch is on until they change one)."""
    off = NotificationSettings.objects.filter(member_id=member_id).values_list("email_off", flat=True).first()
    return kinds.switch_of(kind) not in (off or [])
