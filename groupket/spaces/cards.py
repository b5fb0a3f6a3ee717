"""A post's card, as feeds list it and the post's own page shows it, put together in Python (issue 11 §6).

It was the template spaces/_post.html, included once a post. On a feed page of 20 the template language's cost
for the card's some 40 tags and variables, each looked up through the page's stack of contexts, was 7 ms of the
home page's 24 (bench/feed.py): more than the bare page the feeds are measured against; format_html, one call a
part, still cost 3 ms. Here the card is this module's markup with each value put in by an f-string, and every
value from a member or the database passes through `escape` (html.escape, what Django's escape and `{{ }}`
call); the rest is safe as it is: the body (sanitised HTML, spaces.markdown), the times (digits and signs made
from a datetime), the CSRF input and the written actions (SafeStrings, conditional_escape'd). The texts are
gettext msgids, so their Korean is in the same catalogue. Nothing else renders a post's card;
tests/spaces/test_post_cards.py renders it in every state with hostile names and titles.

What later apps put beside another member's post or comment (settings.GROUPKET_WRITTEN_ACTIONS: moderation's
report link) is asked of them once a page (`written_actions`). The photos under a post stay a template
(spaces/_photos.html, which the moderation desk shares), rendered as `{% include %}` renders one.
"""

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from groupket.spaces.feeds import ShownPost
from groupket.spaces.models import Comment, Post

_CSRF_INPUT = CsrfTokenNode()
_LINE = "\n"
_FROM_FEED = '<input type="hidden" name="from" value="feed">'
# Kept in the page's outermost render context (where {% include %} keeps the templates it found: an included
# template, a comment of a post page among them, gets a render context of its own), so that a page finds its
# templates, its CSRF input and its written actions once, however many cards and comments it shows.
_PAGE_PARTS = "spaces.cards: the page's parts"


@dataclass(frozen=True)
class CardOptions:
    """What the including page asks of its cards: `show_space`, `may_react` and `in_feed` in its context."""

    show_space: bool
    may_react: bool
    in_feed: bool

    @classmethod
    def of(cls, context: Context) -> "CardOptions":
        return cls(bool(context.get("show_space")), bool(context.get("may_react")), bool(context.get("in_feed")))


def _labels() -> dict[str, str]:
    """The card's fixed texts in the page's language, each already escaped: asked once a page, not once a card."""
    texts = {"pinned": gettext("Pinned"), "withdrawn": gettext("Withdrawn member"), "edited": gettext("edited"),
             "masked": gettext("Some words masked"), "like": gettext("Like")}  # fmt: skip
    return {name: escape(text) for name, text in texts.items()}


def _meta(shown: ShownPost, options: CardOptions, labels: dict[str, str]) -> str:
    post = shown.post
    parts = []
    if post.pinned_at:
        parts.append(f'<span class="tag current">{labels["pinned"]}</span>')
    if options.show_space:
        parts.append(f'<a href="{escape(shown.space_url)}">{escape(post.space.name)}</a> ·')
    if post.author_id:
        parts.append(f'<a href="{escape(shown.author_url)}">@{escape(post.author.username)}</a> ·')
    else:
        parts.append(f'<span class="muted">{labels["withdrawn"]}</span> ·')
    # In the visitor's time zone, as the `date` filter wrote it ("c", and "Y-m-d H:i").
    moment = timezone.localtime(post.created_at)
    created = f'<time datetime="{moment.isoformat()}">{moment.strftime("%Y-%m-%d %H:%M")}</time>'
    parts.append(f'<a href="{escape(shown.url)}">{created}</a>')
    if post.edited_at:
        parts.append(f'<span class="muted">({labels["edited"]})</span>')
    if not post.is_shown:
        parts.append(f'<span class="tag overdue">{escape(post.get_state_display())}</span>')
    if post.censored:
        parts.append(f'<span class="tag">{labels["masked"]}</span>')
    return f'<p class="post-meta">{" ".join(parts)}</p>'


def _like_form(shown: ShownPost, parts: dict, options: CardOptions) -> str:
    return (
        f'<form method="post" action="{escape(shown.like_url)}" class="inline">{parts["csrf_input"]}'
        f'<input type="hidden" name="like" value="{0 if shown.liked else 1}">{_FROM_FEED if options.in_feed else ""}'
        f'<button class="secondary small" type="submit" aria-pressed="{"true" if shown.liked else "false"}">'
        f"{parts['labels']['like']}</button></form>"
    )


def _page_parts(context: Context) -> dict:
    page = context.render_context.dicts[0]
    if _PAGE_PARTS not in page:
        page[_PAGE_PARTS] = {
            "csrf_input": _CSRF_INPUT.render(context),
            "written_actions": [import_string(path)() for path in settings.GROUPKET_WRITTEN_ACTIONS],
            "photos": context.template.engine.get_template("spaces/_photos.html"),
            "labels": _labels(),
        }
    return page[_PAGE_PARTS]


def _rendered(template, context: Context, **values: object) -> str:  # noqa: ANN001 - a django Template
    """A template as `{% include template with ... %}` renders it: in the page's context, escaped by the engine."""
    with context.push(**values):
        return template.render(context)


def written_actions(context: Context, written: Post | Comment, *, kind: str, slug: str) -> list[str]:
    """The HTML of each of GROUPKET_WRITTEN_ACTIONS for a signed-in visitor's look at what someone else wrote."""
    user = context.get("user")
    if not (user is not None and user.is_authenticated and written.author_id != user.pk):
        return []
    # conditional_escape: a maker returns safe HTML (SafeString); anything else is shown as text.
    return [conditional_escape(make(written, kind=kind, slug=slug)) for make in _page_parts(context)["written_actions"]]


def render_card(shown: ShownPost, context: Context) -> SafeString:
    """The card of one post in the including page's context (show_space, may_react, in_feed, user)."""
    post, options, parts = shown.post, CardOptions.of(context), _page_parts(context)
    title = f'<h3 class="post-title">{escape(post.title)}</h3>\n' if post.title else ""
    photos = _rendered(parts["photos"], context, photos=shown.images_below) + "\n" if shown.images_below else ""
    # As {% blocktranslate count %} said them; the msgids literal here, where makemessages finds them.
    likes = ngettext("%(counter)s like", "%(counter)s likes", post.like_count) % {"counter": post.like_count}
    comments = ngettext("%(counter)s comment", "%(counter)s comments", post.comment_count) % {
        "counter": post.comment_count
    }
    actions = [
        _like_form(shown, parts, options) if options.may_react else "",
        f"<span>{escape(likes)}</span>",
        f'<a href="{escape(shown.url)}#comments">{escape(comments)}</a>',
        # Not in a space's own feed, nor beside a withdrawn member's post (as the card has always been).
        *(
            []
            if options.in_feed or not post.author_id
            else written_actions(context, post, kind="post", slug=post.space.slug)
        ),
    ]
    return mark_safe(  # noqa: S308 - this module's markup; every other value escaped above, the body sanitised
        f'<article class="card post" id="post-{post.pk}">\n{_meta(shown, options, parts["labels"])}\n{title}'
        f'<div class="post-body">{shown.body_html}</div>\n{photos}'
        f'<div class="post-actions">{_LINE.join(action for action in actions if action)}</div>\n</article>\n'
    )
