"""Feeds page by an opaque cursor, newest first, in a fixed number of queries (issue 11, section 2).

The number of queries of a feed page does not grow with the page size, the number of spaces
or the number of authors: posts come with their authors, their wrapped data keys and the viewer's
likes in one query, and the keys are opened from those rows (core.keys.open_loaded_data_keys), never
with a query per row, nor with a second query for the keys.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groupket.core import keys
from groupket.spaces.feeds import InvalidCursor, decode_cursor, encode_cursor
from groupket.spaces.models import Membership, Post
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space

# A signed-in space feed page: session, member, sign-in check, policy versions (4); the space with the visitor's
# membership and its members count, in one query (1); pinned posts, the page of posts (each with its author, wrapped
# key and whether the visitor liked it), the mentioned IDs (3).
SPACE_FEED_QUERIES = 8
# The home feed: the 4 of every page; the member's spaces; the page of posts (authors, keys, likes), the mentions.
HOME_FEED_QUERIES = 7


def seed(space, authors: int, posts: int, mention: str) -> None:
    writers = [MemberFactory() for _ in range(authors)]
    for writer in writers:
        join(writer, space)
    for number in range(posts):
        make_post(writers[number % authors], space, f"Post {number}, hello @{mention}", title=f"T{number}")


def counted(client: Client, url: str) -> list[str]:
    """The SQL of one request, with every data key forgotten first so each must be opened again."""
    keys._opened.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def key_lookups(queries: list[str]) -> int:
    return sum('FROM "core_datakey"' in sql for sql in queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("authors", "posts", "page_size"), [(1, 3, 5), (12, 30, 20), (25, 60, 50)])
def test_a_space_feed_page_takes_the_same_queries_whatever_its_size_and_authors(
    client: Client, settings, authors: int, posts: int, page_size: int, django_assert_num_queries
) -> None:
    settings.GROUPKET_FEED_PAGE_SIZE = page_size
    viewer = MemberFactory(username="viewer.one")
    space = make_space(viewer)
    seed(space, authors, posts, "viewer.one")
    sign_in(client, viewer)
    queries = counted(client, "/s/hiking-club/")
    assert len(queries) == SPACE_FEED_QUERIES, "\n".join(queries)
    assert key_lookups(queries) == 0  # every author's key came joined to the posts
    keys._opened.clear()
    with django_assert_num_queries(SPACE_FEED_QUERIES):
        response = client.get("/s/hiking-club/")
    shown = response.context["feed"].posts
    assert len(shown) == min(posts, page_size)
    assert all("/members/" in str(one.body_html) for one in shown)  # mentions resolved in that one query
    assert len({one.post.author.username for one in shown}) == min(authors, len(shown))


@pytest.mark.django_db
@pytest.mark.parametrize(("spaces", "authors"), [(1, 1), (6, 18)])
def test_the_home_feed_takes_the_same_queries_whatever_the_spaces_and_authors(
    client: Client, spaces: int, authors: int, django_assert_num_queries
) -> None:
    member = MemberFactory(username="home.member")
    for number in range(spaces):
        space = make_space(MemberFactory(), slug=f"space-{number}")
        join(member, space)
        seed(space, max(1, authors // spaces), 3, "home.member")  # 18 at most: one page
    sign_in(client, member)
    queries = counted(client, "/")
    assert len(queries) == HOME_FEED_QUERIES, "\n".join(queries)
    assert key_lookups(queries) == 0
    keys._opened.clear()
    with django_assert_num_queries(HOME_FEED_QUERIES):
        response = client.get("/")
    assert {one.post.space_id for one in response.context["feed"].posts} == set(
        Membership.objects.filter(member=member).values_list("space_id", flat=True)
    )


@pytest.mark.django_db
def test_following_the_cursor_shows_every_post_once_newest_first(client: Client, settings) -> None:
    settings.GROUPKET_FEED_PAGE_SIZE = 4
    owner = MemberFactory()
    space = make_space(owner)
    same_moment = timezone.now() - timedelta(hours=1)
    made = [make_post(owner, space, f"post {number}") for number in range(11)]
    # Several posts at the very same moment: the id breaks the tie, so none is skipped or shown twice.
    Post.objects.filter(pk__in=[post.pk for post in made[3:8]]).update(created_at=same_moment)
    seen, url, pages = [], "/s/hiking-club/", 0
    while url:
        feed = client.get(url).context["feed"]
        seen += [shown.post.pk for shown in feed.posts]
        url = f"/s/hiking-club/?after={feed.next_cursor}" if feed.next_cursor else None
        pages += 1
    expected = list(Post.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert seen == expected and pages == 3


@pytest.mark.django_db
def test_the_cursor_is_opaque_and_a_bad_one_starts_again_from_the_newest(client: Client) -> None:
    owner = MemberFactory()
    space = make_space(owner)
    post = make_post(owner, space, "the only post")
    cursor = encode_cursor(post)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor) and decode_cursor(cursor) == (post.created_at, post.pk)
    for junk in ("", "abc", "%%%", "MS4yMDI2.eA", encode_cursor(post) + "!!", "é", "1" * 500):
        if junk:
            with pytest.raises(InvalidCursor):
                decode_cursor(junk)
        response = client.get("/s/hiking-club/", {"after": junk})
        assert response.status_code == 200
        assert "the only post" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("commenters", [1, 15])
def test_a_post_page_takes_the_same_queries_whatever_the_comments_and_their_authors(
    client: Client, commenters: int, django_assert_num_queries
) -> None:
    from groupket.spaces.services.posts import add_comment

    owner = MemberFactory(username="post.owner")
    space = make_space(owner)
    post = make_post(owner, space, "Who comes? @post.owner")
    for number in range(commenters):
        member = MemberFactory()
        join(member, space)
        top = add_comment(actor=member, post=post, body=f"Me, @post.owner ({number})")
        add_comment(actor=owner, post=post, body="Great", parent=top)
    sign_in(client, owner)
    # The 4 of every page; the space, the membership; the post with its author and key; the likes, its mentions;
    # the comments with their authors and keys; their mentions.
    queries = counted(client, f"/s/hiking-club/p/{post.pk}/")
    assert len(queries) == 11, "\n".join(queries)
    assert key_lookups(queries) == 0  # the post's key and every commenter's came joined to their rows
