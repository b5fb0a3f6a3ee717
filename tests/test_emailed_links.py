"""A token in an emailed link leaves the URL at its first use (P7.5).

Email verification, password reset and the privacy officer's request verification: opening the link
keeps its token in the session and sends the browser to the page without it, where the action happens.
So the page, its form and the Referer headers of what it loads carry no token; a mail scanner fetching
the link first does not spend it for the member.
"""

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.accounts.tokens import make_reset_token, make_verification_token
from groupket.staff.models import PrivacyRequest
from groupket.staff.tokens import make_verification_token as make_request_token
from tests.factories import MemberFactory
from tests.staff.test_requests_desk import web_request

NEW_PASSWORD = "Fresh-meadow42x"


def opened(client: Client, link: str, landing: str) -> str:
    """Open the link; it must answer with a redirect to the page without its token, whose HTML is returned."""
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == landing
    page = client.get(landing)
    assert page.status_code == 200
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in page.content.decode()  # nor in a form's action, so not in the next request either
    return page.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_a_verification_link_confirms_on_the_page_without_its_token() -> None:
    member = MemberFactory()
    link = f"/accounts/verify/{make_verification_token(member)}/"
    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302 and response["Location"] == "/accounts/verify/confirm/"
    assert not Member.objects.get(pk=member.pk).email_confirmed  # nothing happens at the address with the token
    confirmed = browser.get("/accounts/verify/confirm/")
    assert confirmed.status_code == 302 and Member.objects.get(pk=member.pk).email_confirmed
    # The token left the session with its use; the page without a token confirms nothing for anyone.
    assert browser.get("/accounts/verify/confirm/").status_code == 400
    assert Client().get("/accounts/verify/confirm/").status_code == 400


@pytest.mark.django_db
def test_a_mail_scanner_fetching_the_verification_link_first_leaves_it_working() -> None:
    member = MemberFactory()
    link = f"/accounts/verify/{make_verification_token(member)}/"
    assert Client().get(link).status_code == 302  # a scanner that keeps no cookies stops here
    member_browser = Client()
    assert member_browser.get(link, follow=True).status_code == 200
    assert Member.objects.get(pk=member.pk).email_confirmed


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_a_reset_link_sets_the_password_on_the_page_without_its_token() -> None:
    member = MemberFactory()
    link, landing = f"/accounts/password-reset/{make_reset_token(member)}/", "/accounts/password-reset/set-password/"
    assert Client().get(link).status_code == 302  # a scanner first
    browser = Client()
    assert 'name="new_password1"' in opened(browser, link, landing)
    assert Client().get(landing).status_code == 400  # without the session, the page without a token is nothing

    response = browser.post(landing, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert browser.get(link).status_code == 400  # single use


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_a_request_verification_link_shows_its_button_on_the_page_without_its_token() -> None:
    filed = web_request()
    link, landing = f"/privacy/contact/verify/{make_request_token(filed)}/", "/privacy/contact/verify/confirm/"
    assert Client().get(link).status_code == 302  # a scanner first
    browser = Client()
    assert "Yes, I wrote this request" in opened(browser, link, landing)
    assert PrivacyRequest.objects.get(pk=filed.pk).requester_verified_at is None  # a GET confirms nothing
    assert Client().post(landing).status_code == 400

    confirmed = browser.post(landing)
    assert confirmed.status_code == 200 and "Your address is confirmed" in confirmed.content.decode()
    assert PrivacyRequest.objects.get(pk=filed.pk).requester_verified_at is not None
