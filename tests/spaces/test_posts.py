"""Posts and comments: Markdown made safe, mentions, revisions for the author, deleting, likes and pins."""

import pytest
from django.test import Client

from groupket.spaces.models import Comment, CommentRevision, Post, PostRevision, Reaction, SpaceLogEntry
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space
from tests.markup import fragment


@pytest.fixture
def space(db: None):
    return make_space(MemberFactory(username="space.owner"))


@pytest.fixture
def writer(space):
    member = MemberFactory(username="writer.one")
    join(member, space)
    return member


def body_of(html: str) -> str:
    """The rendered body of the (first) post on a page."""
    body = fragment(html, tag="div", class_="post-body")
    return body[body.index(">") + 1 : body.rindex("</div>")]


def page(client: Client, post: Post) -> str:
    response = client.get(f"/s/{post.space.slug}/p/{post.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_member_posts_markdown_and_it_is_shown_safe(client: Client, space, writer) -> None:
    sign_in(client, writer)
    body = (
        "**Bold** and [a link](https://example.org/walk)\n\n"
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [bad](javascript:alert(3))\n\n"
        "![photo](https://elsewhere.example/p.png)\n\n# Big heading"
    )
    response = client.post("/s/hiking-club/posts/new/", {"title": "<b>Walk</b>", "body": body})
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.title, post.body, post.author_id) == ("<b>Walk</b>", body, writer.pk)
    whole = page(Client(), post)
    assert "&lt;b&gt;Walk&lt;/b&gt;" in whole  # titles are text too
    html = body_of(whole)
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org/walk" rel="nofollow ugc noopener">a link</a>' in html
    assert "<script>" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, never run
    assert "<h3>Big heading</h3>" in html and "<h1>Big heading" not in html
    assert SpaceLogEntry.objects.filter(action="post_created", post=post, actor=writer).count() == 1


@pytest.mark.django_db
def test_a_mention_of_an_existing_member_is_a_link_and_of_anyone_else_text(
    client: Client, space, writer, settings
) -> None:
    # Rendering is under test, not screening (which would hold a post with an email address in it).
    settings.GROUPKET_SCREENING = ""
    post = make_post(writer, space, "Thanks @Space.Owner, @nobody.here and `@writer.one`; mail me at a@writer.one.")
    html = body_of(page(client, post))
    owner = space.memberships.get(role="owner").member
    assert f'<a href="/members/{owner.pk}/" rel="nofollow ugc noopener">@Space.Owner</a>' in html
    assert "@nobody.here" in html and html.count("<a ") == 1  # not in code, not inside an email address
    assert "<code>@writer.one</code>" in html
    # A member's page shows the posts the visitor may read; one with none is met only by those who share a space.
    assert "Thanks" in client.get(f"/members/{writer.pk}/").content.decode()
    assert client.get(f"/members/{owner.pk}/").status_code == 404
    sign_in(client, writer)
    assert client.get(f"/members/{owner.pk}/").status_code == 200


@pytest.mark.django_db
def test_only_members_post_and_a_bad_post_changes_nothing(client: Client, space) -> None:
    outsider = MemberFactory()
    sign_in(client, outsider)
    assert client.post("/s/hiking-club/posts/new/", {"body": "hi"}).status_code == 403
    join(outsider, space)
    for data, message in (
        ({"body": ""}, "This field is required"),
        ({"body": "x" * 20_001}, "at most 20000 characters"),
        ({"title": "t" * 201, "body": "ok"}, "at most 200 characters"),
    ):
        response = client.post("/s/hiking-club/posts/new/", data)
        assert response.status_code == 400 and message in response.content.decode()
    assert not Post.objects.exists()
    assert Client().post("/s/hiking-club/posts/new/", {"body": "hi"}).status_code == 302  # to sign-in


@pytest.mark.django_db
def test_edits_keep_the_earlier_versions_for_the_author_alone(client: Client, space, writer) -> None:
    post = make_post(writer, space, "First words", title="Draft")
    sign_in(client, writer)
    client.post(f"/s/hiking-club/p/{post.pk}/edit/", {"title": "Final", "body": "Second words"})
    client.post(f"/s/hiking-club/p/{post.pk}/edit/", {"title": "", "body": "Third words"})
    client.post(f"/s/hiking-club/p/{post.pk}/edit/", {"title": "", "body": "Third words"})  # unchanged: no revision
    post.refresh_from_db()
    assert (post.title, post.body) == (None, "Third words") and post.edited_at is not None
    assert [(r.title, r.body) for r in PostRevision.objects.order_by("pk")] == [
        ("Draft", "First words"),
        ("Final", "Second words"),
    ]
    html = client.get(f"/s/hiking-club/p/{post.pk}/edit/").content.decode()
    assert "First words" in html and "Second words" in html
    assert "(edited)" in page(client, post) and "First words" not in page(client, post)

    sign_in(client, space.memberships.get(role="owner").member)  # not even the owner
    assert client.get(f"/s/hiking-club/p/{post.pk}/edit/").status_code == 403
    assert client.post(f"/s/hiking-club/p/{post.pk}/edit/", {"body": "taken over"}).status_code == 403
    assert client.post(f"/s/hiking-club/p/{post.pk}/delete/").status_code == 403
    post.refresh_from_db()
    assert post.body == "Third words"
    assert SpaceLogEntry.objects.filter(action="post_edited").count() == 2


