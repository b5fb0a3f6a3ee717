"""`manage.py load_spaces_demo`: the community `make run` shows, made once, in Korean and English."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from groupket.accounts.models import Member
from groupket.spaces.models import Comment, Membership, Post, Space
from tests.conftest import sign_in


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=StringIO())
    call_command("load_spaces_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_loads_spaces_posts_and_comments_once(client: Client) -> None:
    assert "4 demo spaces created, 0 already there." in load()
    assert "0 demo spaces created, 4 already there." in load()
    assert Space.objects.count() == 4 and Post.objects.count() == 5 and Comment.objects.count() == 3
    names = set(Space.objects.values_list("name", flat=True))
    assert {"망원동 빵 모임", "Seoul Hikers"} <= names

    listing = client.get("/spaces/").content.decode()
    assert "망원동 빵 모임" in listing and "Seoul Hikers" in listing and "Book Circle" not in listing
    assert "사워도우" in client.get("/s/mangwon-bread/").content.decode()

    minji = Member.objects.with_username("minji.kim").get()
    assert Membership.objects.get(member=minji, space__slug="book-circle").status == Membership.INVITED
    sign_in(client, minji)
    home = client.get("/").content.decode()
    assert "이번 주 토요일 빵집 투어" in home and "Book Circle" in home  # her feed, and the invitation


@pytest.mark.django_db
def test_the_spaces_demo_needs_the_demo_members_first() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_spaces_demo", stdout=StringIO())
    assert not Space.objects.exists()
