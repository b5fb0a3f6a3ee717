"""Checkout (issue 12, section 2): only what delivery needs, only for delivery; the partner's consent, separate and
unticked, recorded per partner and per order; delivery details sealed under the buyer's key (P1.1, P5.4)."""

import pytest
from django.test import Client

from groupket.accounts.models import Member
from groupket.orders.models import Delivery, GroupOrder, OrderLine, Payment, SubmittedForm
from groupket.orders.partners import get_partner
from groupket.privacy.guard import ConsentNotInForce, require
from groupket.privacy.models import ConsentEvent
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.markup import attribute
from tests.orders.factories import ADDRESS, PARTNER, open_group_order

pytestmark = pytest.mark.django_db

DELIVERY_FORM = {
    "recipient": ADDRESS.recipient,
    "postal_code": ADDRESS.postal_code,
    "road_address": ADDRESS.road_address,
    "address_detail": ADDRESS.address_detail,
    "phone": "010-1234-5678",
}


@pytest.fixture
def shop() -> dict:
    organiser, buyer = MemberFactory(), MemberFactory()
    space = make_space(organiser)
    join(buyer, space)
    order = open_group_order(organiser, space)
    client = Client()
    sign_in(client, buyer)
    url = f"/s/{space.slug}/orders/{order.pk}/"
    return {"organiser": organiser, "buyer": buyer, "space": space, "order": order, "client": client, "url": url}


def checkout(shop: dict, submission: str = "a" * 32, **data: str):
    return shop["client"].post(shop["url"] + "checkout/", {"submission": submission, **data})


@pytest.mark.clause("P1.1")
def test_pickup_asks_for_nothing_personal_and_stores_none(shop: dict) -> None:
    page = shop["client"].get(shop["url"]).content.decode()
    assert 'name="partner_consent"' in page and attribute(page, "checked", tag="input", name="partner_consent") is None
    response = checkout(shop, quantity="2", method="pickup")
    assert response.status_code == 302
    line = OrderLine.objects.get(buyer=shop["buyer"])
    assert (line.quantity, line.amount, line.delivery_method) == (2, 50_000, "pickup")
    assert len(line.pickup_code) == 6 and line.pickup_code.isdigit()
    assert not Delivery.objects.exists()
    assert not ConsentEvent.objects.filter(member=shop["buyer"], document__startswith="partner:").exists()
    buyer = Member.objects.get(pk=shop["buyer"].pk)
    assert buyer.delivery_road_address is None and buyer.delivery_phone is None


@pytest.mark.clause("P5.4")
def test_without_the_partners_consent_delivery_cannot_be_chosen_and_the_member_is_told_why(shop: dict) -> None:
    response = checkout(shop, quantity="1", method="shipping", **DELIVERY_FORM)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Delivery needs your consent to give the shipping partner your delivery details" in page
    assert "choose pickup" in page
    assert not OrderLine.objects.exists() and not Delivery.objects.exists() and not SubmittedForm.objects.exists()
    assert not ConsentEvent.objects.filter(document__startswith="partner:").exists()


@pytest.mark.clause("P5.4", "P1.1")
def test_delivery_with_consent_seals_the_details_and_records_a_consent_for_this_partner_and_order(shop: dict) -> None:
    page = shop["client"].get(shop["url"]).content.decode()
    partner = get_partner(PARTNER)
    for said in (partner.name_en, partner.purpose_en, partner.retention_en, "Road-name address"):
        assert said in page
    response = checkout(shop, quantity="1", method="shipping", partner_consent="on", **DELIVERY_FORM)
    assert response.status_code == 302
    delivery = Delivery.objects.get(line__buyer=shop["buyer"])
    assert (delivery.recipient, delivery.postal_code, delivery.phone) == ("박서연", "04524", "+821012345678")
    assert delivery.data_key_id == shop["buyer"].data_key_id
    document = f"partner:{PARTNER}:order-{shop['order'].pk}"
    assert delivery.consent_document == document
    event = ConsentEvent.objects.get(member=shop["buyer"], document=document)
    assert event.granted and event.channel == "checkout"
    # The guard reads this order's consent for the partner, and no other order's.
    require(shop["buyer"], f"partner:{PARTNER}", items=["order_road_address"], consent_document=document)
    with pytest.raises(ConsentNotInForce):
        require(shop["buyer"], f"partner:{PARTNER}", items=["order_road_address"], consent_document=document + "0")
    # Not ticked "save for next time": nothing reaches the profile.
    assert Member.objects.get(pk=shop["buyer"].pk).delivery_road_address is None


