"""Reading a page's HTML in tests with a parser (html.parser), not with str.split: one element, or every one.

`fragment(page, data_request="7")` is the source of the first element whose data-request is "7", from its
start tag to its end tag, nested elements and all; `class_="live-grants"` matches one class of the element's
class list; `tag="main"` the first <main>. `fragments()` returns every match, `attribute()` one attribute's
value, `element()` an element's text, links and child blocks.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _wanted(attributes: dict[str, str]) -> dict[str, str]:
    return {("class" if name == "class_" else name.replace("_", "-")): value for name, value in attributes.items()}


def _matches(tag: str, attrs: dict[str, str | None], want_tag: str | None, wanted: dict[str, str]) -> bool:
    if want_tag is not None and tag != want_tag:
        return False
    for name, value in wanted.items():
        present = attrs.get(name)
        if present is None:
            return False
        if name == "class" and value in present.split():
            continue
        if present != value:
            return False
    return True


class _Fragments(HTMLParser):
    """The source span of each element that matches, nested ones included."""

    def __init__(self, source: str, tag: str | None, wanted: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.source, self.tag, self.wanted = source, tag, wanted
        self._line_starts = [0]
        for index, character in enumerate(source):
            if character == "\n":
                self._line_starts.append(index + 1)
        self._open: list[tuple[str, int | None]] = []  # (tag, start offset when it matches)
        self.spans: list[tuple[int, int]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        matched = _matches(tag, dict(attrs), self.tag, self.wanted)
        if tag in VOID_TAGS:
            if matched:
                self.spans.append((start, self.source.index(">", start) + 1))
            return
        self._open.append((tag, start if matched else None))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        if _matches(tag, dict(attrs), self.tag, self.wanted):
            self.spans.append((start, self.source.index(">", start) + 1))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or all(name != tag for name, _start in self._open):
            return
        end = self.source.index(">", self._offset()) + 1
        # An element left open inside this one (an implied end tag) ends here too.
        while self._open:
            name, start = self._open.pop()
            if start is not None:
                self.spans.append((start, end))
            if name == tag:
                break


def fragments(html: str, *, tag: str | None = None, **attributes: str) -> list[str]:
    """The source of every element that matches, in the order they start; [] when none does."""
    parser = _Fragments(html, tag, _wanted(attributes))
    parser.feed(html)
    parser.close()
    return [html[start:end] for start, end in sorted(parser.spans)]


def fragment(html: str, *, tag: str | None = None, **attributes: str) -> str:
    """The source of the first element that matches; fails the test when none does."""
    found = fragments(html, tag=tag, **attributes)
    assert found, f"no element {tag or ''} {attributes} on the page"
    return found[0]


class _FirstStartTag(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.attributes is None:  # a bare attribute (`checked`) is "", so that None means absent
            self.attributes = {name: value or "" for name, value in attrs}


def attribute(html: str, wanted: str, /, *, tag: str | None = None, **attributes: str) -> str | None:
    """The value of attribute `wanted` of the first element that matches (entities decoded), None if it has none."""
    parser = _FirstStartTag()
    parser.feed(fragment(html, tag=tag, **attributes))
    return (parser.attributes or {}).get(wanted)


def text(html: str) -> str:
    """The text of an HTML fragment, whitespace-normalised (entities decoded)."""
    return element(f'<div data-text-of="fragment">{html}</div>', "fragment", "data-text-of").text


@dataclass
class Element:
    """What a test needs of one element: its text, its links and the text of each of its child blocks."""

    text: str = ""
    hrefs: list[str] = field(default_factory=list)
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (tag, text) of each direct child element


class _Finder(HTMLParser):
    def __init__(self, attribute: str, value: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attribute, self.value = attribute, value
        self.depth = 0  # > 0 while inside the element sought
        self.found: Element | None = None
        self._block: list[str] | None = None
        self._block_tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth == 0:
            if self.found is None and attributes.get(self.attribute) == self.value:
                self.found = Element()
                self.depth = 0 if tag in VOID_TAGS else 1
            return
        if tag == "a" and attributes.get("href"):
            self.found.hrefs.append(attributes["href"])
        if tag in VOID_TAGS:
            return
        if self.depth == 1:
            self._block, self._block_tag = [], tag
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0 or tag in VOID_TAGS:
            return
        self.depth -= 1
        if self.depth == 1 and self._block is not None:
            self.found.blocks.append((self._block_tag, " ".join("".join(self._block).split())))
            self._block = None

    def handle_data(self, data: str) -> None:
        if self.depth > 0:
            self.found.text += data
            if self._block is not None:
                self._block.append(data)


def element(html: str, value: str, attribute: str = "id") -> Element:
    """The element whose `attribute` is `value`, with its whitespace-normalised text; fails the test if absent."""
    finder = _Finder(attribute, value)
    finder.feed(html)
    assert finder.found is not None, f"no element with {attribute}={value!r} on the page"
    finder.found.text = " ".join(finder.found.text.split())
    return finder.found
