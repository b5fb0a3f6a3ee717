"""Signed-in browsers: members see their sessions and end the others (P7.9)."""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groupket.accounts.models import SIGN_IN_ID, LoginRecord, Member, SignIn
from groupket.accounts.services.sessions import start_sign_in
from groupket.accounts.session_store import SessionStore
from groupket.staff.middleware import STAFF_SESSION
from groupket.staff.models import RoleGrant
from tests.conftest import MEMBER_PAGE_QUERIES, make_staff, sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment, fragments

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"


def browser(member: Member, user_agent: str) -> Client:
    """A browser signed in through the login page, with its own user agent."""
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


def rows(html: str) -> list[str]:
    return fragments(fragment(html, tag="tbody"), tag="tr")


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_sessions_page_lists_each_browser_with_this_one_marked(member: Member) -> None:
    laptop = browser(member, CHROME_WINDOWS)
    browser(member, FIREFOX_LINUX)
    html = laptop.get("/me/sessions/").content.decode()
    (laptop_row,) = [row for row in rows(html) if "Chrome 124" in row]
    (firefox_row,) = [row for row in rows(html) if "Firefox 125" in row]
    assert "Windows 10" in laptop_row and "This browser" in laptop_row
    assert "Ubuntu" in firefox_row and "This browser" not in firefox_row
    assert html.count("This browser") == 1
    assert "Sign out everywhere else" in html


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_sessions_page_shows_only_the_members_own_sessions(signed_in: Client, member: Member) -> None:
    stranger = MemberFactory()
    browser(stranger, FIREFOX_LINUX)
    html = signed_in.get("/me/sessions/").content.decode()
    assert len(rows(html)) == 1 and "Firefox" not in html


@pytest.mark.django_db
def test_sessions_page_query_count(
    signed_in: Client, member: Member, django_assert_num_queries: Callable[..., object]
) -> None:
    for _ in range(3):
        sign_in(Client(), member)
    # session, member, this sign-in (middleware), policy versions (middleware), the list of sign-ins
    with django_assert_num_queries(MEMBER_PAGE_QUERIES + 1):
        response = signed_in.get("/me/sessions/")
    assert len(rows(response.content.decode())) == 4


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_sign_out_one_other_browser(member: Member) -> None:
    laptop = browser(member, CHROME_WINDOWS)
    phone = browser(member, FIREFOX_LINUX)
    phone_sign_in = SignIn.objects.get(member=member, pk=phone.session[SIGN_IN_ID])
    response = laptop.post("/me/sessions/", {"action": "end", "sign_in": phone_sign_in.pk}, follow=True)
    assert "That browser is signed out." in response.content.decode()
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert list(SignIn.objects.filter(member=member).values_list("pk", flat=True)) == [laptop.session[SIGN_IN_ID]]


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_sign_out_everywhere_else(member: Member) -> None:
    laptop = browser(member, CHROME_WINDOWS)
    others = [browser(member, FIREFOX_LINUX) for _ in range(2)]
    response = laptop.post("/me/sessions/", {"action": "end_others"}, follow=True)
    assert "2 other browsers are signed out." in response.content.decode()
    assert [is_signed_in(client) for client in others] == [False, False]
    assert is_signed_in(laptop)
    assert SignIn.objects.filter(member=member).count() == 1


@pytest.mark.django_db
@pytest.mark.clause("P7.9")
def test_signing_out_this_browser_from_the_list_signs_it_out(signed_in: Client, member: Member) -> None:
    current = SignIn.objects.get(member=member)
    response = signed_in.post("/me/sessions/", {"action": "end", "sign_in": current.pk})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not SignIn.objects.filter(member=member).exists()
    assert not is_signed_in(signed_in)


@pytest.mark.django_db
def test_another_members_session_cannot_be_ended(signed_in: Client) -> None:
    stranger_browser = browser(MemberFactory(), FIREFOX_LINUX)
    stranger_sign_in = stranger_browser.session[SIGN_IN_ID]
    response = signed_in.post("/me/sessions/", {"action": "end", "sign_in": stranger_sign_in})
    assert response.status_code == 400
    assert "That session was not found" in response.content.decode()
    assert SignIn.objects.filter(pk=stranger_sign_in).exists()
    assert is_signed_in(stranger_browser)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "end"},
        {"action": "end", "sign_in": "abc"},
        {"action": "end", "sign_in": "²"},
        {"action": "end", "sign_in": "9" * 40},
        # Nineteen digits, as a listing's random number may have, but past what a bigint holds.
        {"action": "end", "sign_in": str(2**63)},
        {"action": "nonsense", "sign_in": "1"},
    ],
)
def test_bad_requests_get_400_and_change_nothing(signed_in: Client, member: Member, data: dict) -> None:
    sign_in(Client(), member)
    response = signed_in.post("/me/sessions/", data)
    assert response.status_code == 400
    assert "Nothing was changed." in response.content.decode()
    assert SignIn.objects.filter(member=member).count() == 2


