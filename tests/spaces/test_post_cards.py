"""A post's card (spaces.cards) in every state of a post and every way a page includes it, in both languages.

The card is put together in Python for speed (bench/feed.py), so these tests hold it to what the template it
replaced did: every value escaped, each tag and form shown exactly when it should be.
"""

import itertools
import re
from datetime import UTC, datetime

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from groupket.accounts.models import Member
from groupket.spaces.feeds import ShownPost
from groupket.spaces.links import PostLinks
from groupket.spaces.models import Post, Space
from tests.factories import MemberFactory
from tests.markup import attribute, fragment, fragments, text

CARD = engines["django"].from_string("{% load post_cards %}{% post_card shown %}")
HOSTILE = "<b>\"&'"


def a_post(*, author: Member | None, pinned: bool, edited: bool, state: str, censored: bool, titled: bool) -> Post:
    """A post as a feed's query brings it, opened, without the database: every field the card reads."""
    space = Space(pk=3, name=f"Hiking {HOSTILE}", slug="hiking-club")
    moment = datetime(2026, 3, 1, 23, 30, 5, tzinfo=UTC)
    return Post(
        pk=41, space=space, author=author, title=f"Walk {HOSTILE}" if titled else None, created_at=moment,
        pinned_at=moment if pinned else None, edited_at=moment if edited else None, like_count=1, comment_count=2,
        state=state, censored=censored,
    )  # fmt: skip


def shown(post: Post, *, liked: bool) -> ShownPost:
    links = PostLinks()
    return ShownPost(
        post, mark_safe("<p>Hello &amp; welcome</p>"), liked=liked, url=links.post(post.space.slug, post.pk),
        space_url=links.space(post.space.slug), like_url=links.like(post.space.slug, post.pk),
        author_url=links.member(post.author_id) if post.author_id else None,
    )  # fmt: skip


def tags(card: str) -> list[str]:
    return [text(tag) for tag in fragments(card, tag="span") if "tag" in (attribute(tag, "class") or "")]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_card_escapes_every_value_and_shows_each_part_when_it_should(language: str) -> None:
    viewer = MemberFactory(username="viewer.one")
    other = Member(pk=viewer.pk + 1000, username=f"minji{HOSTILE}")
    request = RequestFactory().get("/")
    request.user = viewer
    states = [state for state, _label in Post.STATE_CHOICES]
    cases = itertools.product([other, viewer, None], [False, True], [False, True], states, [False, True], [False, True])
    rendered = 0
    with translation.override(language):
        for author, pinned, edited, state, censored, liked in cases:
            post = a_post(author=author, pinned=pinned, edited=edited, state=state, censored=censored, titled=pinned)
            for show_space, may_react, in_feed in itertools.product([False, True], repeat=3):
                context = {"shown": shown(post, liked=liked), "show_space": show_space, "may_react": may_react,
                           "in_feed": in_feed}  # fmt: skip
                card = fragment(CARD.render(context, request), tag="article", id="post-41")
                assert HOSTILE not in card  # every value escaped, wherever it shows:
                hostile_shown = any((show_space, author is other, pinned))  # the space, author or title
                assert ("&lt;b&gt;&quot;&amp;&#x27;" in card) == hostile_shown
                assert fragment(card, tag="div", **{"class": "post-body"}).endswith("<p>Hello &amp; welcome</p></div>")
                meta = fragment(card, tag="p", **{"class": "post-meta"})
                assert (f"Hiking {HOSTILE}" in text(meta)) == show_space
                assert (f"@minji{HOSTILE}" in text(meta)) == (author is other)
                assert (translation.gettext("Withdrawn member") in text(meta)) == (author is None)
                assert attribute(meta, "datetime", tag="time") == "2026-03-02T08:30:05+09:00"
                assert (fragments(card, tag="h3", **{"class": "post-title"}) != []) == pinned
                expected_tags = (
                    [translation.gettext("Pinned")] * pinned
                    + [str(dict(Post.STATE_CHOICES)[state])] * (state != Post.SHOWN)
                    + [translation.gettext("Some words masked")] * censored
                )
                assert tags(card) == expected_tags
                assert (f"({translation.gettext('edited')})" in text(meta)) == edited
                forms = fragments(card, tag="form")
                assert len(forms) == may_react
                if forms:
                    assert attribute(forms[0], "action") == "/s/hiking-club/p/41/like/"
                    assert attribute(forms[0], "value", name="like") == ("0" if liked else "1")
                    assert attribute(forms[0], "aria-pressed", tag="button") == ("true" if liked else "false")
                    assert re.fullmatch(r"[A-Za-z0-9]{64}", attribute(forms[0], "value", name="csrfmiddlewaretoken"))
                    assert bool(fragments(forms[0], tag="input", name="from")) == in_feed
                reports = fragments(card, tag="a", **{"class": "report-link"})
                assert len(reports) == (author is other and not in_feed)
                rendered += 1
    assert rendered == 3 * 2 * 2 * len(states) * 2 * 2 * 8
