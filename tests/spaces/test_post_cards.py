"""A post's card (spaces.cards) is, byte for byte, what the template it replaced made, in every state of a post.

The template spaces/_post.html, as it was, is kept here as the reference: the card replaced it for speed
(bench/feed.py), not to change a page.
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

THE_TEMPLATE_IT_REPLACED = """{% load i18n %}{% with post=shown.post %}{% url 'spaces:post' post.space.slug post.pk as post_url %}
<article class="card post" id="post-{{ post.pk }}">
  <p class="post-meta">
    {% if post.pinned_at %}<span class="tag current">{% translate "Pinned" %}</span>{% endif %}
    {% if show_space %}<a href="{% url 'spaces:home' post.space.slug %}">{{ post.space.name }}</a> ·{% endif %}
    {% if post.author_id %}<a href="{% url 'spaces:member' post.author_id %}">@{{ post.author.username }}</a>{% else %}<span class="muted">{% translate "Withdrawn member" %}</span>{% endif %} ·
    <a href="{{ post_url }}"><time datetime="{{ post.created_at|date:'c' }}">{{ post.created_at|date:"Y-m-d H:i" }}</time></a>
    {% if post.edited_at %}<span class="muted">({% translate "edited" %})</span>{% endif %}
    {% include "spaces/_state.html" with written=post %}
  </p>
  {% if post.title %}<h3 class="post-title">{{ post.title }}</h3>{% endif %}
  <div class="post-body">{{ shown.body_html }}</div>
  <div class="post-actions">
    {% if may_react %}
    <form method="post" action="{% url 'spaces:like' post.space.slug post.pk %}" class="inline">{% csrf_token %}
      <input type="hidden" name="like" value="{% if shown.liked %}0{% else %}1{% endif %}">{% if in_feed %}<input type="hidden" name="from" value="feed">{% endif %}
      <button class="secondary small" type="submit" aria-pressed="{% if shown.liked %}true{% else %}false{% endif %}">{% translate "Like" %}</button>
    </form>
    {% endif %}
    <span>{% blocktranslate count counter=post.like_count %}{{ counter }} like{% plural %}{{ counter }} likes{% endblocktranslate %}</span>
    <a href="{{ post_url }}#comments">{% blocktranslate count counter=post.comment_count %}{{ counter }} comment{% plural %}{{ counter }} comments{% endblocktranslate %}</a>
    {% if not in_feed and user.is_authenticated and post.author_id and post.author_id != user.pk %}{% for template in written_actions %}{% include template with written=post kind="post" slug=post.space.slug %}{% endfor %}{% endif %}
  </div>
</article>{% endwith %}
"""  # noqa: E501 - the template as it was

OLD = engines["django"].from_string(THE_TEMPLATE_IT_REPLACED)
NEW = engines["django"].from_string("{% load post_cards %}{% post_card shown %}")


def a_post(number: int, *, author: Member | None, pinned: bool, edited: bool, state: str, censored: bool) -> Post:
    """A post as a feed's query brings it, opened, without the database: every field the card reads."""
    space = Space(pk=3, name="Hiking <Club> & co", slug="hiking-club")
    moment = datetime(2026, 3, 1, 23, 30, 5, 123456, tzinfo=UTC)
    return Post(
        pk=number, space=space, author=author, title=None if number % 3 == 0 else f"Walk <{number}>",
        created_at=moment, pinned_at=moment if pinned else None, edited_at=moment if edited else None,
        like_count=number % 3, comment_count=(number + 1) % 3, state=state, censored=censored,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_card_is_what_the_template_made_in_every_state(language: str) -> None:
    viewer = MemberFactory(username="viewer.one")
    other = Member(pk=viewer.pk + 1000, username="minji.<kim>")
    request = RequestFactory().get("/")
    request.user = viewer
    links = PostLinks()
    cases = itertools.product(
        [other, viewer, None], [False, True], [False, True], Post.STATE_CHOICES, [False, True], [False, True]
    )
    compared = 0
    with translation.override(language):
        for number, (author, pinned, edited, (state, _label), censored, liked) in enumerate(cases, start=1):
            post = a_post(number, author=author, pinned=pinned, edited=edited, state=state, censored=censored)
            shown = ShownPost(
                post, mark_safe("<p>Hello &amp; welcome</p>"), liked=liked, url=links.post(post.space.slug, post.pk),
                space_url=links.space(post.space.slug), like_url=links.like(post.space.slug, post.pk),
                author_url=links.member(post.author_id) if post.author_id else None,
            )  # fmt: skip
            for show_space, may_react, in_feed in itertools.product([False, True], repeat=3):
                context = {"shown": shown, "show_space": show_space, "may_react": may_react, "in_feed": in_feed}
                before, after = OLD.render(context, request), NEW.render(context, request)
                assert ('name="csrfmiddlewaretoken"' in before) == may_react  # the like form, with its token
                assert _unmasked(after) == _unmasked(before), context
                compared += 1
    assert compared == 3 * 2 * 2 * len(Post.STATE_CHOICES) * 2 * 2 * 8


def _unmasked(html: str) -> str:
    """The like form's CSRF token is masked afresh for each render: compare the pages without it."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