def test_save_for_next_time_fills_the_next_checkout_and_edit_profile_deletes_it(shop: dict) -> None:
    checkout(shop, quantity="1", method="shipping", partner_consent="on", save_for_next_time="on", **DELIVERY_FORM)
    buyer = Member.objects.get(pk=shop["buyer"].pk)
    assert (buyer.delivery_recipient, buyer.delivery_postal_code) == ("박서연", "04524")
    other = open_group_order(shop["organiser"], shop["space"], item="Rice, 10 kg")
    page = shop["client"].get(f"/s/{shop['space'].slug}/orders/{other.pk}/").content.decode()
    assert 'value="서울특별시 중구 세종대로 110"' in page
    assert "박서연" in shop["client"].get("/me/").content.decode()
    edit = shop["client"].get("/me/edit/").content.decode()
    assert 'name="remove_delivery"' in edit
    shop["client"].post("/me/edit/", {"name": buyer.name, "email": buyer.email, "remove_delivery": "on"})
    buyer = Member.objects.get(pk=buyer.pk)
    assert [getattr(buyer, field) for field in Member.DELIVERY_FIELDS] == [None] * 5
    # The order's own copy stays with the order until its dispute period ends.
    assert Delivery.objects.filter(line__buyer=buyer).count() == 1


def test_the_amount_is_computed_here_whatever_the_browser_sends(shop: dict) -> None:
    checkout(shop, quantity="3", method="pickup", amount="1", unit_price="1", total="1")
    line = OrderLine.objects.get(buyer=shop["buyer"])
    payment = Payment.objects.get(line=line)
    assert line.amount == payment.amount == 75_000 and line.unit_price == 25_000


def test_the_same_form_sent_twice_orders_once(shop: dict) -> None:
    first = checkout(shop, submission="b" * 32, quantity="2", method="pickup")
    second = checkout(shop, submission="b" * 32, quantity="2", method="pickup")
    assert first.status_code == second.status_code == 302
    assert OrderLine.objects.count() == 1 and GroupOrder.objects.get().reserved_total == 2
    page = shop["client"].get(shop["url"]).content.decode()
    assert "That form was sent already, so nothing more was changed." in page


@pytest.mark.parametrize(
    ("quantity", "message"), [("6", "Order between 1 and 5."), ("0", "Order between 1 and 5."), ("2.5", "whole")]
)
def test_a_quantity_outside_the_limits_is_refused_with_nothing_changed(shop: dict, quantity: str, message: str) -> None:
    response = checkout(shop, quantity=quantity, method="pickup")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OrderLine.objects.exists() and GroupOrder.objects.get().reserved_total == 0


def test_more_than_is_left_is_refused_saying_how_many_are_left(shop: dict) -> None:
    GroupOrder.objects.filter(pk=shop["order"].pk).update(reserved_total=18)
    response = checkout(shop, quantity="3", method="pickup")
    assert response.status_code == 409
    assert "Only 2 left to order." in response.content.decode()
    assert not OrderLine.objects.exists()


def test_after_the_deadline_no_order_is_taken(shop: dict) -> None:
    from tests.orders.factories import move_deadlines_to_the_past

    move_deadlines_to_the_past(shop["order"])
    page = shop["client"].get(shop["url"]).content.decode()
    assert "This group order no longer takes orders." in page
    response = checkout(shop, quantity="1", method="pickup")
    assert response.status_code == 409
    assert "its deadline has passed" in response.content.decode()
    assert not OrderLine.objects.exists()


def test_a_delivery_address_is_checked_a_5_digit_postal_code_and_a_real_phone_number(shop: dict) -> None:
    form = {**DELIVERY_FORM, "postal_code": "1234", "phone": "12"}
    response = checkout(shop, quantity="1", method="shipping", partner_consent="on", **form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "A postal code is 5 digits" in page and "Enter a valid phone number" in page
    assert not OrderLine.objects.exists()


def test_a_member_outside_the_space_does_not_see_the_order(shop: dict) -> None:
    stranger = Client()
    sign_in(stranger, MemberFactory())
    assert stranger.get(shop["url"]).status_code == 404
    assert stranger.post(shop["url"] + "checkout/", {"quantity": "1"}).status_code == 404
