"""Records the law keeps (issue 12, section 5): orders, payments, cancellations and refunds kept 5 years after a
buyer's Unregister as retained records, and nothing else of theirs; delivery addresses destroyed once the order is
completed and its dispute period has passed (P8.2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groupket.accounts.services.unregister import unregister_member
from groupket.core.schedules import get_job, run_job
from groupket.orders.forms import new_submission_key
from groupket.orders.models import Delivery, GroupOrder, OrderEvent, OrderLine
from groupket.orders.services import group_orders, payments
from groupket.orders.services.lines import cancel_my_order
from groupket.privacy import inventory
from groupket.privacy.models import DestructionLog, RetainedRecord
from groupket.privacy.services.retention import read_retained_record
from tests.factories import DEFAULT_PASSWORD, MemberFactory, join, make_space
from tests.orders.factories import move_deadlines_to_the_past, open_group_order, order_delivery, order_pickup

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> dict:
    organiser, buyer, other = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(organiser)
    join(buyer, space)
    join(other, space)
    return {"organiser": organiser, "buyer": buyer, "other": other, "space": space}


def test_the_inventory_declares_order_records_with_5_years_and_delivery_items_with_their_partner() -> None:
    for key in ("order_lines", "order_payments", "order_refunds", "order_cancellations"):
        item = inventory.get_item(key)
        assert item.kept_after_withdrawal is not None and item.kept_after_withdrawal.months == 60
    assert inventory.get_item("order_cancellations").kept_after_withdrawal.category == inventory.CANCELLATION_RECORDS
    for key in ("order_recipient", "order_road_address", "order_phone"):
        item = inventory.get_item(key)
        assert item.recipients == ("partner:hangang-express",) and item.kept_after_withdrawal is None


@pytest.mark.clause("P8.2")
def test_unregister_keeps_the_buyers_order_payment_refund_and_cancellation_records_and_destroys_the_rest(
    shop: dict,
) -> None:
    kept_order = open_group_order(shop["organiser"], shop["space"], item="Rice, 10 kg")
    line = order_delivery(shop["buyer"], kept_order, 2)
    payments.mark_payment_received(actor=shop["organiser"], order=kept_order, line_id=line.pk)
    group_orders.cancel_order(actor=shop["organiser"], order=kept_order)  # a cancellation and a refund due
    open_now = open_group_order(shop["organiser"], shop["space"], item="Kimchi, 3 kg")
    order_pickup(shop["buyer"], open_now, 3)
    order_pickup(shop["other"], open_now, 1)
    number = line.number

    unregister_member(member=shop["buyer"], password=DEFAULT_PASSWORD)

    records = {record.category: [] for record in RetainedRecord.objects.all()}
    for record in RetainedRecord.objects.all():
        records[record.category].append(read_retained_record(record_ref=record.record_ref, purpose="settlement"))
    kept = records[inventory.CONTRACT_RECORDS]
    numbers = sorted(values["values"]["number"] for values in kept)
    assert len(kept) == 2 + 1 + 1 + 1  # two lines, two payments, one refund
    assert numbers.count(number) == 3
    line_record = next(r["values"] for r in kept if r["values"].get("item") == "Rice, 10 kg")
    assert (line_record["quantity"], line_record["amount"], line_record["delivery_method"]) == (2, 50_000, "shipping")
    assert [r["values"]["reason"] for r in records[inventory.CANCELLATION_RECORDS]] == ["order_cancelled"]
    for record in kept:
        assert record["destroy_on"] >= timezone.localdate() + timedelta(days=365 * 5 - 2)
        assert "세종대로" not in str(record["values"]) and "박서연" not in str(record["values"])
    # Nothing else of the buyer survives: no line, no delivery details; the open order frees their quantity.
    assert not OrderLine.objects.filter(number=number).exists() and not Delivery.objects.exists()
    open_now.refresh_from_db()
    assert open_now.reserved_total == 1
    assert OrderEvent.objects.filter(order=open_now, action="line_cancelled", detail__withdrawn=True).exists()
    assert DestructionLog.objects.filter(category="delivery details", count=1).exists()


def test_delivery_addresses_are_destroyed_once_the_order_is_completed_and_its_dispute_period_passed(
    shop: dict, settings
) -> None:
    order = open_group_order(shop["organiser"], shop["space"], min_total=1)
    order_delivery(shop["buyer"], order, 1)
    move_deadlines_to_the_past(order)
    run_job(get_job("settle_group_orders"))
    group_orders.ship_order(actor=shop["organiser"], order=order)
    group_orders.complete_order(actor=shop["organiser"], order=order)
    job = get_job("destroy_delivery_addresses")
    assert run_job(job) == 0  # completed today: the dispute period is still running
    GroupOrder.objects.filter(pk=order.pk).update(
        status_changed_at=timezone.now() - timedelta(days=settings.GROUPKET_ORDER_DISPUTE_DAYS + 1)
    )
    assert run_job(job) == 1
    assert not Delivery.objects.exists()
    assert OrderLine.objects.filter(order=order).count() == 1  # the contract record stays
    log = DestructionLog.objects.get(category="delivery details")
    assert log.count == 1 and "dispute period" in log.basis
    event = OrderEvent.objects.get(order=order, action="delivery_destroyed")
    assert event.actor_label == "scheduled job destroy_delivery_addresses"


def test_a_buyer_cancelling_leaves_a_cancellation_record(shop: dict) -> None:
    order = open_group_order(shop["organiser"], shop["space"])
    line = order_pickup(shop["buyer"], order, 2)
    cancel_my_order(actor=shop["buyer"], order=order, submission=new_submission_key())
    record = line.cancellations.get()
    assert (record.quantity, record.amount, record.reason, record.number) == (2, 50_000, "buyer", line.number)