@pytest.mark.django_db
def test_comments_have_one_level_of_replies_and_keep_their_versions(client: Client, space, writer) -> None:
    post = make_post(writer, space, "Who is coming?")
    sign_in(client, writer)
    client.post(f"/s/hiking-club/p/{post.pk}/comments/", {"body": "Me!"})
    top = Comment.objects.get()
    client.post(f"/s/hiking-club/p/{post.pk}/comments/", {"body": "Me too", "parent": top.pk})
    reply = Comment.objects.get(parent=top)
    response = client.post(f"/s/hiking-club/p/{post.pk}/comments/", {"body": "Deeper", "parent": reply.pk})
    assert response.status_code == 403  # no reply to a reply
    response = client.post(f"/s/hiking-club/p/{post.pk}/comments/", {"body": "Lost", "parent": 999999})
    assert response.status_code == 400 and "no longer there" in response.content.decode()
    assert client.post(f"/s/hiking-club/p/{post.pk}/comments/", {"body": ""}).status_code == 400
    assert Comment.objects.count() == 2
    post.refresh_from_db()
    assert post.comment_count == 2

    client.post(f"/s/hiking-club/c/{top.pk}/edit/", {"body": "Me, at 9."})
    assert CommentRevision.objects.get().body == "Me!"
    assert "Me!" in client.get(f"/s/hiking-club/c/{top.pk}/edit/").content.decode()
    html = page(client, post)
    assert html.index("Me, at 9.") < html.index("Me too")

    client.post(f"/s/hiking-club/c/{top.pk}/delete/")
    assert not Comment.objects.exists() and not CommentRevision.objects.exists()  # the reply goes with it
    post.refresh_from_db()
    assert post.comment_count == 0


@pytest.mark.django_db
def test_a_like_counts_once_and_can_be_taken_back(client: Client, space, writer) -> None:
    post = make_post(writer, space)
    sign_in(client, writer)
    for _ in range(2):
        client.post(f"/s/hiking-club/p/{post.pk}/like/", {"like": "1"})
    post.refresh_from_db()
    assert post.like_count == 1 and Reaction.objects.count() == 1
    assert 'aria-pressed="true"' in page(client, post) and "1 like" in page(client, post)
    client.post(f"/s/hiking-club/p/{post.pk}/like/", {"like": "0"})
    post.refresh_from_db()
    assert post.like_count == 0 and not Reaction.objects.exists()
    assert list(SpaceLogEntry.objects.filter(post=post).values_list("action", flat=True).order_by("pk")) == [
        "post_created",
        "post_liked",
        "post_unliked",
    ]
    sign_in(client, MemberFactory())  # reads the public space, but is not in it
    assert client.post(f"/s/hiking-club/p/{post.pk}/like/", {"like": "1"}).status_code == 403


@pytest.mark.django_db
def test_the_author_deletes_a_post_with_all_that_hangs_from_it(client: Client, space, writer) -> None:
    post = make_post(writer, space, "Soon gone")
    sign_in(client, writer)
    client.post(f"/s/hiking-club/p/{post.pk}/edit/", {"body": "Soon gone, edited"})
    client.post(f"/s/hiking-club/p/{post.pk}/comments/", {"body": "a comment"})
    client.post(f"/s/hiking-club/p/{post.pk}/like/", {"like": "1"})
    assert "cannot be undone" in client.get(f"/s/hiking-club/p/{post.pk}/delete/").content.decode()
    assert client.post(f"/s/hiking-club/p/{post.pk}/delete/").status_code == 302
    for model in (Post, PostRevision, Comment, Reaction):
        assert not model.objects.exists(), model
    entry = SpaceLogEntry.objects.get(action="post_deleted")
    assert entry.detail == {"post_number": post.pk} and entry.actor_id == writer.pk
    assert client.get(f"/s/hiking-club/p/{post.pk}/").status_code == 404


@pytest.mark.django_db
def test_organisers_pin_up_to_three_posts_shown_first(client: Client, space, writer) -> None:
    owner = space.memberships.get(role="owner").member
    posts = [make_post(writer, space, f"post {number}") for number in range(5)]
    sign_in(client, writer)
    assert client.post(f"/s/hiking-club/p/{posts[0].pk}/pin/", {"pinned": "1"}).status_code == 403
    sign_in(client, owner)
    for post in posts[:4]:
        client.post(f"/s/hiking-club/p/{post.pk}/pin/", {"pinned": "1"})
    assert Post.objects.filter(pinned_at__isnull=False).count() == 3
    feed = client.get("/s/hiking-club/").context["feed"]
    assert [shown.post.pk for shown in feed.pinned] == [posts[2].pk, posts[1].pk, posts[0].pk]
    assert [shown.post.pk for shown in feed.posts] == [posts[4].pk, posts[3].pk]
    client.post(f"/s/hiking-club/p/{posts[0].pk}/pin/", {"pinned": "0"})
    assert Post.objects.filter(pinned_at__isnull=False).count() == 2
