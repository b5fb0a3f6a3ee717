"""Screening before a post or comment is shown (P10.1): watched words, personal information, links, pace."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groupket.moderation.models import Case, WatchedWord
from groupket.spaces.models import Comment, Post
from groupket.spaces.services.spaces import set_slow_mode
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post
from tests.moderation.conftest import watch

pytestmark = pytest.mark.django_db


def write(client: Client, slug: str, body: str, **extra: str):
    return client.post(f"/s/{slug}/posts/new/", {"title": "", "body": body, **extra})


@pytest.fixture
def writing(client: Client, people):
    sign_in(client, people.writer)
    return client


@pytest.mark.clause("P10.1")
def test_a_blocked_word_is_refused_and_the_author_told_why(writing: Client, people) -> None:
    watch("공짜대출", "block", people.space)
    response = write(writing, people.space.slug, "지금 공 짜 대 출 받으세요")
    assert response.status_code == 400
    assert "공짜대출" in response.content.decode()
    assert not Post.objects.exists() and not Case.objects.exists()


@pytest.mark.clause("P10.1")
def test_a_held_post_waits_for_review_out_of_everyone_else_s_sight(writing: Client, people) -> None:
    watch("casino", "hold")
    response = write(writing, people.space.slug, "Best C.A.S.I.N.O in town")
    post = Post.objects.get()
    assert response.status_code == 302 and post.state == "held"
    case = Case.objects.get(post=post)
    assert case.held and case.status == "open" and case.screening == [f"word:{WatchedWord.objects.get().pk}"]
    assert "C.A.S.I.N.O" not in writing.get(f"/s/{people.space.slug}/").content.decode()
    assert "C.A.S.I.N.O" in writing.get(f"/s/{people.space.slug}/p/{post.pk}/").content.decode()  # the author
    reader = Client()
    sign_in(reader, people.reader)
    assert reader.get(f"/s/{people.space.slug}/p/{post.pk}/").status_code == 404
    organiser = Client()
    sign_in(organiser, people.organiser)
    assert organiser.get(f"/s/{people.space.slug}/p/{post.pk}/").status_code == 200


@pytest.mark.clause("P10.1")
def test_a_flagged_post_is_shown_and_queued(writing: Client, people) -> None:
    watch("refund", "flag")
    write(writing, people.space.slug, "Ask me about a R e f u n d")
    post = Post.objects.get()
    assert post.state == "shown" and Case.objects.get(post=post).held is False
    assert "R e f u n d" in Client().get(f"/s/{people.space.slug}/").content.decode()


@pytest.mark.clause("P10.1")
def test_a_censored_word_is_shown_masked(writing: Client, people) -> None:
    watch("바보", "censor", people.space)
    write(writing, people.space.slug, "너는 ㅂㅏㅂㅗ 야")
    post = Post.objects.get()
    assert post.body == "너는 **** 야" and post.censored and post.state == "shown"
    assert not Case.objects.exists()


PERSONAL = [
    ("010-1234-5678", "a phone number", "personal_info:phone"),
    ("4111 1111 1111 1111", "a card number", "personal_info:card"),
    ("minji@example.org", "an email address", "personal_info:email"),
    ("국민은행 계좌 110-123-456789", "a bank account number", "personal_info:bank_account"),
]


@pytest.mark.clause("P10.1")
@pytest.mark.parametrize(("text", "kind", "code"), PERSONAL, ids=[row[2] for row in PERSONAL])
def test_personal_information_warns_then_holds_when_posted_anyway(
    writing: Client, people, text: str, kind: str, code: str
) -> None:
    warned = write(writing, people.space.slug, f"Call me: {text}")
    assert warned.status_code == 400 and f"This looks like {kind}" in warned.content.decode()
    assert 'name="confirm"' in warned.content.decode() and not Post.objects.exists()

    write(writing, people.space.slug, f"Call me: {text}", confirm="on")
    post = Post.objects.get()
    assert post.state == "held" and code in Case.objects.get(post=post).screening


@pytest.mark.clause("P10.1")
def test_a_resident_registration_number_is_always_refused(writing: Client, people) -> None:
    for extra in ({}, {"confirm": "on"}):
        response = write(writing, people.space.slug, "제 번호는 900101-1234567 입니다", **extra)
        assert response.status_code == 400 and "resident registration number" in response.content.decode()
        assert 'name="confirm"' not in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.clause("P10.1")
def test_comments_are_screened_like_posts(writing: Client, people) -> None:
    post = make_post(people.owner, people.space, "Any plans?")
    response = writing.post(f"/s/{people.space.slug}/p/{post.pk}/comments/", {"body": "text me 010 9876 5432"})
    assert response.status_code == 400 and "phone number" in response.content.decode()
    writing.post(f"/s/{people.space.slug}/p/{post.pk}/comments/", {"body": "text me 010 9876 5432", "confirm": "on"})
    comment = Comment.objects.get()
    post.refresh_from_db()
    assert comment.state == "held" and post.comment_count == 0  # counts what readers see
    assert Case.objects.get(comment=comment).held


@pytest.mark.clause("P10.1")
def test_an_edit_is_screened_and_cannot_release_a_held_post(writing: Client, people) -> None:
    watch("casino", "hold")
    post = make_post(people.writer, people.space, "A walk on Sunday")
    writing.post(f"/s/{people.space.slug}/p/{post.pk}/edit/", {"title": "", "body": "casino night instead"})
    post.refresh_from_db()
    assert post.state == "held"
    writing.post(f"/s/{people.space.slug}/p/{post.pk}/edit/", {"title": "", "body": "A walk on Sunday, sorry"})
    post.refresh_from_db()
    assert post.state == "held"


@pytest.mark.clause("P10.1")
def test_more_than_three_links_hold_a_post(writing: Client, people) -> None:
    links = " ".join(f"https://example.org/{n}" for n in range(4))
    write(writing, people.space.slug, "three is fine: " + " ".join(f"https://example.org/{n}" for n in range(3)))
    write(writing, people.space.slug, links)
    first, second = Post.objects.order_by("pk")
    assert (first.state, second.state) == ("shown", "held")
    assert Case.objects.get(post=second).screening == ["links"]


@pytest.mark.clause("P10.1")
def test_a_new_member_s_first_day_is_paced(client: Client, people) -> None:
    newcomer = MemberFactory(new_member=True)
    join(newcomer, people.space)
    sign_in(client, newcomer)
    refused = write(client, people.space.slug, "My shop: https://example.org")
    assert refused.status_code == 400 and "first 2 posts cannot contain links" in refused.content.decode()
    for number in range(5):
        assert write(client, people.space.slug, f"Hello {number}").status_code == 302
    sixth = write(client, people.space.slug, "Hello again")
    assert sixth.status_code == 400 and "first 24 hours" in sixth.content.decode()
    assert Post.objects.filter(author=newcomer).count() == 5

    post = Post.objects.filter(author=newcomer).first()
    for number in range(20):
        client.post(f"/s/{people.space.slug}/p/{post.pk}/comments/", {"body": f"note {number}"})
    refused = client.post(f"/s/{people.space.slug}/p/{post.pk}/comments/", {"body": "one more"})
    assert refused.status_code == 400 and Comment.objects.filter(author=newcomer).count() == 20


@pytest.mark.clause("P10.1")
def test_slow_mode_allows_one_post_per_member_per_period_organisers_exempt(client: Client, people) -> None:
    set_slow_mode(actor=people.owner, space=people.space, minutes=10)
    sign_in(client, people.writer)
    assert write(client, people.space.slug, "first").status_code == 302
    second = write(client, people.space.slug, "second")
    assert second.status_code == 400 and "Slow mode is on" in second.content.decode()
    Post.objects.filter(author=people.writer).update(created_at=timezone.now() - timedelta(minutes=11))
    assert write(client, people.space.slug, "later").status_code == 302

    sign_in(client, people.organiser)
    for body in ("one", "two"):
        assert write(client, people.space.slug, body).status_code == 302
