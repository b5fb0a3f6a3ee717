"""After sign-in, / is the member's home: their spaces' feed, their spaces, their invitations (issue 11, section 1)."""

import pytest
from django.test import Client

from groupket.spaces.models import Comment, Membership, Post, Reaction
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space


@pytest.mark.django_db
def test_signed_out_visitors_get_the_welcome_page_and_members_their_home(client: Client) -> None:
    response = client.get("/")
    assert "home.html" in [template.name for template in response.templates]
    sign_in(client, MemberFactory())
    response = client.get("/")
    names = [template.name for template in response.templates]
    assert "spaces/member_home.html" in names and "home.html" not in names


@pytest.mark.django_db
def test_a_new_member_sees_suggested_public_spaces_instead_of_an_empty_page(client: Client) -> None:
    owner = MemberFactory()
    make_space(owner, slug="open-one", name="Open One")
    make_space(owner, slug="asks-first", name="Asks First", joining="approval")
    make_space(owner, slug="quiet", name="Quiet Room", visibility="hidden", joining="invitation")
    sign_in(client, MemberFactory())
    html = client.get("/").content.decode()
    assert "Here are some you can join." in html and "Open One" in html
    assert "Quiet Room" not in html and "Asks First" not in html


@pytest.mark.django_db
def test_the_home_feed_shows_the_posts_of_the_members_spaces_only(client: Client) -> None:
    member, owner = MemberFactory(), MemberFactory()
    mine, other, pending = (make_space(owner, slug=slug, name=slug.title()) for slug in ("mine", "other", "pending"))
    join(member, mine)
    Membership.objects.create(space=pending, member=member, status=Membership.REQUESTED)
    make_post(owner, mine, "In my space")
    make_post(owner, other, "Elsewhere")
    make_post(owner, pending, "Not yet mine")
    sign_in(client, member)
    html = client.get("/").content.decode()
    assert "In my space" in html and "Elsewhere" not in html and "Not yet mine" not in html
    assert "Waiting for approval" in html and "Pending" in html  # the request, listed apart
    assert "Here are some you can join." not in html


@pytest.mark.django_db
@pytest.mark.clause("P2.2")
def test_a_member_who_gave_nothing_optional_does_everything_in_spaces(client: Client) -> None:
    member = MemberFactory()  # the four required items only
    assert (member.phone, member.bio, member.photo) == (None, None, None)
    owner = MemberFactory()
    joined = make_space(owner, slug="joined")
    sign_in(client, member)

    assert (
        client.post("/spaces/new/", {"name": "Mine", "slug": "mine", "visibility": "public", "joining": "open"})[
            "Location"
        ]
        == "/s/mine/"
    )
    assert client.post("/s/joined/join/").status_code == 302
    assert client.post("/s/joined/posts/new/", {"body": "Hello"}).status_code == 302
    post = Post.objects.get(author=member)
    assert client.post(f"/s/joined/p/{post.pk}/edit/", {"body": "Hello again"}).status_code == 302
    assert client.post(f"/s/joined/p/{post.pk}/comments/", {"body": "A comment"}).status_code == 302
    assert client.post(f"/s/joined/p/{post.pk}/like/", {"like": "1"}).status_code == 302
    for page in ("/", "/spaces/", "/s/joined/", f"/s/joined/p/{post.pk}/", "/s/mine/manage/", "/s/mine/members/"):
        assert client.get(page).status_code == 200, page
    assert client.post("/s/joined/leave/").status_code == 302
    assert Comment.objects.filter(author=member).count() == 1 and Reaction.objects.filter(member=member).count() == 1
    assert not Membership.objects.filter(space=joined, member=member).exists()
