"""Feeds: pages of posts by cursor, newest first, opened in bulk (issue 11, section 2).

A page costs the same number of queries whatever its size and however many spaces and
authors it spans: one for the posts with their authors, spaces, wrapped data keys (joined, so
no second query opens them: core.keys.open_loaded_data_keys, the keyring read once for the
page) and whether the viewer liked each, and one for the mentioned IDs. A body's HTML is made
when it is written (`cook`) and stored sealed beside it; a read opens it and links its
mentions, and parses only a body whose HTML is missing or older than the cook
(markdown.COOK_VERSION; services.cooking makes it again).

The cursor is opaque to visitors: the (created_at, id) of the last post shown, as URL-safe
base64. A cursor that does not decode raises InvalidCursor, and the view starts again from
the newest post.
"""

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString

from groupket.core.keys import open_data_keys, open_loaded_data_keys
from groupket.spaces import markdown
from groupket.spaces.links import PostLinks
from groupket.spaces.models import Comment, Membership, Post, Reaction, Space
from groupket.spaces.selectors import mention_links

CURSOR_VERSION = "1"
_TIME_FORMAT = "%Y%m%d%H%M%S%f"
POST_FIELDS = (
    "space", "author", "data_key", "title", "body", "body_html", "cooked_with", "created_at", "edited_at",
    "pinned_at", "like_count", "comment_count", "state", "censored", "image_ids", "author__data_key",
    "author__username", "space__name", "space__slug", "data_key__wrapped", "data_key__master_key_id",
)  # fmt: skip
COMMENT_FIELDS = (
    "post",
    "parent",
    "author",
    "data_key",
    "body",
    "body_html",
    "cooked_with",
    "created_at",
    "edited_at",
    "state",
    "censored",
    "author__data_key",
    "author__username",
    "data_key__wrapped",
    "data_key__master_key_id",
)
COMMENTS_SHOWN = 300


class InvalidCursor(ValueError):
    """A feed cursor that is not one we made."""


def encode_cursor(post: Post) -> str:
    moment = post.created_at.astimezone(UTC).strftime(_TIME_FORMAT)
    return base64.urlsafe_b64encode(f"{CURSOR_VERSION}.{moment}.{post.pk}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[datetime, int]:
    try:
        # validate: a character outside the alphabet is an error, not something to skip.
        text = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True).decode("ascii")
        version, moment, pk = text.split(".")
        if version != CURSOR_VERSION or not pk.isdigit() or len(pk) > 18:
            raise ValueError(version)
        return datetime.strptime(moment, _TIME_FORMAT).replace(tzinfo=UTC), int(pk)
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidCursor(f"not a feed cursor: {raw[:40]!r}") from exc


@dataclass(frozen=True)
class ShownPost:
    """A post as a page shows it: its body rendered, whether the viewer liked it, and its links (links.PostLinks)."""

    post: Post
    body_html: SafeString
    liked: bool
    url: str
    space_url: str
    like_url: str
    author_url: str | None
    # The addresses of the post's photos that its text does not place itself: shown under it, in order.
    images_below: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedPage:
    posts: list[ShownPost]
    next_cursor: str | None
    pinned: list[ShownPost] = field(default_factory=list)


def after(moment: datetime, pk: int) -> Q:
    """Rows older than (moment, pk) in the feeds' order (newest first, the id breaking ties).

    The plain `created_at <= moment` is redundant with the rest, but it is what PostgreSQL can use as the
    bound of an index scan: with the OR alone it reads the index from the newest row and filters every row
    newer than the cursor (a home feed page deep in 1,000,000 posts took seconds; bench/feed.py).
    """
    return Q(created_at__lte=moment) & (Q(created_at__lt=moment) | Q(pk__lt=pk))


def _newest_first(posts: QuerySet[Post], cursor: str | None, limit: int) -> QuerySet[Post]:
    if cursor:
        posts = posts.filter(after(*decode_cursor(cursor)))
    return posts.order_by("-created_at", "-pk")[:limit]


def _page_of(rows: list[Post], size: int) -> tuple[list[Post], str | None]:
    """The first `size` of rows read one beyond the page, and the cursor of the next page if there is one."""
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1]) if more else None


def _keyset(posts: QuerySet[Post], cursor: str | None, size: int) -> tuple[list[Post], str | None]:
    return _page_of(list(_newest_first(posts, cursor, size + 1)), size)