@pytest.mark.django_db
def test_sessions_page_needs_sign_in(client: Client) -> None:
    response = client.get("/me/sessions/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/me/sessions/"


@pytest.mark.django_db
def test_a_sign_in_writes_its_session_once_with_all_it_holds(member: Member) -> None:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    session_statements = [query["sql"] for query in queries.captured_queries if "django_session" in query["sql"]]
    assert len(session_statements) == 1
    assert 'INSERT INTO "django_session"' in session_statements[0]
    session = client.session
    assert session[SIGN_IN_ID] == SignIn.objects.get(member=member).pk
    assert int(session["_auth_user_id"]) == member.pk
    assert is_signed_in(client)


@pytest.mark.django_db
def test_a_browser_that_had_a_session_gets_a_new_one_at_sign_in_and_the_old_one_is_deleted(member: Member) -> None:
    before = SessionStore()
    before["visited"] = True
    before.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    response = client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    # A new key (no session fixation), what the session held kept, the old row gone, the new one listed.
    assert client.session.session_key != before.session_key
    assert client.session["visited"] is True
    assert not Session.objects.filter(pk=before.session_key).exists()
    assert SignIn.objects.get(member=member).session_key == client.session.session_key
    assert is_signed_in(client)


@pytest.mark.django_db
def test_a_sign_in_whose_rows_cannot_be_written_leaves_the_browser_signed_out(
    member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = "x" * 32
    Session.objects.create(session_key=taken, session_data="", expire_date=timezone.now())
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: taken)
    request = RequestFactory().get("/", HTTP_USER_AGENT="pytest-browser")
    request.session = SessionStore()
    with pytest.raises(IntegrityError), transaction.atomic():
        start_sign_in(request=request, member=member, shared_computer=False)
    # Nothing written, and nothing of the sign-in left on the request for the rest of it to act on.
    assert not LoginRecord.objects.filter(member=member).exists()
    assert not SignIn.objects.filter(member=member).exists()
    assert request.user.is_anonymous
    assert request.session.session_key is None and "_auth_user_id" not in request.session
    assert not request.session.modified


@pytest.mark.django_db
def test_a_sign_in_reads_the_staff_role_and_the_cookie_answer_with_the_member(
    member: Member, django_assert_num_queries: Callable[..., object]
) -> None:
    # The member's row, then the login record, the listing and the session: on PostgreSQL one statement, its own
    # transaction (core.rows.insert_rows); elsewhere one each, in a transaction (the test's own here). The staff
    # role and the ledger's cookie answer come with the member's row (settings.GROUPKET_SIGN_IN_READS), not in a
    # query each.
    client = Client()
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 4) as queries:
        response = client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert not [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT 1 AS")]
    assert client.session[STAFF_SESSION] == {"staff": False}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_sign_in_statements_are_prepared_once_they_run_often(member: Member) -> None:
    def prepared_writes() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO%'")
            return [row[0] for row in cursor.fetchall()]

    for _ in range(6):
        response = Client().post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
    # Parsed and planned once on this connection, its parameters sent apart ($1 ...), from the sixth sign-in on.
    writes = prepared_writes()
    assert any('"accounts_loginrecord"' in statement and "$1" in statement for statement in writes), writes
    assert any('"accounts_signin"' in statement and '"django_session"' in statement for statement in writes), writes


@pytest.mark.django_db
def test_a_staff_member_signing_in_through_the_form_is_timed_as_staff_and_a_revoked_one_is_not() -> None:
    staff = make_staff("support_handler")
    client = Client()
    response = client.post("/accounts/login/", {"username": staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    state = client.session[STAFF_SESSION]
    assert state["staff"] is True and state["started"] == state["seen"]

    RoleGrant.objects.filter(member_ref=staff.pk).update(revoked_at=timezone.now())
    client = Client()
    client.post("/accounts/login/", {"username": staff.username, "password": DEFAULT_PASSWORD})
    assert client.session[STAFF_SESSION] == {"staff": False}
