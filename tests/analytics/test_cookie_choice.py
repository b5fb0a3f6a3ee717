"""Accept or reject analytics cookies with equal ease, change the answer at any time, and GPC counts as Reject (P9.2).

A member's answer is also a consent-ledger event, so it follows them: a browser with no answer of its own
takes theirs at sign-in, and signing out leaves the browser's answer where it was.
"""

import re

import pytest
from django.test import Client

from groupket.analytics.browser import ACCEPTED, ACCEPTED_OVER_GPC, CHOICE_COOKIE, REJECTED
from groupket.analytics.models import PageView
from groupket.privacy import inventory
from groupket.privacy.guard import ANALYTICS, ConsentNotInForce, permits, require
from groupket.privacy.models import ConsentEvent
from tests.analytics.helpers import GPC, analytics_cookie, answer, banner_shown, choice_cookie
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment


def banner(html: str) -> str:
    return fragment(html, class_="cookie-banner")


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_first_visit_shows_a_banner_with_accept_and_reject_of_equal_weight(client: Client) -> None:
    html = client.get("/").content.decode()

    assert banner_shown(html)
    section = banner(html)
    buttons = re.findall(r"<button([^>]*)>([^<]*)</button>", section)
    assert [text for _attributes, text in buttons] == ["Accept", "Reject"]
    # The same markup but for the value: no class, style or order makes one weigh more than the other.
    assert [attributes.replace("accept", "X").replace("reject", "X") for attributes, _text in buttons] == [
        ' type="submit" name="choice" value="X"'
    ] * 2
    assert 'method="post" action="/cookies/"' in section and 'name="csrfmiddlewaretoken"' in section
    assert 'href="/cookies/"' in section
    # In the flow after the header, not over the content.
    assert html.index('class="cookie-banner"') < html.index("<main")
    assert analytics_cookie(client) is None and choice_cookie(client) is None


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_reject_sets_no_analytics_cookie_records_nothing_and_hides_the_banner(client: Client) -> None:
    response = answer(client, "reject", next_path="/privacy/")

    assert response.status_code == 302 and response["Location"] == "/privacy/"
    assert choice_cookie(client) == REJECTED and analytics_cookie(client) is None
    for path in ("/", "/privacy/", "/terms/", "/accounts/signup/", "/cookies/"):
        assert not banner_shown(client.get(path).content.decode())
    assert analytics_cookie(client) is None
    assert PageView.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_accept_sets_the_analytics_cookie_and_counts_the_next_page(client: Client) -> None:
    answer(client, "accept", next_path="/privacy/")
    assert choice_cookie(client) == ACCEPTED and analytics_cookie(client)

    client.get("/privacy/")

    assert list(PageView.objects.values_list("page", flat=True)) == ["privacy:policy"]
    assert not banner_shown(client.get("/").content.decode())


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_changing_to_reject_on_the_cookie_page_deletes_the_cookie_and_stops_counting(client: Client) -> None:
    answer(client, "accept")
    client.get("/")
    assert PageView.objects.count() == 1

    response = answer(client, "reject", origin="settings", next_path="")

    assert response["Location"] == "/cookies/"
    assert response.cookies["analytics_id"]["max-age"] == 0
    assert analytics_cookie(client) is None
    client.get("/")
    client.get("/privacy/")
    assert PageView.objects.count() == 1
    html = client.get("/cookies/").content.decode()
    assert 'data-cookie-state="rejected"' in html


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_browser_sending_gpc_sees_no_banner_and_is_not_counted(client: Client) -> None:
    html = client.get("/", **GPC).content.decode()
    assert not banner_shown(html)
    client.get("/privacy/", **GPC)
    assert 'data-cookie-state="gpc"' in client.get("/cookies/", **GPC).content.decode()

    # Even an Accept given earlier without the signal: GPC now counts as Reject.
    answer(client, "accept")
    client.get("/privacy/", **GPC)

    assert PageView.objects.count() == 0
    assert analytics_cookie(client) is None


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_an_explicit_accept_on_the_cookie_page_wins_over_gpc(client: Client) -> None:
    answer(client, "accept", origin="settings", **GPC)
    assert choice_cookie(client) == ACCEPTED_OVER_GPC

    html = client.get("/", **GPC).content.decode()

    assert not banner_shown(html)
    assert PageView.objects.count() == 1
    assert 'data-cookie-state="accepted"' in client.get("/cookies/", **GPC).content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_the_choice_can_be_changed_at_any_time_and_each_answer_says_so(client: Client) -> None:
    states = []
    for choice in ("accept", "reject", "accept", "reject"):
        answer(client, choice, origin="settings")
        response = client.get("/cookies/")
        states.append(re.search(r'data-cookie-state="(\w+)"', response.content.decode()).group(1))
    assert states == ["accepted", "rejected", "accepted", "rejected"]


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_members_answer_is_a_consent_event_and_repeating_it_records_nothing(client: Client) -> None:
    member = MemberFactory()
    sign_in(client, member)

    answer(client, "accept")
    answer(client, "accept", origin="settings")
    answer(client, "reject", origin="settings")

    events = ConsentEvent.objects.filter(member=member, document="cookies:analytics").order_by("pk")
    assert [(event.granted, event.channel, event.version) for event in events] == [
        (True, "cookie banner", None),
        (False, "cookie settings", None),
    ]