def _liked(viewer: AbstractBaseUser | None, posts: Sequence[Post]) -> set[int]:
    if viewer is None or not viewer.is_authenticated or not posts:
        return set()
    if all(hasattr(post, "viewer_liked") for post in posts):  # post_rows(viewer) asked in the same query
        return {post.pk for post in posts if post.viewer_liked}
    rows = Reaction.objects.filter(member_id=viewer.pk, post_id__in=[post.pk for post in posts])
    return set(rows.values_list("post_id", flat=True))


def open_in_bulk(rows: Iterable[Post | Comment]) -> None:
    """Open the data keys of rows and their authors with one query, before any sealed field is read.

    A row left under "Withdrawn member" has no author, and its key is its space's. Keys the rows' query joined
    (post_rows, post_comments) are opened from those rows with no query; an author's key is the same as the row's,
    so open_data_keys then finds every key open and asks nothing.
    """
    rows = list(rows)
    joined = [row.data_key for row in rows if type(row)._meta.get_field("data_key").is_cached(row)]
    open_loaded_data_keys(joined)
    open_data_keys({key for row in rows for key in (row.data_key_id, row.author and row.author.data_key_id)})


def image_addresses(post: Post) -> list[str]:
    """The addresses of a post's photos, in order; no query (the space is asked for only when there are photos)."""
    if not post.image_ids:
        return []
    return [reverse("spaces:post_image", args=[post.space.slug, post.pk, pk]) for pk in post.image_ids]


COOKED_FIELDS = ("body_html", "cooked_with")


def cook(row: Post | Comment) -> None:
    """Make the row's body_html (COOKED_FIELDS) from its body and a post's photos, before it is saved."""
    row.body_html = markdown.cook(row.body, image_addresses(row) if isinstance(row, Post) else ())
    row.cooked_with = markdown.COOK_VERSION


def _text(row: Post | Comment, *, with_images: bool) -> markdown.Parsed | markdown.Cooked:
    # A row whose HTML is missing or was made by an older cook is parsed; so is every row when its photos are not
    # to be shown, since the cooked HTML has them in place.
    if with_images and row.cooked_with == markdown.COOK_VERSION and row.body_html is not None:
        return markdown.Cooked(row.body_html)
    return markdown.parse(row.body)


def _rendered(rows: Sequence[Post | Comment], *, with_images: bool = True) -> list[tuple[SafeString, tuple[str, ...]]]:
    """Each row's body as sanitised HTML with its photos not placed in the text; mentions looked up in one query.

    Without images, a photo placed in the text shows as its description (the moderation desk lists the photos apart,
    at addresses of its own)."""
    texts = [_text(row, with_images=with_images) for row in rows]
    links = mention_links(set().union(*(text.mentioned_keys for text in texts)))
    rendered = []
    for row, text in zip(rows, texts, strict=True):
        images = image_addresses(row) if with_images and isinstance(row, Post) else []
        placed = markdown.placed_images(text) if images else set()
        below = tuple(address for address in images if address not in placed)
        rendered.append((markdown.render(text, links, images), below))
    return rendered


def render_bodies(rows: Sequence[Post | Comment], *, with_images: bool = True) -> list[SafeString]:
    """Each row's body as sanitised HTML, every mentioned ID on the page looked up in one query."""
    return [html for html, _below in _rendered(rows, with_images=with_images)]


def show_posts(posts: Sequence[Post], viewer: AbstractBaseUser | None) -> list[ShownPost]:
    open_in_bulk(posts)
    liked = _liked(viewer, posts)
    links = PostLinks()
    return [
        ShownPost(
            post,
            html,
            liked=post.pk in liked,
            url=links.post(post.space.slug, post.pk),
            space_url=links.space(post.space.slug),
            like_url=links.like(post.space.slug, post.pk),
            author_url=links.member(post.author_id) if post.author_id else None,
            images_below=below,
        )
        for post, (html, below) in zip(posts, _rendered(posts), strict=True)
    ]


def post_rows(viewer: AbstractBaseUser | None = None) -> QuerySet[Post]:
    """Posts with just what a page shows of them, their authors, spaces and wrapped keys (never a photo or a
    password hash); for a signed-in viewer, whether they liked each, in the same query."""
    rows = Post.objects.select_related("author", "space", "data_key").only(*POST_FIELDS)
    if viewer is not None and viewer.is_authenticated:
        mine = Reaction.objects.filter(member_id=viewer.pk, post_id=OuterRef("pk"))
        rows = rows.annotate(viewer_liked=Exists(mine))
    return rows


