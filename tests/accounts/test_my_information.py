"""My information shows every item held, with purpose and retention, summary first (P1.2, P6.1).

A profile card comes first; then sections a member opens (<details>, one click each): what is held and why,
agreements, sign-in records, disclosures, requests. What is not held is one line, not a row per item.
"""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from groupket.accounts.models import Member
from groupket.accounts.selectors import record_counts
from groupket.privacy import inventory
from groupket.staff.models import PrivacyRequest
from groupket.staff.services.requests import file_web_request
from tests.conftest import MEMBER_PAGE_QUERIES
from tests.factories import MemberFactory, join, make_post, make_space
from tests.markup import fragment


def shown_item_keys(page: str) -> set[str]:
    """Every inventory key the page names, as a held row, or in the not-given or nothing-yet line."""
    keys = set(re.findall(r'data-item="([^"]+)"', page))
    for group in re.findall(r'data-items="([^"]+)"', page):
        keys |= set(group.split())
    return keys


def section(page: str, section_id: str) -> str:
    return fragment(page, tag="details", id=section_id)


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_my_information_accounts_for_every_inventory_item_with_value_purpose_and_retention(
    signed_in: Client, member: Member
) -> None:
    member.phone, member.bio = "+821055501234", "Runs the Mangwon bread club"
    member.save(update_fields=["phone", "bio"])
    page = signed_in.get("/me/").content.decode()

    assert shown_item_keys(page) == {item.key for item in inventory.ITEMS}
    held = section(page, "held")
    for value in (member.username, member.name, member.email, "+821055501234", "Runs the Mangwon bread club"):
        assert value in held
    # Each purpose and each retention period is said once, with the items it covers, not once per row.
    for item in inventory.ITEMS:
        assert escape(str(item.label)) in page
    assert held.count("Fulfilling the service contract with you") == 1
    assert held.count(str(inventory.LOGIN_RECORD_RETENTION)) == 1
    assert "Terms of Use" in section(page, "consents") and "v1" in section(page, "consents")


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_a_new_members_page_is_a_profile_card_and_one_line_for_what_is_not_given(
    signed_in: Client, member: Member
) -> None:
    page = signed_in.get("/me/").content.decode()

    card = fragment(page, class_="profile-card")
    assert member.name in card and member.username in card and member.email in card
    assert 'href="/me/edit/"' in card
    not_given = fragment(card, class_="not-given")
    assert re.findall(r'data-item="([^"]+)"', not_given) == ["phone", "photo", "bio"]
    # Nothing about requests to the officer exists yet: one entry for the whole category, no rows.
    nothing_yet = fragment(section(page, "held"), class_="none-yet")
    request_keys = [item.key for item in inventory.ITEMS if item.category == inventory.REQUEST]
    assert f'data-items="{" ".join(request_keys)}"' in nothing_yet
    assert not any(f'<tr data-item="{key}"' in page for key in request_keys)
    # Rows only for what is held: the four items given at signup, the sign-in's record and this browser's session.
    held_rows = re.findall(r'<tr data-item="([^"]+)"', page)
    assert held_rows == ["username", "name", "email", "password", "login_ip", "login_user_agent", "session_user_agent"]
    assert "None" in section(page, "requests")


@pytest.mark.django_db
def test_every_section_opens_with_one_click_and_says_what_it_holds(signed_in: Client, member: Member) -> None:
    file_web_request(member=member, kind=PrivacyRequest.ACCESS, name="", email="", body="What do you hold?")
    page = signed_in.get("/me/").content.decode()

    sections = re.findall(r'<details class="card section" id="([^"]+)">\s*<summary>', page)
    assert sections == ["held", "consents", "login-records", "disclosures", "requests"]
    assert "1 request" in fragment(section(page, "requests"), tag="summary")
    assert "2 answers" in fragment(section(page, "consents"), tag="summary")


@pytest.mark.django_db
def test_my_information_page_takes_a_fixed_number_of_queries(signed_in: Client, django_assert_num_queries) -> None:
    signed_in.get("/me/")  # warm the member's data key in process memory
    with django_assert_num_queries(MEMBER_PAGE_QUERIES + 4):
        # session, member, sign-in check, policy versions; one query counting the rows of every model holding
        # record items (accounts', the spaces', moderation's, the orders'), whatever the member holds and however
        # many models the apps add; agreements, sign-in records, disclosures
        signed_in.get("/me/")


@pytest.mark.django_db
def test_my_information_needs_sign_in(client: Client) -> None:
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_one_counting_query_counts_each_models_rows_of_this_member_only(member: Member) -> None:
    other = MemberFactory()
    space = make_space(member)
    for body in ("first", "second"):
        make_post(member, space, body=body)
    join(other, space)
    make_post(other, space, body="not theirs")

    counts = record_counts(member)

    models = {item.path.model for item in inventory.ITEMS} - {inventory.MEMBER_MODEL}
    assert set(counts) == models  # every model, those with no row too
    assert counts["spaces.Post"] == 2
    assert counts["spaces.Membership"] == 1
    assert counts["orders.OrderLine"] == 0
