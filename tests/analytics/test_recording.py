"""With consent only, a random identifier counts the browser, never the person (P9.1, P9.3).

Each counted page is one row: the random identifier, the page's URL name, the space and the day. Nothing
about the visitor is stored with it (a scan of every analytics row looks for each of their items), and
recording costs the request one insert, made after the response is built and never failing it.
"""

import http.cookiejar
import logging
import sqlite3
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.core import signing
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groupket.analytics import browser
from groupket.analytics.models import Aggregate, PageView
from groupket.analytics.services import recording
from groupket.analytics.services.rollup import roll_up_page_views
from groupket.privacy.delivery.notices import make_unsubscribe_token
from tests.analytics.helpers import analytics_cookie, answer
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space
from tests.markup import attribute

PROBE_UA = "GroupketProbe/9.1 (analytics-scan; ua-7f3a9c)"
PROBE_IP = "203.0.113.77"
PROBE_MEMBER_ID = 987654321


def accepted_client(**defaults: str) -> Client:
    client = Client(**defaults)
    answer(client, "accept")
    return client


def give_next_member_the_id(number: int) -> None:
    """Move the member table's id sequence, so the member's number is one no count could equal by chance."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_member', 'id'), %s)", [number - 1])
        else:
            # sqlite_sequence has no key on the name: update the table's row, or add one when there is none.
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = 'accounts_member'", [number - 1])
            if cursor.rowcount == 0:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('accounts_member', %s)", [number - 1])


def every_analytics_value() -> list[str]:
    values = []
    for model in (PageView, Aggregate):
        for row in model.objects.values_list():
            values += [str(value) for value in row]
    return values


@pytest.mark.django_db
@pytest.mark.clause("P9.3")
def test_the_analytics_tables_hold_no_personal_item_of_the_visitor() -> None:
    give_next_member_the_id(PROBE_MEMBER_ID)
    member = MemberFactory(username="scan.probe.zq", name="Probe Zqlastname", email="probe.zq@scan.example")
    assert member.pk == PROBE_MEMBER_ID
    client = accepted_client(HTTP_USER_AGENT=PROBE_UA, REMOTE_ADDR=PROBE_IP)
    sign_in(client, member)
    space = make_space(MemberFactory(), slug="probe-space")
    join(member, space)
    make_post(member, space, body="Written by the probe")
    token = make_unsubscribe_token(member.pk)
    pages = ["/", "/me/", "/me/edit/", "/me/consents/", "/me/sessions/", "/privacy/v1/", f"/news/unsubscribe/{token}/"]
    pages += ["/s/probe-space/", f"/members/{member.pk}/"]
    for path in pages:
        assert client.get(path).status_code == 200, path
    roll_up_page_views(today=timezone.localdate() + timedelta(days=1))

    values = every_analytics_value()
    assert PageView.objects.count() == 9 and Aggregate.objects.exists()
    session_key = client.cookies["sessionid"].value
    personal = ["scan.probe.zq", "Probe Zqlastname", "probe.zq@scan.example", PROBE_IP, "GroupketProbe", "ua-7f3a9c"]
    personal += [str(PROBE_MEMBER_ID), session_key, token]
    assert [(item, value) for item in personal for value in values if item.lower() in value.lower()] == []
    assert set(PageView.objects.values_list("page", flat=True)) == {
        "home", "accounts:me", "accounts:edit", "privacy:consents", "accounts:sessions", "privacy:policy_version",
        "privacy:unsubscribe", "spaces:home", "spaces:member",
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.clause("P9.3")
def test_the_identifier_is_random_for_every_browser_even_of_one_member_at_one_address() -> None:
    member = MemberFactory()
    identifiers = []
    for _ in range(20):
        client = accepted_client(HTTP_USER_AGENT=PROBE_UA, REMOTE_ADDR=PROBE_IP)
        sign_in(client, member)
        client.get("/me/")
        identifiers.append(PageView.objects.latest("pk").browser)
        assert browser.read_browser_id(RequestFactory(HTTP_COOKIE=f"analytics_id={analytics_cookie(client)}").get("/"))
    assert len(set(identifiers)) == 20
    assert all(len(identifier) == 22 and str(member.pk) != identifier for identifier in identifiers)


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_counting_costs_one_insert_and_nothing_else() -> None:
    counted, rejected = accepted_client(), Client()
    answer(rejected, "reject")
    for client in (counted, rejected):
        client.get("/privacy/")  # warm: the same state on both before measuring

    def statements(client: Client) -> dict[str, list[str]]:
        # Read inside the context: the next request starts by clearing the connection's query log.
        with CaptureQueriesContext(connection) as queries:
            client.get("/privacy/")
            found: dict[str, list[str]] = {"INSERT": [], "SELECT": []}
            for query in queries.captured_queries:
                verb = query["sql"].lstrip().split(" ", 1)[0].upper()
                found.setdefault(verb, []).append(query["sql"])
        return found

    with_analytics, without = statements(counted), statements(rejected)

    assert len(with_analytics["INSERT"]) == 1 and "analytics_pageview" in with_analytics["INSERT"][0]
    assert without["INSERT"] == []
    assert len(with_analytics["SELECT"]) == len(without["SELECT"]) > 0


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_the_page_view_is_written_only_when_the_server_closes_the_response() -> None:
    client = accepted_client()
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    environ = RequestFactory(HTTP_COOKIE=cookies).get("/privacy/").environ
    statuses = []
    # As the test client does: the test's own connection (and its transaction) must outlive the request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        assert statuses == ["200 OK"] and b"Privacy" in b"".join(response)
        assert PageView.objects.count() == 0
        response.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    assert PageView.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_a_failed_insert_is_counted_and_logged_without_the_visitor_and_the_page_still_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = accepted_client(HTTP_USER_AGENT=PROBE_UA, REMOTE_ADDR=PROBE_IP)
    before = recording.failures.value
    with connection.cursor() as cursor:  # a real failure: the table is not where the insert looks
        cursor.execute("ALTER TABLE analytics_pageview RENAME TO analytics_pageview_away")
    try:
        with caplog.at_level(logging.WARNING, logger="groupket.analytics"):
            response = client.get("/privacy/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE analytics_pageview_away RENAME TO analytics_pageview")

    assert response.status_code == 200
    assert recording.failures.value == before + 1
    lines = [record.getMessage() for record in caplog.records if record.name == "groupket.analytics"]
    assert len(lines) == 1 and lines[0].startswith("analytics page view not recorded (")
    assert PROBE_IP not in lines[0] and "Probe" not in lines[0] and analytics_cookie(client) not in lines[0]
    client.get("/privacy/")
    assert PageView.objects.count() == 1


class SignerOfThePast(signing.TimestampSigner):
    days_ago = 0

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - self.days_ago * 86400)


def aged_cookie(identifier: str, days_ago: int) -> str:
    signer = SignerOfThePast(salt="groupket.analytics.browser")
    signer.days_ago = days_ago
    return signer.sign(identifier)


@pytest.mark.django_db
@pytest.mark.clause("P9.3")
@pytest.mark.parametrize(("days_ago", "kept"), [(29, True), (31, False)])
def test_the_identifier_is_renewed_after_30_days(days_ago: int, kept: bool) -> None:
    client = accepted_client()
    client.cookies["analytics_id"] = aged_cookie("oldIdentifierXXXXXXXXX", days_ago)

    response = client.get("/")

    recorded = PageView.objects.get().browser
    assert (recorded == "oldIdentifierXXXXXXXXX") is kept
    assert ("analytics_id" in response.cookies) is not kept
    if not kept:
        assert response.cookies["analytics_id"]["max-age"] == 30 * 86400


@pytest.mark.django_db
@pytest.mark.clause("P9.3")
@pytest.mark.parametrize(
    "forged", ["forged", "oldIdentifierXXXXXXXXX:1xYKqK:bad", "", "a" * 5000, "\u00e2\u0098\u0083", "x:y:z:w", "::"]
)
def test_a_forged_identifier_is_replaced_and_never_recorded(forged: str) -> None:
    client = accepted_client()
    client.cookies["analytics_id"] = forged

    response = client.get("/")

    assert response.status_code == 200
    recorded = PageView.objects.get().browser
    assert recorded not in forged and recorded == signing.TimestampSigner(salt="groupket.analytics.browser").unsign(
        response.cookies["analytics_id"].value
    )


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_only_pages_are_counted_never_the_staff_console_errors_forms_or_redirects(client: Client) -> None:
    client = accepted_client()
    client.get("/no-such-page/")  # 404
    client.get("/staff/")  # 404 for a visitor
    client.get("/me/")  # a redirect to sign in
    client.post("/accounts/login/", {"username": "nobody", "password": "nothing"})  # a form, refused
    client.get("/static/css/groupket.css")
    assert PageView.objects.count() == 0
    client.get("/accounts/login/")
    assert list(PageView.objects.values_list("page", "space_ref")) == [("accounts:login", None)]


def hold_page_view_table(seconds: float) -> threading.Thread:
    """Another connection locks the page-view table for `seconds`, as a slow or busy database would."""
    settings_dict = connection.settings_dict
    ready = threading.Event()

    def hold() -> None:
        if connection.vendor == "postgresql":
            import psycopg

            with psycopg.connect(
                host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432, user=settings_dict["USER"],
                password=settings_dict["PASSWORD"], dbname=connection.settings_dict["NAME"],
            ) as peer:  # fmt: skip
                peer.execute("LOCK TABLE analytics_pageview IN ACCESS EXCLUSIVE MODE")
                ready.set()
                time.sleep(seconds)
        else:
            peer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
            peer.execute("BEGIN IMMEDIATE")  # the write lock: every insert waits for it
            ready.set()
            time.sleep(seconds)
            peer.execute("ROLLBACK")
            peer.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert ready.wait(10)
    return thread


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P9.1")
def test_a_slow_database_does_not_hold_the_page_back(live_server) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token_page = opener.open(f"{live_server.url}/cookies/").read().decode()
    csrf = attribute(token_page, "value", tag="input", name="csrfmiddlewaretoken")
    answer_form = {"csrfmiddlewaretoken": csrf, "choice": "accept", "next": "/static/css/groupket.css"}
    form = urllib.parse.urlencode(answer_form).encode()
    opener.open(urllib.request.Request(f"{live_server.url}/cookies/", data=form, headers={"Referer": live_server.url}))
    counted_before = PageView.objects.count()  # the answer's redirect leads to a stylesheet: nothing counted
    held = 4.0

    holder = hold_page_view_table(held)
    started = time.monotonic()
    body = opener.open(f"{live_server.url}/privacy/").read()
    answered_after = time.monotonic() - started
    holder.join()

    assert b"Privacy Policy" in body
    assert answered_after < held / 2, f"the page took {answered_after:.2f} s while the table was locked"
    deadline = time.monotonic() + 10
    while PageView.objects.count() == counted_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert PageView.objects.count() == counted_before + 1  # recorded once the lock was gone


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the insert's statement timeout is PostgreSQL's (SQLite's busy timeout)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_insert_kept_waiting_past_its_timeout_is_given_up_and_frees_the_worker(settings) -> None:
    settings.GROUPKET_ANALYTICS_INSERT_TIMEOUT = 0.5
    failed_before = recording.failures.value
    holder = hold_page_view_table(5.0)

    recording.record_page_view(recording.PageVisit(browser="b" * 22, day=timezone.localdate(), page="home"))

    assert holder.is_alive()  # given up while the table was still locked, not after the lock went
    holder.join()
    assert recording.failures.value == failed_before + 1
    assert PageView.objects.count() == 0
    with connection.cursor() as cursor:  # the timeout ended with the insert's transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
@pytest.mark.clause("P9.1")
def test_a_space_page_is_counted_with_its_space_in_the_same_single_insert() -> None:
    owner = MemberFactory()
    space = make_space(owner, slug="hiking-club")
    post = make_post(owner, space, body="Sunday walk")
    client = accepted_client()

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/s/hiking-club/").status_code == 200
    # Read before the next request: each request starts by clearing the connection's query log.
    inserts = [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("INSERT")]
    client.get(f"/s/hiking-club/p/{post.pk}/")
    client.get("/spaces/")
    client.get("/s/no-such-space/")  # 404: not counted

    assert len(inserts) == 1 and "spaces_space" in inserts[0]  # the space's id is read by the insert itself
    assert list(PageView.objects.order_by("pk").values_list("page", "space_ref")) == [
        ("spaces:home", space.pk),
        ("spaces:post", space.pk),
        ("spaces:directory", None),
    ]