def sign_in_with_form(client: Client, member_username: str) -> None:
    response = client.post("/accounts/login/", {"username": member_username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
@pytest.mark.parametrize(("first", "stored"), [("accept", ACCEPTED), ("reject", REJECTED)])
def test_a_browser_without_a_choice_takes_the_members_at_sign_in(first: str, stored: str) -> None:
    member = MemberFactory()
    laptop, phone = Client(), Client()
    sign_in_with_form(laptop, member.username)
    answer(laptop, first)

    sign_in_with_form(phone, member.username)

    assert choice_cookie(phone) == stored
    assert bool(analytics_cookie(phone)) is (first == "accept")
    assert not banner_shown(phone.get("/").content.decode())
    if first == "accept":  # never the laptop's identifier: each browser gets its own
        assert analytics_cookie(phone) != analytics_cookie(laptop)


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_browsers_own_choice_is_kept_at_sign_in_and_at_sign_out(client: Client) -> None:
    member = MemberFactory()
    elsewhere = Client()
    sign_in_with_form(elsewhere, member.username)
    answer(elsewhere, "accept")
    answer(client, "reject")

    sign_in_with_form(client, member.username)
    assert choice_cookie(client) == REJECTED
    client.post("/accounts/logout/")

    assert choice_cookie(client) == REJECTED
    assert not banner_shown(client.get("/").content.decode())
    assert client.cookies[CHOICE_COOKIE].value == REJECTED


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_member_with_no_recorded_choice_is_still_asked() -> None:
    member = MemberFactory()
    client = Client()
    sign_in_with_form(client, member.username)

    assert choice_cookie(client) is None
    assert banner_shown(client.get("/").content.decode())


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_the_purposes_guard_reads_the_members_cookie_answer(client: Client) -> None:
    member = MemberFactory()
    sign_in(client, member)
    assert not permits(member, ANALYTICS)

    answer(client, "accept")
    assert permits(member, ANALYTICS)
    answer(client, "reject", origin="settings")
    with pytest.raises(ConsentNotInForce):
        require(member, ANALYTICS)
    assert inventory.PURPOSE_LABELS[ANALYTICS]


@pytest.mark.django_db
def test_the_banner_and_the_cookie_page_speak_korean(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    section = banner(html)
    assert "그룹켓의 쿠키" in section and "쿠키 설정 및 쿠키 목록" in section
    assert re.findall(r"<button[^>]*>([^<]*)</button>", section) == ["허용", "거부"]

    page = client.get("/cookies/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "<h1>쿠키 설정</h1>" in page and "예: 묻지 않고 설정" in page and "아니요: 허용한 뒤에만 설정" in page
    assert "90일 동안 보관한 뒤 파기합니다" in page
    for english in ("Accept", "Reject", "Strictly necessary", "First-party"):
        assert english not in page
    response = client.post("/cookies/", {"choice": "maybe"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert "[허용] 또는 [거부]를 선택하세요. 아무것도 바뀌지 않았습니다." in response.content.decode()
