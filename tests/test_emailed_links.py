"""A token in an emailed link leaves the URL at its first use, and is dead in any other browser (P7.5).

Email verification, password reset and the privacy officer's request verification: opening the link
spends its token, keeps it in the session and sends the browser to the page without it, so the address
a log, the history or a Referer header keeps carries no live token.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.accounts.services.passwords import make_reset_token
from groupket.accounts.services.registration import make_verification_token
from groupket.staff.models import PrivacyRequest
from groupket.staff.services.requests import make_verification_token as make_request_token
from tests.factories import MemberFactory
from tests.staff.test_requests_desk import web_request


def verification(member: Member) -> tuple[str, str]:
    return f"/accounts/verify/{make_verification_token(member)}/", "/accounts/verify/confirm/"


def reset(member: Member) -> tuple[str, str]:
    return f"/accounts/password-reset/{make_reset_token(member)}/", "/accounts/password-reset/set-password/"


def request_verification(filed: PrivacyRequest) -> tuple[str, str]:
    return f"/privacy/contact/verify/{make_request_token(filed)}/", "/privacy/contact/verify/confirm/"


def opened(client: Client, link: str, landing: str) -> str:
    """Open the link; it must answer with a redirect to the page without its token, whose HTML is returned."""
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == landing
    token = link.rstrip("/").rsplit("/", 1)[1]
    page = client.get(landing)
    assert page.status_code == 200
    assert token not in page.content.decode()  # nor in a form's action, for the next request's Referer
    return page.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_an_opened_verification_link_confirms_without_its_token_and_is_dead_elsewhere() -> None:
    member = MemberFactory()
    link, landing = verification(member)
    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302 and response["Location"] == landing
    assert not Member.objects.get(pk=member.pk).email_confirmed  # confirmed at the page without the token
    confirmed = browser.get(landing)
    assert confirmed.status_code == 302 and Member.objects.get(pk=member.pk).email_confirmed

    # Whoever reads the link in an access log finds it spent.
    assert Client().get(link).status_code == 400
    # A visit to the landing page without having opened a link confirms nothing.
    assert Client().get(landing).status_code == 400


@pytest.mark.django_db
def test_a_verification_link_read_from_a_log_before_it_is_used_still_opens_in_one_browser_only() -> None:
    member = MemberFactory()
    link, landing = verification(member)
    first = Client()
    assert first.get(link)["Location"] == landing
    assert Client().get(link).status_code == 400  # the second browser gets nothing
    assert first.get(landing).status_code == 302
    assert Member.objects.get(pk=member.pk).email_confirmed


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_an_opened_reset_link_is_dead_in_any_other_browser() -> None:
    member = MemberFactory()
    link, landing = reset(member)
    browser = Client()
    assert 'name="new_password1"' in opened(browser, link, landing)

    stranger = Client()
    assert stranger.get(link).status_code == 400
    assert stranger.get(landing).status_code == 400
    # The browser that opened it may open the mail's link again and still set the password.
    assert browser.get(link)["Location"] == landing
    response = browser.post(landing, {"new_password1": "Fresh-meadow42x", "new_password2": "Fresh-meadow42x"})
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).check_password("Fresh-meadow42x")


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_an_opened_request_verification_link_shows_its_button_without_the_token() -> None:
    filed = web_request()
    link, landing = request_verification(filed)
    browser = Client()
    assert "Yes, I wrote this request" in opened(browser, link, landing)
    assert PrivacyRequest.objects.get(pk=filed.pk).requester_verified_at is None  # a GET confirms nothing

    stranger = Client()
    assert stranger.get(link).status_code == 400
    assert stranger.post(landing).status_code == 400
    confirmed = browser.post(landing)
    assert confirmed.status_code == 200 and "Your address is confirmed" in confirmed.content.decode()
    assert PrivacyRequest.objects.get(pk=filed.pk).requester_verified_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("make", [verification, reset], ids=["verification", "reset"])
def test_an_altered_token_is_refused_and_spends_nothing(make: Callable[[Member], tuple[str, str]]) -> None:
    from groupket.accounts.models import SpentLinkToken

    link, _ = make(MemberFactory())
    assert Client().get(link[:-4] + "xx/").status_code == 400
    assert not SpentLinkToken.objects.exists()
