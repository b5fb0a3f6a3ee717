"""Posts and comments as Markdown: parsed by markdown-it-py, sanitised by nh3, `@ID` mentions linked.

Raw HTML is never passed through (markdown-it's `html` option is off, and nh3 keeps only
the tags below). An image (`![alt](src)`) is shown only when its src is the address of one of
the photos attached to that very post (the `images` given to `cook`, or to `render` for a
parsed text); any other image, another site's, a data: URI, another post's photo, becomes its
alt text. nh3 then keeps an <img> src only in the shape of our photo addresses, a second lock
on the same door. Headings start at <h3> so a post never outranks its page, and every link
carries rel="nofollow ugc noopener".
Mentions are resolved in two steps so that a page of many posts looks every mentioned ID
up in one query: `parse` each text and collect `mentioned_keys`, look them all up at
once, then `render` each with the answer.

A post's or comment's HTML is made once, when it is written (`cook`), and stored beside its
text sealed under the same key (Post.body_html), never in plain or in a cache (P8.5). Only
its mentions are left to each read: who an @ID names changes (a member unregisters, an ID
is changed), so the cooked HTML holds a placeholder link for each, and `Cooked` text is
rendered by turning each placeholder into the member's link, or back into plain text.
"""

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from html import escape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from groupket.accounts.normalise import normalise_username_key as mention_key

# The ID rules of signup (accounts.forms.fields): 3 to 30 of A-Z, digits, ".", "_" and "-"; not inside a word.
MENTION = re.compile(r"(?<![\w.@-])@([A-Za-z0-9._-]{3,30})")
HEADING_SHIFT = 2

# The address of a post's photo (spaces:post_image), the only src an <img> may keep.
OUR_IMAGE = re.compile(r"/s/[a-z0-9-]{1,40}/p/[0-9]{1,19}/images/[0-9]{1,19}/")

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})


def _only_our_images(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not OUR_IMAGE.fullmatch(value):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags={
        "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
        "h3", "h4", "h5", "h6", "img",
    },
    attributes={"a": {"href"}, "ol": {"start"}, "img": {"src", "alt"}},
    attribute_filter=_only_our_images,
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow ugc noopener",
)  # fmt: skip


# The placeholder a cooked text holds for a mention, and the markup nh3 makes of it; a key is a normalised ID
# (MENTION's characters, lower-cased), so it needs no quoting in an attribute.
_MENTION_PLACEHOLDER = "/@mention/{}/"
_COOKED_MENTION = re.compile(r'<a href="/@mention/([a-z0-9._-]+)/" rel="nofollow ugc noopener">(@[^<]*)</a>')
_COOKED_IMAGE = re.compile(r'<img src="([^"]*)"')
_MENTION_LINK = '<a href="{}" rel="nofollow ugc noopener">{}</a>'


def _mentioned_name(match: re.Match[str]) -> str:
    # "@minji.kim." at the end of a sentence mentions minji.kim.
    return match.group(1).rstrip(".-")


@dataclass
class Parsed:
    tokens: list[Token]
    mentioned_keys: set[str]
    # The text tokens (inline parent, position, token) holding a mention, found while parsing, so that `render`
    # does not walk every token again (a feed renders 20 bodies a page).
    mention_spots: list[tuple[Token, int, Token]]


def _text_tokens(tokens: Iterable[Token]) -> Iterable[tuple[Token, int, Token]]:
    """Every text token outside a link, with its inline parent and position."""
    for block in tokens:
        depth = 0
        for position, child in enumerate(block.children or []):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                yield block, position, child


def parse(text: str) -> Parsed:
    tokens = _markdown.parse(text)
    keys: set[str] = set()
    spots = []
    for spot in _text_tokens(tokens):
        found = {mention_key(_mentioned_name(match)) for match in MENTION.finditer(spot[2].content)}
        if found:
            keys |= found
            spots.append(spot)
    return Parsed(tokens, {key for key in keys if len(key) >= 3}, spots)


