"""My information shows every item held, with purpose and retention (P1.2, P6.1)."""

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.privacy import inventory


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_my_information_lists_every_inventory_item_with_value_purpose_and_retention(
    signed_in: Client, member: Member
) -> None:
    member.phone, member.bio = "+821055501234", "Runs the Mangwon bread club"
    member.save(update_fields=["phone", "bio"])
    page = signed_in.get("/me/").content.decode()
    for item in inventory.ITEMS:
        assert f'data-item="{item.key}"' in page
    for value in (member.username, member.name, member.email, "+821055501234", "Runs the Mangwon bread club"):
        assert value in page
    assert str(inventory.LOGIN_RECORD_RETENTION) in page
    assert "Fulfilling the service contract with you" in page
    assert "Terms of Use" in page and "v1" in page  # the agreements, with versions


@pytest.mark.django_db
def test_my_information_page_takes_a_fixed_number_of_queries(signed_in: Client, django_assert_num_queries) -> None:
    signed_in.get("/me/")  # warm the member's data key in process memory
    with django_assert_num_queries(22):
        # session, member, sign-in check, policy versions; one count per model holding record items (6, and 9 of
        # the spaces: memberships, posts, post revisions, comments, comment revisions, likes, the space log,
        # notifications, notification mail choices);
        # agreements, sign-in records, disclosures
        signed_in.get("/me/")


@pytest.mark.django_db
def test_my_information_needs_sign_in(client: Client) -> None:
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
