"""Links of a page's rows, each URL reversed once per page and then filled in (bench/feed.py, issue 11 §6).

A feed page links every post, its author, its space and its like form: with `{% url %}` that was some 80 calls
of reverse() a page (160 on the home page, with its list of spaces), a fifth of the template's time. A
`LinkPattern` reverses its URL once, with markers in place of the arguments, and then only puts each row's
values where the markers were.

A value is filled in only if it is one the URL's converter would accept (digits for `<int:>`, a slug for
`<slug:>`, which reverse() would not quote either); any other value goes through reverse() itself, so that a
link is always the one `{% url %}` made, and a value reverse() refuses still raises NoReverseMatch.
"""

import re
from collections.abc import Mapping

from django.urls import reverse

# What each kind of argument may be for the pattern to fill it in, and a marker of that kind; a marker is a value
# the converter accepts and that no URL of ours contains (checked: it must appear exactly once).
_KINDS: Mapping[type, tuple[re.Pattern[str], str]] = {
    int: (re.compile(r"[0-9]+"), "90817263544536271{}"),
    str: (re.compile(r"[-a-zA-Z0-9_]+"), "zqlinkmarkerzq{}"),
}


class LinkPattern:
    """One URL name, reversed once: `fill(**values)` is reverse(name, kwargs=values) for the values it accepts."""

    def __init__(self, name: str, **kinds: type) -> None:
        self.name = name
        self._checks = {argument: _KINDS[kind][0] for argument, kind in kinds.items()}
        markers = {argument: _KINDS[kind][1].format(index) for index, (argument, kind) in enumerate(kinds.items())}
        sample = reverse(name, kwargs=markers)
        self._pieces: list[str | None] = []  # literal text, and None where an argument goes
        self._order: list[str] = []
        rest = sample
        for argument, marker in sorted(markers.items(), key=lambda item: sample.find(item[1])):
            if sample.count(marker) != 1:
                raise ValueError(f"the URL {name!r} does not hold the argument {argument!r} exactly once")
            before, rest = rest.split(marker, 1)
            self._pieces += [before, None]
            self._order.append(argument)
        self._pieces.append(rest)

    def fill(self, **values: object) -> str:
        if not all(check.fullmatch(str(values[argument])) for argument, check in self._checks.items()):
            return reverse(self.name, kwargs=values)
        filled = iter(str(values[argument]) for argument in self._order)
        return "".join(next(filled) if piece is None else piece for piece in self._pieces)


class PostLinks:
    """The links a page shows for each of its posts: its page, its space, its author's page, its like form."""

    def __init__(self) -> None:
        self._post = LinkPattern("spaces:post", slug=str, post_id=int)
        self._like = LinkPattern("spaces:like", slug=str, post_id=int)
        self._space = LinkPattern("spaces:home", slug=str)
        self._member = LinkPattern("spaces:member", member_id=int)

    def post(self, slug: str, post_id: int) -> str:
        return self._post.fill(slug=slug, post_id=post_id)

    def like(self, slug: str, post_id: int) -> str:
        return self._like.fill(slug=slug, post_id=post_id)

    def space(self, slug: str) -> str:
        return self._space.fill(slug=slug)

    def member(self, member_id: int) -> str:
        return self._member.fill(member_id=member_id)
