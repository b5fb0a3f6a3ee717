"""/cookies/ lists every cookie Groupket sets, and the code sets no cookie the list leaves out (P9.2).

A browser walks the site as a visitor, a member and a staff member (second factor, console pages, forms
that leave a message, the language switch and both cookie answers), then every page of the browser tour
(tests/e2e/pages.py, the one list of pages) as the tour's visitor of it, and every Set-Cookie of every
response is collected. The list must name exactly those cookies: none missing, none listed that the code never sets.
"""

import pytest
from django.test import Client
from django_otp.oath import totp

from groupket.analytics.cookies import every_cookie
from groupket.staff.models import Authenticator
from groupket.staff.services.roles import grant_role
from tests.analytics.helpers import answer
from tests.conftest import TEST_SETUP, make_staff
from tests.e2e.pages import ANALYST, MEMBER, MEMBER_PASSWORD, NEW_STAFF, PAGES, STAFF, STAFF_PASSWORD, prepare_tour
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment

MEMBER_PAGES = ["/", "/me/", "/me/edit/", "/me/password/", "/me/sessions/", "/me/consents/", "/me/export/"]
MEMBER_PAGES += ["/me/disclosures/", "/me/unregister/", "/privacy/", "/terms/", "/privacy/contact/", "/cookies/"]
STAFF_PAGES = ["/staff/", "/staff/roles/", "/staff/members/", "/staff/access-log/", "/staff/access-review/"]
STAFF_PAGES += ["/staff/requests/", "/staff/legal/", "/staff/legal/new/", "/staff/destructions/"]
STAFF_PAGES += ["/staff/notices/", "/staff/policy/", "/staff/retained/", "/staff/password/", "/staff/analytics/"]
STAFF_PAGES += ["/staff/analytics/aggregates.csv"]


class CookieRecordingClient(Client):
    """A test client that keeps the name of every cookie any response sets or deletes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.set_names: set[str] = set()

    def request(self, **request: object) -> object:
        response = super().request(**request)
        self.set_names |= set(response.cookies)
        return response


def sign_in_with_form(client: Client, username: str, password: str = DEFAULT_PASSWORD) -> None:
    assert client.post("/accounts/login/", {"username": username, "password": password}).status_code == 302


def walk_as_visitor_and_member(client: CookieRecordingClient) -> None:
    for path in ("/", "/accounts/signup/", "/accounts/login/", "/accounts/password-reset/", "/cookies/"):
        assert client.get(path).status_code == 200
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    answer(client, "accept")
    member = MemberFactory()
    sign_in_with_form(client, member.username)
    for path in MEMBER_PAGES:
        assert client.get(path).status_code == 200, path
    client.post("/me/consents/", {"news": "yes"})
    answer(client, "reject", origin="settings")
    client.get("/cookies/")
    client.post("/accounts/logout/")
    client.get("/")


def walk_as_staff(client: CookieRecordingClient) -> None:
    officer = make_staff("privacy_officer", "records_custodian", "analyst")
    sign_in_with_form(client, officer.username)
    assert client.get("/staff/")["Location"].startswith("/staff/verify/")
    secret = Authenticator.objects.get(user=officer).secret
    client.post("/staff/verify/", {"code": f"{totp(secret, 30, 0, 6):06d}"})
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path
    client.post("/accounts/logout/")
    newcomer = MemberFactory()
    grant_role(officer=TEST_SETUP, member=newcomer, role="analyst", reason="test staff")
    sign_in_with_form(client, newcomer.username)
    assert client.get("/staff/enrol/").status_code == 200


def walk_the_tour(client: CookieRecordingClient) -> int:
    """Open every page of the tour as its visitor does (signed in, second factor passed); how many were opened."""
    people = prepare_tour()
    accounts = {
        MEMBER: (people.member, MEMBER_PASSWORD, None),
        NEW_STAFF: (people.new_officer, STAFF_PASSWORD, None),
        STAFF: (people.officer, STAFF_PASSWORD, people.officer_secret),
        ANALYST: (people.analyst, STAFF_PASSWORD, people.analyst_secret),
    }
    who, opened = "", 0
    for visit in PAGES:
        if visit.who != who:
            who = visit.who
            client.post("/accounts/logout/")
            if who in accounts:
                username, password, secret = accounts[who]
                sign_in_with_form(client, username, password)
                if secret is not None:
                    client.post("/staff/verify/", {"code": f"{totp(secret, 30, 0, 6):06d}"})
        response = client.get(visit.path.format(**people.records), follow=True)
        assert response.status_code == visit.status, visit.name
        opened += 1
    return opened


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_the_list_names_exactly_the_cookies_the_site_sets() -> None:
    client = CookieRecordingClient()
    walk_as_visitor_and_member(client)
    walk_as_staff(client)
    touring = CookieRecordingClient()
    assert walk_the_tour(touring) == len(PAGES)

    assert client.set_names | touring.set_names == {cookie.name for cookie in every_cookie()}


@pytest.mark.django_db
@pytest.mark.clause("P9.2")
def test_the_cookie_page_says_what_each_cookie_is_for_how_long_and_whether_it_is_needed(client: Client) -> None:
    html = client.get("/cookies/").content.decode()

    rows = {name: fragment(html, data_cookie=name) for name in (c.name for c in every_cookie())}
    for name in ("sessionid", "csrftoken", "django_language", "messages", "cookie_choice"):
        assert "Yes: set without asking" in rows[name], name
        assert "First-party" in rows[name]
    assert "No: only after you accept" in rows["analytics_id"]
    assert "First-party" in rows["analytics_id"]
    assert "14 days" in rows["sessionid"] and "shared computer" in rows["sessionid"]
    assert "364 days" in rows["csrftoken"]
    assert "Until the browser closes" in rows["django_language"]
    assert "180 days" in rows["cookie_choice"]
    assert "30 days, then replaced by a new random identifier" in rows["analytics_id"]
    assert "Third-party" not in html
