"""A post's card, as a feed lists it and the post's own page shows it, put together in Python (issue 11 §6).

It was the template spaces/_post.html, included once a post. On a feed page of 20 the template language's cost
for the card's some 40 tags and variables, each looked up through the page's stack of contexts, was the largest
part of what a feed adds to a bare page (bench/feed.py). Here the same markup, byte for byte, is formatted with
format_html, which escapes every value as `{{ }}` did; the texts are the same msgids, so their Korean is too
(tests/spaces/test_post_cards.py renders both in every state of a post and compares them).

What later apps put beside a post (settings.GROUPKET_WRITTEN_ACTIONS, moderation's report link) stays a template,
rendered as `{% include %}` rendered it: in the page's context, with `written`, `kind` and `slug`.
"""

from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from groupket.spaces.feeds import ShownPost

_CSRF = CsrfTokenNode()
# A part a card leaves out: already safe, so that format_html does not escape an empty string a dozen times a card.
_NONE = mark_safe("")
_FROM_FEED = mark_safe('<input type="hidden" name="from" value="feed">')
_WRITTEN_ACTIONS = "spaces.cards: written action templates"


def _meta(shown: ShownPost, *, show_space: bool) -> SafeString:
    post = shown.post
    pinned = format_html('<span class="tag current">{}</span>', gettext("Pinned")) if post.pinned_at else _NONE
    space = format_html('<a href="{}">{}</a> ·', shown.space_url, post.space.name) if show_space else _NONE
    if post.author_id:
        author = format_html('<a href="{}">@{}</a>', shown.author_url, post.author.username)
    else:
        author = format_html('<span class="muted">{}</span>', gettext("Withdrawn member"))
    edited = format_html('<span class="muted">({})</span>', gettext("edited")) if post.edited_at else _NONE
    state = _NONE if post.is_shown else format_html('<span class="tag overdue">{}</span>', post.get_state_display())
    masked = format_html('<span class="tag">{}</span>', gettext("Some words masked")) if post.censored else _NONE
    return format_html(
        '  <p class="post-meta">\n    {}\n    {}\n    {} ·\n'
        '    <a href="{}"><time datetime="{}">{}</time></a>\n    {}\n    {}{}\n\n  </p>\n',
        pinned, space, author, shown.url, shown.created_iso, shown.created_text, edited, state, masked,
    )  # fmt: skip


def _like_form(shown: ShownPost, context: Context, *, in_feed: bool) -> SafeString:
    return format_html(
        '\n    <form method="post" action="{}" class="inline">{}\n'
        '      <input type="hidden" name="like" value="{}">{}\n'
        '      <button class="secondary small" type="submit" aria-pressed="{}">{}</button>\n    </form>\n    ',
        shown.like_url, _CSRF.render(context), "0" if shown.liked else "1",
        _FROM_FEED if in_feed else _NONE,
        "true" if shown.liked else "false", gettext("Like"),
    )  # fmt: skip


def _written_actions(shown: ShownPost, context: Context) -> SafeString:
    """The templates of GROUPKET_WRITTEN_ACTIONS, each as `{% include template with written=post kind="post" ... %}`."""
    post = shown.post
    # Found once for the page's cards, as an `{% include %}` node keeps what it found in the render context.
    templates = context.render_context.get(_WRITTEN_ACTIONS)
    if templates is None:
        engine = context.template.engine
        templates = [engine.get_template(name) for name in context.get("written_actions", [])]
        context.render_context[_WRITTEN_ACTIONS] = templates
    with context.push(written=post, kind="post", slug=post.space.slug):
        rendered = [template.render(context) for template in templates]
    return mark_safe("".join(rendered))  # noqa: S308 - each rendered by the template engine, escaped there


def render_card(shown: ShownPost, context: Context) -> SafeString:
    """The card of one post, as spaces/_post.html made it with the same context (show_space, may_react, in_feed)."""
    post, user = shown.post, context.get("user")
    in_feed = bool(context.get("in_feed"))
    like = _like_form(shown, context, in_feed=in_feed) if context.get("may_react") else _NONE
    others_post = user is not None and user.is_authenticated and post.author_id and post.author_id != user.pk
    actions = _written_actions(shown, context) if not in_feed and others_post else _NONE
    title = format_html('<h3 class="post-title">{}</h3>', post.title) if post.title else _NONE
    return format_html(
        '\n<article class="card post" id="post-{}">\n{}  {}\n  <div class="post-body">{}</div>\n'
        '  <div class="post-actions">\n    {}\n    <span>{}</span>\n    <a href="{}#comments">{}</a>\n    {}\n'
        "  </div>\n</article>\n",
        post.pk, _meta(shown, show_space=bool(context.get("show_space"))), title, shown.body_html, like,
        shown.likes_text, shown.url, shown.comments_text, actions,
    )  # fmt: skip
