"""Random input to every member form: never a 500, never a partial account (issue 2, §9)."""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupket.accounts.models import Member
from groupket.core.models import DataKey
from groupket.privacy.models import ConsentEvent
from tests.conftest import sign_in
from tests.factories import MemberFactory

# Generating 3,000-character values is slow on a busy machine: a health check about the generator, not the product.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text that stresses parsers: control characters, surrogates escaped by the client, very long values.
junk = st.one_of(st.text(max_size=300), st.just(""), st.just("\x00"), st.text(min_size=2000, max_size=3000))
maybe_agree = st.sampled_from(["agree", "disagree", "", "yes", "\x00"])


def form(field_names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional={name: junk for name in field_names})


SIGNUP_FIELDS = ["username", "name", "email", "password1", "password2", "marketing_opt_in"]


@pytest.mark.django_db
@FUZZ
@given(data=form(SIGNUP_FIELDS), terms=maybe_agree, privacy=maybe_agree)
def test_signup_never_fails_and_never_leaves_a_partial_account(data: dict, terms: str, privacy: str) -> None:
    response = Client().post("/accounts/signup/", {**data, "agree_terms": terms, "agree_privacy": privacy})
    assert response.status_code in (200, 302, 400)
    # Either a whole account (member, key, both agreements) or nothing at all.
    for member in Member.objects.all():
        assert DataKey.objects.filter(pk=member.data_key_id).exists()
        assert set(ConsentEvent.objects.filter(member=member).values_list("document", flat=True)) >= {
            "terms",
            "privacy",
        }
    assert DataKey.objects.count() == Member.objects.count()
    Member.objects.all().delete()
    DataKey.objects.all().delete()


MEMBER_FORMS = {
    "/accounts/login/": ["username", "password", "shared_computer", "next"],
    "/me/edit/": ["name", "phone", "bio", "email", "remove_photo"],
    "/me/password/": ["old_password", "new_password1", "new_password2"],
    "/me/unregister/": ["password", "confirm", "writing"],
    "/accounts/password-reset/": ["email"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(MEMBER_FORMS))
def test_member_forms_answer_random_input_without_a_server_error(url: str) -> None:
    member = MemberFactory()
    client = Client(raise_request_exception=True)
    sign_in(client, member)

    @FUZZ
    @given(data=form(MEMBER_FORMS[url]))
    def post_random(data: dict) -> None:
        response = client.post(url, data)
        assert response.status_code < 500

    post_random()
    stored = Member.objects.filter(pk=member.pk).first()
    if stored is not None:  # random input may never unregister or rename to junk partially
        assert stored.data_key_id == member.data_key_id
        assert stored.username == member.username


TOKEN_PAGES = [
    "/accounts/verify/{}/",
    "/accounts/password-reset/{}/",
    "/news/unsubscribe/{}/",
    "/notifications/off/{}/",
    "/privacy/contact/verify/{}/",
]
# What a mangled link may carry in its token: anything a URL path segment can hold.
token = st.text(alphabet=st.characters(blacklist_characters="/?#", blacklist_categories=("Cs",)), min_size=1)


@pytest.mark.django_db
@pytest.mark.parametrize("page", TOKEN_PAGES)
def test_a_mangled_link_gets_a_clear_answer_not_a_server_error(page: str) -> None:
    client = Client(raise_request_exception=True)

    @FUZZ
    @given(value=token)
    def open_link(value: str) -> None:
        url = page.format(quote(value, safe=""))
        for response in (client.get(url), client.post(url, {"password1": "x", "password2": "x"})):
            assert response.status_code < 500, (url, response.status_code)

    open_link()
