"""A post's and a comment's HTML is made when they are written and kept sealed beside the text (issue 11 §6).

Pages open the kept HTML instead of parsing every body on each read (bench/feed.py); only mentions are linked at
read time, so an @ID links to whoever holds it now, and to nobody once they have unregistered. The copy is
sealed under the author's key like the text (P8.5: tests/spaces/test_content_privacy.py reads the raw database
for both) and declared with it in the inventory.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from groupket.accounts.services.unregister import unregister_member
from groupket.privacy import inventory
from groupket.spaces.feeds import cook
from groupket.spaces.markdown import COOK_VERSION
from groupket.spaces.models import Comment, Post
from groupket.spaces.services.posts import add_comment, edit_comment, edit_post
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory, join, make_post, make_space
from tests.markup import fragment, fragments, text


def feed_body(client: Client, path: str, post: Post) -> str:
    page = client.get(path).content.decode()
    return fragment(fragment(page, tag="article", id=f"post-{post.pk}"), tag="div", **{"class": "post-body"})


@pytest.mark.django_db
def test_a_post_keeps_its_html_from_when_it_was_written_and_pages_show_that(client: Client) -> None:
    author = MemberFactory(username="seoyeon.park")
    space = make_space(author)
    post = make_post(author, space, "Walk on **Saturday**")
    assert Post.objects.get(pk=post.pk).body_html == "<p>Walk on <strong>Saturday</strong></p>\n"
    # The page shows what was kept, not the text parsed again: a kept copy made from other words shows those.
    post.body_html = "<p>What was kept</p>\n"
    post.save(update_fields=["body_html"])
    sign_in(client, author)
    assert text(feed_body(client, f"/s/{space.slug}/", post)) == "What was kept"
    assert text(feed_body(client, "/", post)) == "What was kept"


@pytest.mark.django_db
def test_editing_makes_the_html_again_and_a_post_without_kept_html_is_parsed(client: Client) -> None:
    author = MemberFactory()
    space = make_space(author)
    post = make_post(author, space, "First words")
    edit_post(actor=author, post=post, title=None, body="Second *words*")
    assert Post.objects.get(pk=post.pk).body_html == "<p>Second <em>words</em></p>\n"
    Post.objects.filter(pk=post.pk).update(body_html=None)  # as a post written before the HTML was kept
    sign_in(client, author)
    assert "<em>words</em>" in feed_body(client, f"/s/{space.slug}/", post)


@pytest.mark.django_db
def test_a_mention_links_whoever_holds_the_id_when_the_page_is_read(client: Client) -> None:
    author, mentioned = MemberFactory(), MemberFactory(username="minji.kim")
    space = make_space(author)
    join(mentioned, space)
    post = make_post(author, space, "Thanks @Minji.Kim!")
    assert "/@mention/minji.kim/" in Post.objects.get(pk=post.pk).body_html  # a placeholder, no member number
    sign_in(client, author)
    body = feed_body(client, f"/s/{space.slug}/", post)
    assert fragment(body, tag="a", href=f"/members/{mentioned.pk}/") and "@Minji.Kim" in text(body)
    unregister_member(member=mentioned, password=DEFAULT_PASSWORD)
    body = feed_body(client, f"/s/{space.slug}/", post)
    assert fragments(body, tag="a") == [] and text(body) == "Thanks @Minji.Kim!"
    assert "/@mention/" not in client.get(f"/s/{space.slug}/").content.decode()


@pytest.mark.django_db
def test_a_comment_keeps_its_html_too_and_editing_makes_it_again(client: Client) -> None:
    author = MemberFactory()
    space = make_space(author)
    post = make_post(author, space, "A post")
    comment = add_comment(actor=author, post=post, body="Nice **walk**")
    assert comment.body_html == "<p>Nice <strong>walk</strong></p>\n"
    edit_comment(actor=author, comment=comment, body="Nicer walk")
    comment.refresh_from_db()
    assert comment.body_html == "<p>Nicer walk</p>\n"
    sign_in(client, author)
    page = client.get(f"/s/{space.slug}/p/{post.pk}/").content.decode()
    assert "Nicer walk" in text(page) and "Nice walk" not in text(page)


@pytest.mark.django_db
def test_cook_is_the_rendering_a_page_would_do(client: Client) -> None:
    """The kept HTML and the HTML parsed on read are the same for the same text (the fallback changes nothing)."""
    author = MemberFactory(username="jiho.han")
    space = make_space(author)
    post = make_post(author, space, "# Plan\n\n- 8 km\n- [map](https://example.org/map) @jiho.han <b>hi</b>")
    sign_in(client, author)
    kept = feed_body(client, f"/s/{space.slug}/", post)
    assert kept.startswith('<div class="post-body"><h3>Plan</h3>') and "&lt;b&gt;hi&lt;/b&gt;" in kept
    Post.objects.filter(pk=post.pk).update(body_html=None)
    assert feed_body(client, f"/s/{space.slug}/", post) == kept
    post.refresh_from_db()
    cook(post)  # what the services store
    post.save(update_fields=["body_html"])
    assert feed_body(client, f"/s/{space.slug}/", post) == kept


@pytest.mark.clause("P1.4")
def test_the_kept_html_is_declared_with_the_text_it_is_made_from() -> None:
    columns = {column: item.key for item in inventory.ITEMS for column in item.columns}
    assert columns["spaces.Post.body_html"] == columns["spaces.Post.body"] == "post_body"
    assert columns["spaces.Comment.body_html"] == columns["spaces.Comment.body"] == "comment_body"


@pytest.mark.django_db
def test_a_link_written_to_look_like_a_mention_links_nobody(client: Client) -> None:
    author, scammer = MemberFactory(), MemberFactory(username="scammer")
    space = make_space(author)
    post = make_post(author, space, "Pay [@Trusted.Org](/@mention/scammer/) now, or ask @scammer")
    sign_in(client, author)
    body = feed_body(client, f"/s/{space.slug}/", post)
    # Only the typed @ID links its member; the disguised link goes nowhere of a member's.
    assert [text(link) for link in fragments(body, tag="a", href=f"/members/{scammer.pk}/")] == ["@scammer"]
    assert "@Trusted.Org" in text(body)


@pytest.mark.django_db
def test_html_from_an_older_cook_is_not_shown_and_recook_bodies_makes_it_again(client: Client) -> None:
    author = MemberFactory()
    space = make_space(author)
    post = make_post(author, space, "Walk on **Sunday**")
    comment = add_comment(actor=author, post=post, body="See you *there*")
    post.body_html, post.cooked_with = "<p>Made by the old cook</p>", COOK_VERSION - 1
    post.save(update_fields=["body_html", "cooked_with"])
    Comment.objects.filter(pk=comment.pk).update(body_html=None, cooked_with=None)  # written before it was kept
    sign_in(client, author)
    assert text(feed_body(client, f"/s/{space.slug}/", post)) == "Walk on Sunday"  # the text, parsed

    out = StringIO()
    call_command("recook_bodies", stdout=out)
    assert "2 posts and comments cooked again" in out.getvalue()
    post.refresh_from_db()
    comment.refresh_from_db()
    assert (post.body_html, post.cooked_with) == ("<p>Walk on <strong>Sunday</strong></p>\n", COOK_VERSION)
    assert (comment.body_html, comment.cooked_with) == ("<p>See you <em>there</em></p>\n", COOK_VERSION)
    call_command("recook_bodies", stdout=out)
    assert "0 posts and comments cooked again" in out.getvalue()