def shown_post_rows(viewer: AbstractBaseUser | None = None) -> QuerySet[Post]:
    """What feeds list: held, hidden and removed posts are seen only on their own page, by whom may (P10.1)."""
    return post_rows(viewer).filter(state=Post.SHOWN)


def page_size() -> int:
    return settings.GROUPKET_FEED_PAGE_SIZE


def space_feed(*, space: Space, viewer: AbstractBaseUser | None, cursor: str | None) -> FeedPage:
    """A space's feed: on the first page its pinned posts first, then the rest newest first."""
    posts = shown_post_rows(viewer).filter(space=space)
    pinned = [] if cursor else list(posts.filter(pinned_at__isnull=False).order_by("-pinned_at", "-pk"))
    rows, next_cursor = _keyset(posts.filter(pinned_at__isnull=True), cursor, page_size())
    shown = show_posts([*pinned, *rows], viewer)
    return FeedPage(posts=shown[len(pinned) :], next_cursor=next_cursor, pinned=shown[: len(pinned)])


def home_feed(*, member: AbstractBaseUser, cursor: str | None, space_ids: Sequence[int] | None = None) -> FeedPage:
    """The posts of every space the member is in, newest first.

    `space_ids`, the member's active spaces, when the caller has them already (the home page lists them). They go
    into the query as a list, not a subquery: with a subquery PostgreSQL walked the feed index checking each post's
    membership in a nested loop (62 ms for a member in 50 of 1,000 spaces, bench/feed.py), with the list it
    filters the same index scan by a hash of 50 ids (4 ms).
    """
    if space_ids is None:
        theirs = Membership.objects.filter(member_id=member.pk, status=Membership.ACTIVE)
        space_ids = list(theirs.values_list("space_id", flat=True))
    # Which posts, from the feed index alone (it covers space and state), then just those rows with what a page
    # shows: the rows of other spaces the index passes over are never read (bench/feed.py, 5.3 to 3.8 ms).
    shown_in_theirs = Post.objects.filter(state=Post.SHOWN, space_id__in=list(space_ids))
    found = _newest_first(shown_in_theirs, cursor, page_size() + 1).values("pk")
    rows, next_cursor = _page_of(
        list(post_rows(member).filter(pk__in=found).order_by("-created_at", "-pk")), page_size()
    )
    return FeedPage(posts=show_posts(rows, member), next_cursor=next_cursor)


@dataclass(frozen=True)
class ShownComment:
    comment: Comment
    body_html: SafeString
    replies: list["ShownComment"] = field(default_factory=list)


def post_comments(post: Post, *, viewer_id: int | None = None, sees_all: bool = False) -> list[ShownComment]:
    """A post's comments, oldest first, each with its replies; bounded, opened in bulk.

    Comments not shown (held, hidden, removed) appear only to their author and, with `sees_all`, to the
    space's organisers.
    """
    rows = Comment.objects.filter(post=post)
    if not sees_all:
        rows = rows.filter(Q(state=Comment.SHOWN) | Q(author_id=viewer_id or 0))
    rows = list(
        rows.select_related("author", "data_key").only(*COMMENT_FIELDS).order_by("created_at", "pk")[:COMMENTS_SHOWN]
    )
    open_in_bulk(rows)
    shown = {row.pk: ShownComment(row, html) for row, html in zip(rows, render_bodies(rows), strict=True)}
    threads: list[ShownComment] = []
    for one in shown.values():
        parent = shown.get(one.comment.parent_id) if one.comment.parent_id else None
        if one.comment.parent_id is None:
            threads.append(one)
        elif parent is not None:
            parent.replies.append(one)
    return threads


def readable_by(viewer: AbstractBaseUser | None) -> Q:
    """Posts a visitor may read: in open public spaces, or in any space the visitor is a member of."""
    public = Q(space__visibility=Space.PUBLIC, space__closed_at__isnull=True)
    if viewer is None or not viewer.is_authenticated:
        return public
    theirs = Membership.objects.filter(member_id=viewer.pk, status=Membership.ACTIVE).values("space_id")
    return public | Q(space_id__in=theirs)


def author_feed(*, author_id: int, viewer: AbstractBaseUser | None, cursor: str | None) -> FeedPage:
    """One member's posts that the visitor may read, newest first."""
    posts = shown_post_rows(viewer).filter(readable_by(viewer), author_id=author_id)
    rows, next_cursor = _keyset(posts, cursor, page_size())
    return FeedPage(posts=show_posts(rows, viewer), next_cursor=next_cursor)
