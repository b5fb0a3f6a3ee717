"""Forged answers, tampered cookies and junk headers get a clear answer, never a 500, and change nothing (P9.2)."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groupket.analytics.browser import CHOICE_COOKIE
from groupket.analytics.models import PageView
from groupket.privacy.models import ConsentEvent
from tests.analytics.helpers import analytics_cookie, banner_shown, choice_cookie
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory
from tests.test_bad_input import FUZZ, junk

# What a cookie header can carry: latin-1 text without the characters that end a cookie.
cookie_text = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters=';,"\\'))


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_forged_answer_is_refused_with_a_clear_message_and_changes_nothing() -> None:
    member = MemberFactory()
    client = Client()
    sign_in(client, member)

    @FUZZ
    @given(choice=junk.filter(lambda value: value not in ("accept", "reject")), origin=junk, next_path=junk)
    def post_forged(choice: str, origin: str, next_path: str) -> None:
        response = client.post("/cookies/", {"choice": choice, "from": origin, "next": next_path})
        assert response.status_code == 400
        assert "Choose Accept or Reject. Nothing was changed." in response.content.decode()
        assert CHOICE_COOKIE not in response.cookies

    post_forged()
    assert choice_cookie(client) is None and analytics_cookie(client) is None
    assert not ConsentEvent.objects.filter(member=member, document="cookies:analytics").exists()


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_a_missing_choice_and_a_foreign_next_are_handled() -> None:
    client = Client()
    assert client.post("/cookies/", {}).status_code == 400
    response = client.post("/cookies/", {"choice": "reject", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/cookies/"
    response = client.post("/cookies/", {"choice": "reject", "next": "//elsewhere.example/x"})
    assert response["Location"] == "/cookies/"
    assert Client(enforce_csrf_checks=True).post("/cookies/", {"choice": "accept"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_tampered_cookies_and_junk_gpc_headers_never_fail_a_page() -> None:
    @FUZZ
    @given(choice=cookie_text, identifier=cookie_text, gpc=junk.filter(lambda value: "\n" not in value))
    def visit(choice: str, identifier: str, gpc: str) -> None:
        client = Client(HTTP_SEC_GPC=gpc.encode("utf-8", "surrogatepass").decode("latin-1"))
        client.cookies[CHOICE_COOKIE] = choice
        client.cookies["analytics_id"] = identifier
        home = client.get("/")
        assert home.status_code == 200
        assert client.get("/cookies/").status_code == 200
        # A value Groupket did not write counts as no answer: the banner asks (unless GPC already said no).
        asks = choice not in ("accepted", "rejected", "accepted-gpc") and gpc.strip() != "1"
        assert banner_shown(home.content.decode()) is asks

    visit()
    recorded = set(PageView.objects.values_list("browser", flat=True))
    assert all(len(identifier) == 22 for identifier in recorded)


@pytest.mark.django_db
def test_the_staff_month_takes_any_junk() -> None:
    client = Client(raise_request_exception=True)
    sign_in_staff(client, make_staff("analyst"))

    @FUZZ
    @given(month=junk)
    def ask(month: str) -> None:
        assert client.get("/staff/analytics/", {"month": month}).status_code in (200, 400)
        assert client.get("/staff/analytics/aggregates.csv", {"month": month}).status_code in (200, 400)

    ask()
