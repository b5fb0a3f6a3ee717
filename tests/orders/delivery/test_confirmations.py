"""Delivery confirmations (issue 12, section 4; P8.2): from the partner's signed webhook (verified, idempotent) or
entered by the organiser; the buyer confirms receipt; the order is completed when every line arrived or 7 days
after delivery; the confirmations are records kept as long as their order record."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.services.unregister import unregister_member
from groupket.orders.jobs import complete_delivered_orders
from groupket.orders.models import GroupOrder, OrderEvent, Shipment
from groupket.orders.services.payments import check_off_pickup
from groupket.privacy import inventory
from groupket.privacy.models import RetainedRecord
from groupket.privacy.services.retention import read_retained_record
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.orders.delivery.helpers import confirm, two_deliveries_and_a_pickup
from tests.orders.factories import PARTNER

pytestmark = pytest.mark.django_db
WEBHOOK = f"/webhooks/partners/{PARTNER}/"


def post_webhook(webhook: dict, *, signature: str | None = None):
    return Client().post(
        WEBHOOK,
        webhook["body"],
        content_type="application/json",
        headers={"X-Partner-Signature": signature if signature is not None else webhook["signature"]},
    )


def snapshot() -> list[tuple]:
    return list(Shipment.objects.order_by("pk").values_list("status", "tracking_number", "delivered_at"))


@pytest.fixture
def delivering(shop: dict, partner, django_capture_on_commit_callbacks) -> dict:
    lines = two_deliveries_and_a_pickup(shop)
    confirm(shop["order"], django_capture_on_commit_callbacks)
    return {**shop, "lines": lines, "partner": partner}


def test_the_partners_signed_webhook_marks_the_line_delivered_once(delivering: dict) -> None:
    first = delivering["lines"][0]
    webhook = delivering["partner"].deliver(first.number)
    assert post_webhook(webhook).status_code == 200
    shipment = Shipment.objects.get(line=first)
    event = json.loads(webhook["body"])
    assert (shipment.status, shipment.tracking_number, shipment.confirmed_by) == (
        "delivered", event["trackingNumber"], "partner"
    )  # fmt: skip
    assert shipment.delivered_at.isoformat().startswith(event["deliveredAt"][:19])
    before, events = snapshot(), OrderEvent.objects.count()
    assert post_webhook(webhook).status_code == 200  # a replay changes nothing
    assert (snapshot(), OrderEvent.objects.count()) == (before, events)


@pytest.mark.parametrize(
    "signature", ["", "sha256=" + "0" * 64, "sha1=abc", "\u00e9\u00e9", "sha256=" + "f" * 63]
)  # fmt: skip
def test_a_bad_signature_is_a_400_that_changes_nothing(delivering: dict, signature: str) -> None:
    webhook = delivering["partner"].deliver(delivering["lines"][0].number)
    before, events = snapshot(), OrderEvent.objects.count()
    assert post_webhook(webhook, signature=signature).status_code == 400
    assert (snapshot(), OrderEvent.objects.count()) == (before, events)


def test_the_organiser_enters_a_tracking_number_and_the_delivery(delivering: dict) -> None:
    first = delivering["lines"][0]
    client, url = delivering["organiser_client"], delivering["base"] + "/deliveries/"
    page = client.get(url).content.decode()
    assert first.number in page and first.buyer.name not in page
    response = client.post(url, {"row": first.pk, "tracking_number": "CJ-1234-5678"})
    assert response.status_code == 302
    assert Shipment.objects.get(line=first).tracking_number == "CJ-1234-5678"
    client.post(url, {"row": first.pk, "delivered": "1"})
    shipment = Shipment.objects.get(line=first)
    assert (shipment.status, shipment.confirmed_by) == ("delivered", "organiser")
    assert client.post(url, {"row": first.pk, "tracking_number": "<script>"}).status_code == 400
    assert client.post(url, {"row": first.pk}).status_code == 400
    assert Shipment.objects.get(line=first).tracking_number == "CJ-1234-5678"


def test_the_order_is_completed_once_every_buyer_confirmed_receipt(delivering: dict) -> None:
    first, second, pickup = delivering["lines"]
    order = delivering["order"]
    check_off_pickup(actor=delivering["organiser"], order=order, code=pickup.pickup_code)
    for line in (first, second):
        client = Client()
        sign_in(client, line.buyer)
        assert "My order arrived" in client.get(f"/me/orders/{line.number}/").content.decode()
        assert client.post(f"/me/orders/{line.number}/received/").status_code == 302
        assert Shipment.objects.get(line=line).status == "received"
    order.refresh_from_db()
    assert order.status == GroupOrder.COMPLETED
    stranger = Client()
    sign_in(stranger, pickup.buyer)
    assert stranger.post(f"/me/orders/{first.number}/received/").status_code == 404


def test_the_order_is_completed_when_the_last_to_arrive_is_a_pickup_the_organiser_checks_off(delivering: dict) -> None:
    first, second, pickup = delivering["lines"]
    order = delivering["order"]
    for line in (first, second):
        client = Client()
        sign_in(client, line.buyer)
        assert client.post(f"/me/orders/{line.number}/received/").status_code == 302
    order.refresh_from_db()
    assert order.status == GroupOrder.CONFIRMED  # the pickup is still waiting
    check_off_pickup(actor=delivering["organiser"], order=order, code=pickup.pickup_code)
    order.refresh_from_db()
    assert order.status == GroupOrder.COMPLETED
    done = OrderEvent.objects.get(order=order, action="order_completed")
    assert (done.actor_id, done.detail) == (delivering["organiser"].pk, {"reason": "delivered"})


def test_an_order_is_completed_7_days_after_delivery_by_the_hourly_job(delivering: dict) -> None:
    first, second, pickup = delivering["lines"]
    order = delivering["order"]
    check_off_pickup(actor=delivering["organiser"], order=order, code=pickup.pickup_code)
    for line in (first, second):
        post_webhook(delivering["partner"].deliver(line.number))
    assert complete_delivered_orders() == 0
    Shipment.objects.update(delivered_at=timezone.now() - timedelta(days=7, minutes=1))
    assert complete_delivered_orders() == 1
    order.refresh_from_db()
    assert order.status == GroupOrder.COMPLETED
    done = OrderEvent.objects.get(order=order, action="order_completed")
    assert done.actor_label == "scheduled job complete_delivered_orders"


@pytest.mark.clause("P8.2")
def test_delivery_confirmations_are_kept_as_long_as_their_order_record_after_unregister(delivering: dict) -> None:
    first = delivering["lines"][0]
    post_webhook(delivering["partner"].deliver(first.number))
    item = inventory.get_item("order_delivered_at")
    assert item.kept_after_withdrawal == inventory.get_item("order_lines").kept_after_withdrawal
    unregister_member(member=first.buyer, password=DEFAULT_PASSWORD)
    assert not Shipment.objects.filter(line_id=first.pk).exists()
    kept = [
        read_retained_record(record_ref=record.record_ref, purpose="delivery_confirmation")
        for record in RetainedRecord.objects.filter(category=inventory.CONTRACT_RECORDS)
    ]
    confirmations = [record for record in kept if "delivered_at" in record["values"]]
    assert len(confirmations) == 1
    values = confirmations[0]["values"]
    assert (values["number"], values["status"], values["confirmed_by"]) == (first.number, "delivered", "partner")
    assert values["tracking_number"]
    assert confirmations[0]["destroy_on"] >= timezone.localdate() + timedelta(days=365 * 5 - 2)


def test_the_deliveries_page_takes_a_fixed_number_of_queries(delivering: dict, django_assert_num_queries) -> None:
    client, url = delivering["organiser_client"], delivering["base"] + "/deliveries/"
    client.get(url)
    for line in delivering["lines"][:2]:
        post_webhook(delivering["partner"].deliver(line.number))
    # The lines come with their buyers and shipments in one query, so the count does not follow the buyers.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
