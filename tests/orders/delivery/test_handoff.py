"""Hand-off to the shipping partner (issue 12, section 4; P5.4): when an order is confirmed, and only then, each
consented buyer's declared delivery items go to the partner, each hand-off a disclosure record the buyer sees."""

import csv
import io

import pytest
from django.test import Client

from groupket.orders.jobs import complete_delivered_orders
from groupket.orders.models import Shipment
from groupket.orders.partner.handoff import hand_off_order
from groupket.orders.partners import get_partner
from groupket.privacy.models import Disclosure
from groupket.privacy.services import record_consent
from tests.conftest import sign_in
from tests.orders.delivery.helpers import confirm, two_deliveries_and_a_pickup
from tests.orders.factories import ADDRESS, PARTNER

pytestmark = pytest.mark.django_db

WIRE_FIELDS = {"reference", "item", "quantity", "recipient", "postalCode", "roadAddress", "addressDetail", "phone"}


@pytest.mark.clause("P5.4")
def test_a_confirmed_order_hands_each_consented_delivery_to_the_partner_once_with_a_disclosure(
    shop: dict, partner, django_capture_on_commit_callbacks
) -> None:
    first, second, pickup = two_deliveries_and_a_pickup(shop)
    assert partner.shipments() == []  # nothing before the order is confirmed
    assert hand_off_order(shop["order"].pk) == 0
    confirm(shop["order"], django_capture_on_commit_callbacks)
    sent = {shipment["reference"]: shipment for shipment in partner.shipments()}
    assert set(sent) == {first.number, second.number}
    assert set(sent[first.number]["received"]) == WIRE_FIELDS
    assert (sent[first.number]["recipient"], sent[first.number]["postalCode"]) == (ADDRESS.recipient, "04524")
    assert sent[second.number]["quantity"] == 2
    for line in (first, second):
        shipment = Shipment.objects.get(line=line)
        assert (shipment.status, shipment.method, shipment.partner) == ("handed_off", "api", PARTNER)
        disclosure = Disclosure.objects.get(member=line.buyer)
        assert (disclosure.recipient, disclosure.basis, disclosure.reference) == (PARTNER, "consent", line.number)
        assert disclosure.items == list(get_partner(PARTNER).items)
    assert not Disclosure.objects.filter(member=pickup.buyer).exists()
    # Run again (a retried task): nothing is sent or recorded twice.
    assert hand_off_order(shop["order"].pk) == 0
    assert len(partner.shipments()) == 2
    assert Disclosure.objects.count() == 2
    client = Client()
    sign_in(client, first.buyer)
    page = client.get("/me/disclosures/").content.decode()
    assert first.number in page


@pytest.mark.clause("P5.4")
def test_only_the_items_the_partner_is_declared_to_receive_are_sent(
    shop: dict, partner, settings, django_capture_on_commit_callbacks
) -> None:
    settings.GROUPKET_SHIPPING_PARTNERS = [
        {
            **settings.GROUPKET_SHIPPING_PARTNERS[0],
            "items": ["order_recipient", "order_postal_code", "order_road_address"],
        }
    ]
    two_deliveries_and_a_pickup(shop)
    confirm(shop["order"], django_capture_on_commit_callbacks)
    for shipment in partner.shipments():
        assert set(shipment["received"]) == {"reference", "item", "quantity", "recipient", "postalCode", "roadAddress"}
    assert {tuple(d.items) for d in Disclosure.objects.all()} == {
        ("order_recipient", "order_postal_code", "order_road_address")
    }


@pytest.mark.clause("P5.4")
def test_the_guard_checks_the_orders_consent_at_hand_off_time(
    shop: dict, partner, django_capture_on_commit_callbacks
) -> None:
    first, second, _ = two_deliveries_and_a_pickup(shop)
    document = get_partner(PARTNER).consent_document(shop["order"].pk)
    record_consent(member=first.buyer, document=document, version=None, granted=False, channel="test")
    confirm(shop["order"], django_capture_on_commit_callbacks)
    assert [shipment["reference"] for shipment in partner.shipments()] == [second.number]
    assert not Shipment.objects.filter(line=first).exists()
    assert not Disclosure.objects.filter(member=first.buyer).exists()


def test_a_partner_that_is_down_gets_the_hand_off_later_and_only_once(
    shop: dict, partner, django_capture_on_commit_callbacks
) -> None:
    two_deliveries_and_a_pickup(shop)
    partner.fail(times=1)
    confirm(shop["order"], django_capture_on_commit_callbacks)
    assert set(Shipment.objects.values_list("status", flat=True)) == {"queued"}  # recorded, not yet taken
    with django_capture_on_commit_callbacks(execute=True):
        complete_delivered_orders()
    assert set(Shipment.objects.values_list("status", flat=True)) == {"handed_off"}
    assert len(partner.shipments()) == 2
    assert Disclosure.objects.count() == 2


@pytest.mark.clause("P5.4")
def test_a_partner_without_an_api_gets_a_csv_the_organiser_downloads_with_only_consented_buyers(
    shop: dict, django_capture_on_commit_callbacks
) -> None:
    first, second, pickup = two_deliveries_and_a_pickup(shop)
    document = get_partner(PARTNER).consent_document(shop["order"].pk)
    record_consent(member=second.buyer, document=document, version=None, granted=False, channel="test")
    url = shop["base"] + "/deliveries/handoff.csv"
    assert shop["organiser_client"].get(url).status_code == 403  # not before the order is confirmed
    confirm(shop["order"], django_capture_on_commit_callbacks)
    assert not Shipment.objects.exists()  # nothing goes until the organiser downloads
    response = shop["organiser_client"].get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["order_number", "item", "quantity", "recipient", "postal_code", "road_address",
                       "address_detail", "phone"]  # fmt: skip
    assert [row[0] for row in rows[1:]] == [first.number]
    assert rows[1][3:5] == [ADDRESS.recipient, ADDRESS.postal_code]
    assert Disclosure.objects.get().reference == first.number
    shop["organiser_client"].get(url)
    assert Disclosure.objects.count() == 1  # a second download is the same hand-off
    assert Shipment.objects.get().status == "handed_off"
    buyer = Client()
    sign_in(buyer, pickup.buyer)
    assert buyer.get(url).status_code in (403, 404)
