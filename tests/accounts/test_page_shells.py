"""The login and signup pages of a visitor not signed in, rendered once per process (core.page_shells).

With GROUPKET_PAGE_SHELLS on (production's default), what a visitor gets must be what the normal render gives
them, but for a CSRF token of their own: the same page in each language, with the banner or without, the
messages shown, a `next` kept, and a member sent on as before. Off (the tests' default), nothing is kept.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.analytics.browser import CHOICE_COOKIE, REJECTED
from groupket.core import page_shells
from groupket.privacy.models import PolicyDocument
from groupket.privacy.selectors import current_document
from groupket.privacy.services.documents import publish_document
from tests.accounts.test_passwords import without_csrf
from tests.conftest import TEST_SETUP
from tests.factories import DEFAULT_PASSWORD
from tests.markup import attribute, fragment, fragments, text
from tests.test_security import run_in_production

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"


@pytest.fixture
def shells(settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """Page shells on, with an empty store of this test's own: what is kept in it."""
    settings.GROUPKET_PAGE_SHELLS = True
    store: dict = {}
    monkeypatch.setattr(page_shells, "_shells", store)
    return store


def normal_render(settings: pytest.FixtureRequest, path: str, **headers: str) -> object:
    """The page as the view renders it without shells, for a new visitor."""
    settings.GROUPKET_PAGE_SHELLS = False
    try:
        return Client().get(path, **headers)
    finally:
        settings.GROUPKET_PAGE_SHELLS = True


def tokens(html: str) -> list[str]:
    return [attribute(field, "value") for field in fragments(html, tag="input", name="csrfmiddlewaretoken")]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LOGIN, SIGNUP])
def test_the_kept_page_is_the_normal_render_but_for_the_token(
    shells: dict, settings: pytest.FixtureRequest, path: str
) -> None:
    first, kept = Client().get(path), Client().get(path)
    normal = normal_render(settings, path)
    assert len(shells) == 1
    assert without_csrf(kept.content.decode()) == without_csrf(normal.content.decode())
    assert without_csrf(first.content.decode()) == without_csrf(normal.content.decode())
    # Status, content type, CSP, Cache-Control, Vary, Content-Length: every header as the middleware made it.
    assert kept.status_code == normal.status_code == 200
    assert dict(kept.headers) == dict(normal.headers)
    assert sorted(kept.cookies) == sorted(normal.cookies) == ["csrftoken"]


@pytest.mark.django_db
def test_every_form_of_each_answer_carries_a_fresh_token(shells: dict) -> None:
    first, second = (Client().get(LOGIN).content.decode() for _ in range(2))
    # The login form, the language switch and the cookie banner: one masked token for all three.
    assert len(tokens(first)) == 3 and len(set(tokens(first))) == 1
    assert len(tokens(second)) == 3 and len(set(tokens(second))) == 1
    assert tokens(first)[0] != tokens(second)[0]
    assert page_shells.TOKEN_PLACEHOLDER not in first + second


