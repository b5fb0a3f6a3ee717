"""The "Report" link beside what someone else wrote (moderation.links, settings.GROUPKET_WRITTEN_ACTIONS)."""

import pytest
from django.test import Client

from groupket.spaces.services.posts import add_comment
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space
from tests.markup import attribute, fragment, fragments


@pytest.mark.django_db
def test_a_report_link_is_beside_others_posts_and_comments_and_never_beside_ones_own(client: Client) -> None:
    owner, reader = MemberFactory(), MemberFactory()
    space = make_space(owner, slug="hiking-club")
    join(reader, space)
    theirs = make_post(owner, space, "Owner's post")
    mine = make_post(reader, space, "Reader's post")
    their_comment = add_comment(actor=owner, post=theirs, body="Owner's comment")
    my_comment = add_comment(actor=reader, post=theirs, body="Reader's comment")
    sign_in(client, reader)

    home = client.get("/").content.decode()
    their_card, my_card = (fragment(home, tag="article", id=f"post-{post.pk}") for post in (theirs, mine))
    assert attribute(their_card, "href", tag="a", **{"class": "report-link"}) == f"/s/hiking-club/p/{theirs.pk}/report/"
    assert fragments(my_card, tag="a", **{"class": "report-link"}) == []

    page = client.get(f"/s/hiking-club/p/{theirs.pk}/").content.decode()
    their_reply = fragment(page, tag="article", id=f"comment-{their_comment.pk}")
    wanted = f"/s/hiking-club/c/{their_comment.pk}/report/"
    assert attribute(their_reply, "href", tag="a", **{"class": "report-link"}) == wanted
    assert (
        fragments(fragment(page, tag="article", id=f"comment-{my_comment.pk}"), tag="a", **{"class": "report-link"})
        == []
    )
    # A space's own feed links each post's page instead, where the link is.
    space_feed = client.get("/s/hiking-club/").content.decode()
    assert fragments(space_feed, tag="a", **{"class": "report-link"}) == []


MADE: list[str] = []


def counting_report_links():  # noqa: ANN201 - a written action, as settings name one
    """moderation's report links, counting how often a page asks for them."""
    from groupket.moderation.links import report_links

    MADE.append("made")
    return report_links()


@pytest.mark.django_db
def test_a_page_asks_for_its_written_actions_once_however_many_posts_and_comments(client: Client, settings) -> None:
    settings.GROUPKET_WRITTEN_ACTIONS = ["tests.moderation.test_report_links.counting_report_links"]
    owner, reader = MemberFactory(), MemberFactory()
    space = make_space(owner, slug="hiking-club")
    join(reader, space)
    post = make_post(owner, space, "Owner's post")
    for number in range(3):
        add_comment(actor=owner, post=post, body=f"Comment {number}")
    sign_in(client, reader)
    MADE.clear()
    page = client.get(f"/s/hiking-club/p/{post.pk}/").content.decode()
    assert len(fragments(page, tag="a", **{"class": "report-link"})) == 4 and MADE == ["made"]
    MADE.clear()
    client.get("/")
    assert MADE == ["made"]
