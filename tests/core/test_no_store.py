"""Pages that may show personal data are never kept in a browser or proxy cache (P7.5)."""

import pytest
from django.test import Client

from tests.conftest import make_staff, sign_in_staff
from tests.e2e.pages import MEMBER, STAFF, plain_paths


def no_store(response: object) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_every_page_of_a_signed_in_member_is_no_store(signed_in: Client) -> None:
    for path in plain_paths(MEMBER):
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_every_staff_console_page_is_no_store(client: Client) -> None:
    sign_in_staff(client, make_staff("privacy_officer", "records_custodian"))
    for path in plain_paths(STAFF):
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


@pytest.mark.django_db
def test_a_form_shown_again_with_what_was_typed_is_no_store(client: Client) -> None:
    response = client.post("/accounts/signup/", {"name": "Seo Yuna", "email": "not-an-address"})
    assert response.status_code == 400 and "Seo Yuna" in response.content.decode()
    assert no_store(response)


@pytest.mark.django_db
def test_public_pages_to_a_visitor_stay_cacheable(client: Client) -> None:
    for path in ("/", "/privacy/", "/terms/"):
        assert "no-store" not in client.get(path).get("Cache-Control", ""), path
