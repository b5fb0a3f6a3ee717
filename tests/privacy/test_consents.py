"""My agreements (/me/consents/): documents agreed, and the choice about news changed at any time (P3.1, P4.1)."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.privacy.delivery.notices import unsubscribe_url
from groupket.privacy.models import ConsentEvent
from groupket.privacy.selectors import current_document, has_consent
from tests.conftest import sign_in
from tests.factories import MemberFactory


def news_events(member: Member) -> list[tuple[bool, str]]:
    """The member's news choices, oldest first: (granted, channel)."""
    events = ConsentEvent.objects.filter(member=member, document=ConsentEvent.MARKETING).order_by("created_at", "pk")
    return [(event.granted, event.channel) for event in events]


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_the_page_shows_each_document_agreed_with_its_version_and_date(signed_in: Client, member: Member) -> None:
    page = signed_in.get("/me/consents/").content.decode()
    for kind, page_name in (("terms", "terms"), ("privacy", "privacy")):
        row = page.split(f'data-document="{kind}"', 1)[1].split("</tr>", 1)[0]
        agreed = ConsentEvent.objects.get(member=member, document=kind)
        version = current_document(kind).version  # the version in force when the member signed up
        assert f'href="/{page_name}/v{version}/"' in row and f"v{version}" in row and "Agreed" in row
        assert timezone.localtime(agreed.created_at).strftime("%Y-%m-%d %H:%M") in row


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_member_who_did_not_opt_in_at_signup_sees_no_news_and_can_opt_in(signed_in: Client, member: Member) -> None:
    page = signed_in.get("/me/consents/").content.decode()
    assert 'data-news-state="not-subscribed"' in page and "You have never subscribed to news." in page

    response = signed_in.post("/me/consents/", {"news": "yes"})

    assert response.status_code == 302 and response["Location"] == "/me/consents/"
    assert news_events(member) == [(True, "settings")]
    page = signed_in.get("/me/consents/").content.decode()
    assert 'data-news-state="subscribed"' in page and "Your choice is saved." in page
    history = page.split('class="history', 1)[1]
    assert "Subscribed" in history and "On this page" in history


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_subscriber_opts_out_at_any_time_and_sees_the_history(client: Client) -> None:
    member = MemberFactory(marketing_opt_in=True)
    sign_in(client, member)
    assert 'data-news-state="subscribed"' in client.get("/me/consents/").content.decode()

    client.post("/me/consents/", {"news": "no"})

    assert news_events(member) == [(True, "web"), (False, "settings")]
    assert not has_consent(member.pk, ConsentEvent.MARKETING)
    history = client.get("/me/consents/").content.decode().split('class="history', 1)[1]
    assert history.index("Unsubscribed") < history.index("When you signed up")  # newest first


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
@pytest.mark.parametrize("choice", ["yes", "no"])
def test_posting_the_current_choice_again_records_nothing(client: Client, choice: str) -> None:
    member = MemberFactory(marketing_opt_in=choice == "yes")
    sign_in(client, member)
    before = news_events(member)

    response = client.post("/me/consents/", {"news": choice}, follow=True)

    assert news_events(member) == before
    assert "That was already your choice. Nothing was changed." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
@pytest.mark.parametrize("data", [{}, {"news": ""}, {"news": "maybe"}, {"news": "YES"}, {"news": "\x00"}])
def test_bad_input_gets_a_clear_message_and_changes_nothing(signed_in: Client, member: Member, data: dict) -> None:
    response = signed_in.post("/me/consents/", data)
    assert response.status_code == 400
    assert "Choose whether you want news: yes or no. Nothing was changed." in response.content.decode()
    assert news_events(member) == []


@pytest.mark.django_db
def test_the_page_needs_sign_in_and_a_csrf_token(member: Member) -> None:
    anonymous = Client()
    response = anonymous.post("/me/consents/", {"news": "yes"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, member)
    assert strict.post("/me/consents/", {"news": "yes"}).status_code == 403
    assert news_events(member) == []


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_an_unsubscribe_by_email_link_shows_in_the_history(client: Client) -> None:
    member = MemberFactory(marketing_opt_in=True)
    Client().post(unsubscribe_url(member.pk).split("8000", 1)[1])
    sign_in(client, member)
    page = client.get("/me/consents/").content.decode()
    assert 'data-news-state="not-subscribed"' in page
    assert "With the unsubscribe link in an email" in page


@pytest.mark.django_db
def test_my_information_links_to_the_agreements_page(signed_in: Client) -> None:
    agreements = signed_in.get("/me/").content.decode().split('id="consents"', 1)[1].split("</section>", 1)[0]
    assert 'href="/me/consents/"' in agreements


@pytest.mark.django_db
def test_the_page_takes_a_fixed_number_of_queries(client: Client, django_assert_num_queries) -> None:
    member = MemberFactory(marketing_opt_in=True)
    sign_in(client, member)
    for choice in ("no", "yes", "no"):
        client.post("/me/consents/", {"news": choice})
    client.get("/me/consents/")  # warm the member's data key and show the pending message once
    with django_assert_num_queries(5):
        # session, member, sign-in check, material policy changes to agree to, consent events
        page = client.get("/me/consents/").content.decode()
    assert page.split('class="history', 1)[1].count("<tr>") == 5  # header row and four choices


@pytest.mark.django_db
def test_changing_the_choice_takes_a_fixed_number_of_queries(
    signed_in: Client, member: Member, django_assert_num_queries, mail_dir: Path
) -> None:
    signed_in.get("/me/consents/")
    # session, member, sign-in check, policy changes to agree to; then in one transaction: lock, latest consent,
    # new event (+ 2 savepoints opened and released)
    with django_assert_num_queries(11):
        assert signed_in.post("/me/consents/", {"news": "yes"}).status_code == 302
    assert news_events(member) == [(True, "settings")]
    assert not list(mail_dir.glob("*.eml"))  # opting in sends nothing by itself
