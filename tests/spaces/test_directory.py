"""/spaces/ lists and searches spaces by name and description; hidden spaces stay out of sight."""

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space


@pytest.fixture
def spaces(db: None) -> dict:
    owner = MemberFactory()
    return {
        "hikers": make_space(owner, slug="hikers", name="Seoul Hikers", description="Weekend walks on Bukhansan."),
        "bread": make_space(owner, slug="bread", name="망원동 빵 모임", description="주말마다 sourdough를 굽습니다."),
        "books": make_space(
            owner, slug="books", name="Book Circle", description="한 달에 한 권", visibility="members"
        ),
        "secret": make_space(
            owner, slug="secret", name="Secret Hikers", description="Hidden walks", visibility="hidden",
            joining="invitation",
        ),
    }  # fmt: skip


def listed(client: Client, query: str = "") -> list[str]:
    response = client.get("/spaces/", {"q": query} if query else {})
    assert response.status_code == 200
    return [space.slug for space in response.context["page"]]


@pytest.mark.django_db
def test_public_and_members_only_spaces_are_listed_and_hidden_ones_never(client: Client, spaces: dict) -> None:
    assert sorted(listed(client)) == ["books", "bread", "hikers"]
    assert "Secret" not in client.get("/spaces/").content.decode()
    assert listed(client, "hidden walks") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("hikers", ["hikers"]),
        ("HIKERS", ["hikers"]),
        ("bukhansan", ["hikers"]),
        ("빵", ["bread"]),
        ("망원동", ["bread"]),
        ("sourdough 주말", ["bread"]),  # every word, in name or description
        ("한 권", ["books"]),
        ("nothing-like-this", []),
    ],
)
def test_search_matches_every_word_in_name_or_description_in_both_languages(
    client: Client, spaces: dict, query: str, found: list[str]
) -> None:
    assert listed(client, query) == found


@pytest.mark.django_db
def test_spaces_whose_name_matches_come_before_those_whose_description_does(client: Client) -> None:
    owner = MemberFactory()
    make_space(owner, slug="walks", name="Walks", description="Hikers welcome")
    make_space(owner, slug="hikers", name="Hikers", description="Walks")
    assert listed(client, "hikers") == ["hikers", "walks"]


@pytest.mark.django_db
def test_a_search_too_long_is_a_clear_error(client: Client, spaces: dict) -> None:
    response = client.get("/spaces/", {"q": "x" * 101})
    assert response.status_code == 400 and "at most 100 characters" in response.content.decode()
    assert client.get("/spaces/", {"page": "junk"}).status_code == 200


@pytest.mark.django_db
def test_the_directory_takes_a_fixed_number_of_queries(client: Client, spaces: dict, django_assert_num_queries) -> None:
    owner = MemberFactory()
    for number in range(10):
        space = make_space(owner, slug=f"more-{number}", name=f"More {number}")
        join(MemberFactory(), space)
    with django_assert_num_queries(2):  # the count and the page, members counted in the same query
        assert len(listed(client)) == 13


@pytest.mark.django_db
def test_a_hidden_space_is_a_404_like_a_missing_one_to_non_members(client: Client, spaces: dict) -> None:
    make_post(spaces["secret"].memberships.get().member, spaces["secret"], "hidden words")
    missing = client.get("/s/no-such-space/")
    hidden = client.get("/s/secret/")
    assert missing.status_code == hidden.status_code == 404
    assert missing.content == hidden.content
    sign_in(client, MemberFactory())
    for path in ("/s/secret/", "/s/secret/p/1/", "/s/secret/members/", "/s/secret/manage/"):
        assert client.get(path).status_code == 404, path
    assert client.post("/s/secret/join/").status_code == 404


@pytest.mark.django_db
def test_a_space_home_shows_its_feed_rules_and_members_count(client: Client, spaces: dict) -> None:
    hikers = spaces["hikers"]
    join(MemberFactory(), hikers)
    make_post(hikers.memberships.first().member, hikers, "First walk on Saturday", title="Saturday")
    html = client.get("/s/hikers/").content.decode()
    assert "Seoul Hikers" in html and "Weekend walks on Bukhansan." in html
    assert "<li>Be kind.</li>" in html and "<li>No ads.</li>" in html
    assert "2 members" in html
    assert "Saturday" in html and "First walk on Saturday" in html
    assert "Sign in to join" in html


@pytest.mark.django_db
def test_a_members_only_space_shows_its_rules_but_not_its_posts_to_others(client: Client, spaces: dict) -> None:
    books = spaces["books"]
    make_post(books.memberships.get().member, books, "Members-only musing")
    html = client.get("/s/books/").content.decode()
    assert "Book Circle" in html and "<li>Be kind.</li>" in html
    assert "Members-only musing" not in html and "The posts of this space are for its members." in html
    assert client.get(f"/s/books/p/{books.posts.get().pk}/").status_code == 404
