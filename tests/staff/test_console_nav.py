"""The console's nav offers each staff member only the pages their roles open, and marks the page they are on."""

import re

import pytest
from django.test import Client

from tests.conftest import make_staff, sign_in, sign_in_staff

EVERY_PAGE = {
    "/staff/": "Console home",
    "/staff/requests/": "Requests to the officer",
    "/staff/members/": "Look up a member",
    "/staff/roles/": "Grant roles",
    "/staff/access-log/": "Access log",
    "/staff/access-review/": "Access review",
    "/staff/legal/": "Legal requests",
    "/staff/destructions/": "Destructions",
    "/staff/notices/": "Notices and news",
    "/staff/policy/": "Policy versions",
    "/staff/retained/": "Kept records",
    "/staff/password/": "Change password",
}


def nav_links(html: str) -> dict[str, str]:
    nav = html.split('<nav class="staff-nav"')[1].split("</nav>")[0]
    return dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "pages"),
    [
        (("support_handler",), ["/staff/", "/staff/requests/", "/staff/members/", "/staff/password/"]),
        (("moderator",), ["/staff/", "/staff/members/", "/staff/password/"]),
        (("records_custodian",), ["/staff/", "/staff/destructions/", "/staff/retained/", "/staff/password/"]),
        (("privacy_officer",), [page for page in EVERY_PAGE if page != "/staff/retained/"]),
        (("privacy_officer", "records_custodian"), list(EVERY_PAGE)),
    ],
)
def test_the_nav_lists_exactly_the_pages_the_roles_open(client: Client, roles: tuple[str, ...], pages: list[str]):
    sign_in_staff(client, make_staff(*roles))

    links = nav_links(client.get("/staff/").content.decode())

    assert links == {page: EVERY_PAGE[page] for page in pages}
    for page in pages:
        assert client.get(page).status_code == 200, page
    for page in set(EVERY_PAGE) - set(pages):
        assert client.get(page).status_code == 403, page


@pytest.mark.django_db
def test_the_page_open_is_marked_current(client: Client) -> None:
    sign_in_staff(client, make_staff("support_handler"))

    html = client.get("/staff/members/").content.decode()

    assert '<a href="/staff/members/" aria-current="page">Look up a member</a>' in html
    assert html.count('aria-current="page"') == 1


@pytest.mark.django_db
def test_a_staff_members_header_links_to_the_console_and_a_members_does_not(client: Client, member) -> None:
    console_link = '<a href="/staff/">Staff console</a>'
    sign_in_staff(client, make_staff("privacy_officer"))
    assert console_link in client.get("/me/").content.decode().split("</header>", 1)[0]

    client.logout()
    sign_in(client, member)
    assert console_link not in client.get("/me/").content.decode()