def _split_mentions(content: str, link_to: Callable[[str], str | None]) -> list[Token]:
    pieces: list[Token] = []
    cursor = 0
    for match in MENTION.finditer(content):
        name = _mentioned_name(match)
        href = link_to(mention_key(name))
        if href is None:
            continue
        start, end = match.start(), match.start(1) + len(name)
        if start > cursor:
            pieces.append(_text(content[cursor:start]))
        pieces += [Token("link_open", "a", 1, attrs={"href": href}), _text("@" + name), Token("link_close", "a", -1)]
        cursor = end
    if cursor < len(content):
        pieces.append(_text(content[cursor:]))
    return pieces


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _shift_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"


def _image_tokens(tokens: Iterable[Token]) -> Iterable[tuple[Token, int, Token]]:
    for block in tokens:
        for position, child in enumerate(block.children or []):
            if child.type == "image":
                yield block, position, child


def _drop_foreign_images(tokens: list[Token], images: Collection[str]) -> None:
    for block, position, child in list(_image_tokens(tokens)):
        if child.attrGet("src") not in images:
            block.children[position] = _text(child.content)
        else:
            child.attrs = {"src": child.attrGet("src"), "alt": ""}  # alt comes from the children; no title


@dataclass(frozen=True)
class Cooked:
    """A text's HTML as `cook` made it when the text was written, its mentions still placeholders."""

    html: str

    @property
    def mentioned_keys(self) -> set[str]:
        return {match.group(1) for match in _COOKED_MENTION.finditer(self.html) if _is_mention(match)}


def _is_mention(match: re.Match[str]) -> bool:
    """Whether a placeholder-shaped link is one `cook` made. A link a member wrote to the same address counts only
    if its text is the @ID of its address, which mentions that member just as typing the @ID does
    (`[@Someone](/@mention/other/)` links nobody)."""
    return mention_key(match.group(2)[1:]) == match.group(1)


# Raise it with any change to what `cook` makes of a text (nh3's rules, markdown-it's options, the headings, the
# placeholders): pages then parse the texts cooked before, until `manage.py recook_bodies` cooks them again.
COOK_VERSION = 1


def cook(text: str, images: Collection[str] = ()) -> str:
    """The sanitised HTML of a text, to be stored sealed beside it: every mention a placeholder (see `Cooked`)."""
    parsed = parse(text)
    return _render_parsed(parsed, {key: _MENTION_PLACEHOLDER.format(key) for key in parsed.mentioned_keys}, images)


def placed_images(text: "Parsed | Cooked") -> set[str]:
    """The src of every image the text places, allowed or not (a post's photos not placed are shown under it)."""
    if isinstance(text, Cooked):
        return {match.group(1) for match in _COOKED_IMAGE.finditer(text.html)}
    return {child.attrGet("src") for _block, _position, child in _image_tokens(text.tokens)}


def render(text: "Parsed | Cooked", mention_links: Mapping[str, str], images: Collection[str] = ()) -> SafeString:
    """The sanitised HTML of a text; `mention_links` maps a mentioned ID's key to the link for it,
    `images` holds the addresses of the photos attached to this post: the only images it may show (a cooked
    text was given them when it was cooked)."""
    if isinstance(text, Parsed):
        return mark_safe(_render_parsed(text, mention_links, images))  # noqa: S308 - nh3 has just sanitised it

    def mention(match: re.Match[str]) -> str:
        if not _is_mention(match):
            return match.group(0)
        link, shown = mention_links.get(match.group(1)), match.group(2)  # shown: "@" and an ID, nothing to escape
        return shown if link is None else _MENTION_LINK.format(escape(link), shown)

    # The cooked HTML was sanitised by nh3 when it was made; a link is one of ours (spaces:member), escaped.
    return mark_safe(_COOKED_MENTION.sub(mention, text.html))  # noqa: S308


def _render_parsed(parsed: Parsed, mention_links: Mapping[str, str], images: Collection[str]) -> str:
    _drop_foreign_images(parsed.tokens, images)  # one token for one: the mention spots keep their positions
    # Last first, so that splitting one text token does not move the positions of those before it.
    for block, position, child in reversed(parsed.mention_spots):
        block.children[position : position + 1] = _split_mentions(child.content, mention_links.get)
    _shift_headings(parsed.tokens)
    html = _markdown.renderer.render(parsed.tokens, _markdown.options, {})
    return _cleaner.clean(html)
