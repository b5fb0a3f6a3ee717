"""The staff console answers only from staff networks, to staff with a role (P7.4, P7.6, P10.2)."""

import pytest
from django.test import Client

from groupket.staff.roles import ROLES
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
def test_everyone_but_staff_gets_the_ordinary_404(client: Client) -> None:
    missing = client.get("/no-such-page/")
    assert client.get("/staff/").status_code == 404
    member = MemberFactory()
    sign_in(client, member)
    response = client.get("/staff/")
    assert response.status_code == 404
    assert response.content == missing.content


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
def test_staff_outside_the_staff_networks_get_404(client: Client, settings) -> None:
    staff = make_staff("support_handler")
    sign_in_staff(client, staff)
    assert client.get("/staff/").status_code == 200
    settings.GROUPKET_STAFF_NETWORKS = ["10.20.0.0/16"]
    assert client.get("/staff/").status_code == 404
    assert client.get("/staff/", REMOTE_ADDR="10.20.3.4").status_code == 200


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
@pytest.mark.clause("P10.2")
def test_console_shows_every_role_with_its_items_and_counts_only_to_the_officer(client: Client) -> None:
    officer = make_staff("privacy_officer")
    make_staff("moderator")
    make_staff("moderator")
    sign_in_staff(client, officer)
    page = client.get("/staff/").content.decode()
    for role in ROLES.values():
        assert f'data-role="{role.slug}"' in page
    moderator_row = page.split('data-role="moderator"')[1].split("</tr>")[0]
    assert "ID (username)" in moderator_row and "Email address" not in moderator_row
    assert '<td class="holder-count" data-label="Staff holding it">2</td>' in moderator_row

    # Request items are named for staff in one line, not in the member's voice ("your request").
    officer_row = page.split('data-role="privacy_officer"')[1].split("</tr>")[0]
    assert "What a requester sent the privacy officer, and the officer&#x27;s notes and answer" in officer_row
    assert "your request" not in page and "Email address" in officer_row

    support = Client()
    sign_in_staff(support, make_staff("support_handler"))
    assert "holder-count" not in support.get("/staff/").content.decode()