@pytest.mark.django_db
def test_the_token_of_a_kept_page_signs_a_member_in(shells: dict, member: Member) -> None:
    Client().get(LOGIN)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(LOGIN)
    assert len(shells) == 1
    assert page.cookies["csrftoken"].value
    token = tokens(page.content.decode())[0]
    response = browser.post(
        LOGIN, {"username": member.username, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert browser.get("/me/").status_code == 200


@pytest.mark.django_db
def test_without_the_token_the_post_is_still_refused(shells: dict, member: Member) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN)
    response = browser.post(LOGIN, {"username": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_korean_and_english_each_get_their_own_page(shells: dict, settings: pytest.FixtureRequest) -> None:
    english = Client().get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = Client().get(LOGIN, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    again = Client().get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert len(shells) == 2
    assert attribute(english, "lang", tag="html") == "en" and text(fragment(english, tag="h1")) == "Sign in to Groupket"
    assert attribute(korean, "lang", tag="html") == "ko" and text(fragment(korean, tag="h1")) == "그룹켓 로그인"
    fresh_korean = normal_render(settings, LOGIN, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert without_csrf(korean) == without_csrf(fresh_korean)
    assert without_csrf(again) == without_csrf(english)


@pytest.mark.django_db
def test_the_cookie_banner_shows_before_a_choice_and_not_after(shells: dict) -> None:
    undecided = Client().get(LOGIN).content.decode()
    decided = Client()
    decided.cookies[CHOICE_COOKIE] = REJECTED
    after_a_choice = decided.get(LOGIN).content.decode()
    undecided_again = Client().get(LOGIN).content.decode()
    assert len(shells) == 2
    assert fragments(undecided, class_="cookie-banner") and fragments(undecided_again, class_="cookie-banner")
    assert fragments(after_a_choice, class_="cookie-banner") == []
    assert len(tokens(after_a_choice)) == 2


@pytest.mark.django_db
def test_a_waiting_message_is_shown_not_the_kept_page(shells: dict, signed_in: Client) -> None:
    Client().get(LOGIN)
    signed_in.post("/accounts/logout/")
    with_message = signed_in.get(LOGIN).content.decode()
    assert text(fragment(with_message, class_="messages")) == "You are signed out."
    afterwards = signed_in.get(LOGIN).content.decode()
    assert fragments(afterwards, class_="messages") == []
    assert len(shells) == 1


@pytest.mark.django_db
def test_a_next_address_renders_the_page_with_it(shells: dict) -> None:
    Client().get(LOGIN)
    html = Client().get(f"{LOGIN}?next=/s/garden-club/").content.decode()
    login_form = fragment(html, tag="form", action=LOGIN)
    assert attribute(login_form, "value", tag="input", name="next") == "/s/garden-club/"
    switch = fragment(html, tag="form", class_="language-switch")
    assert attribute(switch, "value", tag="input", name="next") == "/accounts/login/?next=/s/garden-club/"
    assert len(shells) == 1


@pytest.mark.django_db
def test_a_signed_in_member_is_still_sent_on(shells: dict, signed_in: Client) -> None:
    Client().get(LOGIN)
    response = signed_in.get(LOGIN)
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert signed_in.get(SIGNUP)["Location"] == "/me/"


@pytest.mark.django_db
def test_a_head_request_answers_as_the_get_does_without_a_body(shells: dict, settings: pytest.FixtureRequest) -> None:
    Client().get(LOGIN)
    head = Client().head(LOGIN)
    assert head.status_code == 200 and head.content == b""
    assert dict(head.headers) == dict(normal_render(settings, LOGIN).headers)
    assert "csrftoken" in head.cookies


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_a_new_version_of_the_terms_in_force_is_a_new_signup_page(shells: dict) -> None:
    Client().get(SIGNUP)
    previous = current_document(PolicyDocument.TERMS)
    publish_document(
        actor=TEST_SETUP,
        kind=PolicyDocument.TERMS,
        body_en=f"{previous.body_en}\nA line of the new version.",
        body_ko=f"{previous.body_ko}\n새 버전의 한 줄.",
        effective_at=timezone.now(),
        material=False,
        disadvantageous=False,
        summary_en="",
        summary_ko="",
    )
    html = Client().get(SIGNUP).content.decode()
    terms = fragments(html, tag="fieldset", class_="agreement")[0]
    assert f"(v{previous.version + 1})" in text(terms) and "A line of the new version." in text(terms)
    assert len(shells) == 2


@pytest.mark.django_db
def test_the_store_holds_at_most_its_bound(shells: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_shells, "MOST_SHELLS", 2)
    for language in ("en", "ko"):
        Client().get(LOGIN, HTTP_ACCEPT_LANGUAGE=language)
    html = Client().get(SIGNUP, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert len(shells) == 2
    # The oldest goes first.
    assert [(key[0], key[2]) for key in shells] == [("accounts/login.html", "ko"), ("accounts/signup.html", "en")]
    assert fragment(html, tag="form", class_="stacked")


@pytest.mark.django_db
def test_off_nothing_is_kept(settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    store: dict = {}
    monkeypatch.setattr(page_shells, "_shells", store)
    assert settings.GROUPKET_PAGE_SHELLS is False
    first, second = Client().get(LOGIN), Client().get(SIGNUP)
    assert first.status_code == second.status_code == 200
    assert store == {}


def test_production_turns_them_on(tmp_path: Path) -> None:
    probe = "import django; django.setup(); from django.conf import settings; print(settings.GROUPKET_PAGE_SHELLS)"
    result = run_in_production(tmp_path, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
