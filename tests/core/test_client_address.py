"""Behind a trusted reverse proxy, the visitor's address is the one throttled, recorded and gated (P7.4, P7.7)."""

import pytest
from django.test import Client, RequestFactory

from groupket.accounts.models import LoginRecord
from groupket.core.checks import check_network_lists
from groupket.core.middleware import ClientAddressMiddleware
from tests.conftest import make_staff, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory

PROXY = "10.0.0.2"
OFFICE = "192.0.2.10"
OUTSIDE = "198.51.100.7"


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.GROUPKET_TRUSTED_PROXIES = ["10.0.0.0/29"]
    settings.GROUPKET_STAFF_NETWORKS = ["192.0.2.0/24"]


@pytest.fixture
def staff_browser(client: Client, db: None) -> Client:
    sign_in_staff(client, make_staff("support_handler"))
    return client


def console(client: Client, *, peer: str, forwarded_for: str | None = None) -> int:
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.get("/staff/", **headers).status_code


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
@pytest.mark.parametrize(
    ("forwarded_for", "status"),
    [
        (OFFICE, 200),  # the visitor is in the office network
        (f"{OFFICE}, 10.0.0.3", 200),  # through two trusted proxies
        (OUTSIDE, 404),
        (f"{OFFICE}, {OUTSIDE}", 404),  # the visitor wrote the office address themselves; the proxy saw OUTSIDE
        ("", 404),  # a proxy that names no visitor: the address is unknown
        (None, 404),
        ("not-an-address", 404),
        (f"{OFFICE}, garbage", 404),
    ],
)
def test_the_staff_gate_sees_the_visitor_behind_a_trusted_proxy(
    behind_proxy, staff_browser: Client, forwarded_for: str | None, status: int
) -> None:
    assert console(staff_browser, peer=PROXY, forwarded_for=forwarded_for) == status


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
def test_a_forwarded_for_header_from_anyone_else_is_not_believed(behind_proxy, staff_browser: Client) -> None:
    assert console(staff_browser, peer=OUTSIDE, forwarded_for=OFFICE) == 404
    assert console(staff_browser, peer=OFFICE, forwarded_for=OUTSIDE) == 200


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
def test_without_trusted_proxies_the_header_is_ignored(settings, staff_browser: Client) -> None:
    settings.GROUPKET_STAFF_NETWORKS = ["192.0.2.0/24"]
    assert console(staff_browser, peer=OUTSIDE, forwarded_for=OFFICE) == 404
    assert console(staff_browser, peer=OFFICE, forwarded_for=OUTSIDE) == 200


@pytest.mark.django_db
@pytest.mark.clause("P7.1")
def test_sign_ins_are_recorded_and_throttled_by_the_visitors_address(behind_proxy, client: Client) -> None:
    member = MemberFactory()
    login = {"username": member.username, "password": DEFAULT_PASSWORD}

    response = client.post("/accounts/login/", login, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OUTSIDE)

    assert response.status_code == 302
    assert LoginRecord.objects.get(member=member).ip_address == OUTSIDE
    # Wrong passwords from one visitor pause that visitor, not everyone behind the same proxy.
    guesser = Client()
    for n in range(20):
        wrong = {"username": f"guess{n}", "password": "not the password"}
        guesser.post("/accounts/login/", wrong, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OUTSIDE)
    refused = guesser.post("/accounts/login/", login, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert refused.status_code == 429
    neighbour = Client()
    response = neighbour.post("/accounts/login/", login, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert response.status_code == 302


@pytest.mark.clause("P7.4")
def test_one_process_reads_each_request_s_own_visitor(settings) -> None:
    # The middleware keeps what it read of each address: a request must never get another one's visitor.
    settings.GROUPKET_TRUSTED_PROXIES = ["10.0.0.0/29"]
    middleware = ClientAddressMiddleware(lambda request: request.META["REMOTE_ADDR"])

    def visitor(peer: str, forwarded_for: str) -> str:
        return middleware(RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded_for))

    assert visitor(PROXY, OFFICE) == OFFICE
    assert visitor(PROXY, OUTSIDE) == OUTSIDE
    assert visitor(PROXY, f"{OUTSIDE}, garbage") == ""
    assert visitor(PROXY, f"{OFFICE}, 10.0.0.3") == OFFICE
    assert visitor(PROXY, "2001:DB8:0:0::0001") == "2001:db8::1"  # written the standard way
    assert visitor(PROXY, "10.0.0.3") == "10.0.0.3"  # only proxies: the first of them
    assert visitor(OUTSIDE, OFFICE) == OUTSIDE
    assert visitor(PROXY, OFFICE) == OFFICE


def test_what_cannot_be_an_address_is_not_kept(settings) -> None:
    # The visitor writes X-Forwarded-For: a long part is unreadable and is not kept in the middleware's memory.
    settings.GROUPKET_TRUSTED_PROXIES = ["10.0.0.0/29"]
    middleware = ClientAddressMiddleware(lambda request: request.META["REMOTE_ADDR"])
    long_part = "1" * 5000
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{OFFICE}, {long_part}")
    assert middleware(request) == ""
    kept = middleware._read_once.cache_info().currsize
    assert kept == 2  # the proxy's address and the office's, not the long part
    assert middleware(RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)) == OFFICE


def test_a_network_list_with_a_typo_fails_the_system_check(settings) -> None:
    settings.GROUPKET_TRUSTED_PROXIES = ["10.0.0.0/8", "10.0.0.0/33"]
    settings.GROUPKET_STAFF_NETWORKS = ["192.0.2.0/24", "office"]

    errors = check_network_lists()

    assert [error.id for error in errors] == ["core.E001", "core.E001"]
    assert "GROUPKET_STAFF_NETWORKS holds 'office'" in errors[0].msg
    assert "GROUPKET_TRUSTED_PROXIES holds '10.0.0.0/33'" in errors[1].msg
