"""Random input to every spaces form: never a 500, and nothing half-changed (issue 11, section 6)."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groupket.spaces.models import Comment, Membership, Post, Space, SpaceLogEntry
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space
from tests.test_bad_input import FUZZ, junk

SPACE_FORMS = {
    "/spaces/new/": ["name", "slug", "description", "rules", "visibility", "joining"],
    "/s/hiking-club/manage/settings/": ["name", "description", "rules", "visibility", "joining"],
    "/s/hiking-club/manage/slow-mode/": ["minutes"],
    "/s/hiking-club/manage/link/": ["action"],
    "/s/hiking-club/manage/close/": ["confirm"],
    "/s/hiking-club/members/invite/": ["username"],
    "/s/hiking-club/members/act/": ["member", "action"],
    "/s/hiking-club/posts/new/": ["title", "body"],
    "/s/hiking-club/p/{post}/edit/": ["title", "body"],
    "/s/hiking-club/p/{post}/comments/": ["body", "parent"],
    "/s/hiking-club/p/{post}/like/": ["like", "from"],
    "/s/hiking-club/p/{post}/pin/": ["pinned"],
    "/s/hiking-club/c/{comment}/edit/": ["body"],
    "/s/hiking-club/invitation/": ["answer"],
    "/s/hiking-club/join/": [],
    "/me/notifications/read/": ["notification", "all"],
    "/me/notifications/email/": ["replies", "mentions", "join_requests", "join_answers", "moderation"],
}
# Values a form may meet besides random text: numbers out of range, choices that do not exist.
tricky = st.one_of(junk, st.sampled_from(["0", "-1", "99999999999999999999", "1", "accept", "hidden", "renew"]))


def tricky_form(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional={name: tricky for name in names})


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", list(SPACE_FORMS))
def test_space_forms_answer_random_input_without_a_server_error(pattern: str) -> None:
    owner, member = MemberFactory(), MemberFactory()
    space = make_space(owner)
    join(member, space)
    post = make_post(member, space, "a post")
    comment = Comment.objects.create(post=post, author=member, data_key_id=member.data_key_id, body="a comment")
    url = pattern.format(post=post.pk, comment=comment.pk)
    client = Client(raise_request_exception=True)
    sign_in(client, owner if "/manage/" in url or "/members/" in url else member)

    @FUZZ
    @given(data=tricky_form(SPACE_FORMS[pattern]))
    def post_random(data: dict) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post_random()
    # Whatever was refused left no trace: every log row belongs to a change that was made whole.
    space = Space.objects.get(pk=space.pk)
    assert space.name and space.slug == "hiking-club"
    assert Membership.objects.filter(space=space, role=Membership.OWNER).count() == 1
    for made in Post.objects.all():
        assert made.body and made.author_id in (owner.pk, member.pk)
    assert SpaceLogEntry.objects.filter(action="post_created").count() == Post.objects.count()


GET_PAGES = [
    "/spaces/?q={}",
    "/spaces/?page={}",
    "/s/hiking-club/?after={}",
    "/?after={}",
    "/s/hiking-club/invite/{}/",
    "/s/{}/",
    "/members/{}/",
    "/me/notifications/?after={}",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", GET_PAGES)
def test_mangled_addresses_and_query_strings_get_a_clear_answer(page: str) -> None:
    from urllib.parse import quote

    member = MemberFactory()
    space = make_space(member)
    make_post(member, space, "a post")
    client = Client(raise_request_exception=True)
    sign_in(client, member)

    @FUZZ
    @given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
    def open_page(value: str) -> None:
        response = client.get(page.format(quote(value, safe="")))
        assert response.status_code < 500, (page, value)

    open_page()
