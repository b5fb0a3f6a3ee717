"""A feed's links, reversed once a page and filled in for each post, are the links reverse() makes (spaces.links).

bench/feed.py: a page made some 80 reverse() calls, a fifth of its template time; LinkPattern makes 4.
"""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from groupket.spaces.links import LinkPattern, PostLinks


@pytest.mark.parametrize(("slug", "post_id"), [("hiking-club", 1), ("a_b-9", 1234567890123), ("X", 0)])
def test_a_filled_link_is_the_one_reverse_makes(slug: str, post_id: int) -> None:
    links = PostLinks()
    assert links.post(slug, post_id) == reverse("spaces:post", kwargs={"slug": slug, "post_id": post_id})
    assert links.like(slug, post_id) == reverse("spaces:like", kwargs={"slug": slug, "post_id": post_id})
    assert links.space(slug) == reverse("spaces:home", kwargs={"slug": slug})
    assert links.member(post_id) == reverse("spaces:member", kwargs={"member_id": post_id})


def test_a_value_the_url_does_not_take_is_refused_as_reverse_refuses_it() -> None:
    with pytest.raises(NoReverseMatch):
        LinkPattern("spaces:home", slug=str).fill(slug="not a slug/../x")
    with pytest.raises(NoReverseMatch):
        LinkPattern("spaces:member", member_id=int).fill(member_id=-3)


def test_a_pattern_made_under_a_script_prefix_keeps_it() -> None:
    set_script_prefix("/groupket/")
    try:
        pattern = LinkPattern("spaces:post", slug=str, post_id=int)
        assert pattern.fill(slug="hiking-club", post_id=7) == "/groupket/s/hiking-club/p/7/"
    finally:
        set_script_prefix("/")
    assert pattern.fill(slug="hiking-club", post_id=7) == "/groupket/s/hiking-club/p/7/"  # made once, kept
