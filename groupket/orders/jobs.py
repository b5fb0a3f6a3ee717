"""The scheduled jobs of group orders (settings.GROUPKET_SCHEDULES), each acting as a recorded system actor."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groupket.core.actors import SystemActor, acting
from groupket.core.tasks import enqueue
from groupket.orders import tasks
from groupket.orders.models import Delivery, GroupOrder, OrderLine, Payment, Shipment, SubmittedForm
from groupket.orders.permissions import DELIVERING
from groupket.orders.services import cards, history
from groupket.orders.services.delivery import complete_if_delivered
from groupket.orders.services.group_orders import cancel_line_rows, decide_order, locked_order, reopen_if_room
from groupket.privacy.services import record_destruction

DELIVERY_DESTRUCTION_METHOD = "delivery rows deleted (sealed under the buyer's data key)"
DELIVERY_DESTRUCTION_BASIS = "group order completed and its dispute period passed"
# Orders still owed a payment: once shipped, the organiser has settled with the buyers who paid.
_AWAITING_PAYMENT = (GroupOrder.OPEN, GroupOrder.CLOSED, GroupOrder.CONFIRMED)
SUBMITTED_FORM_DAYS = 30


@acting("actor", system=True)
def cancel_unpaid_lines(*, actor: SystemActor, order: GroupOrder) -> int:
    """After the payment deadline, lines still unpaid (by transfer, or by a card never confirmed) are cancelled
    and their buyers told."""
    with transaction.atomic():
        order = locked_order(order)
        if order.status not in _AWAITING_PAYMENT or timezone.now() < order.payment_deadline:
            return 0
        # A subquery, not a join: PostgreSQL refuses FOR UPDATE with the DISTINCT a join would need.
        # A card payment whose confirm is still being looked up (its payment key kept) is not cancelled yet.
        pending = Payment.objects.filter(status=Payment.PENDING, gateway_payment_key=None).values("line_id")
        unpaid = OrderLine.objects.select_for_update().filter(order=order, status=OrderLine.ACTIVE, pk__in=pending)
        lines = list(unpaid.order_by("pk"))
        for line in lines:
            cancel_line_rows(order, line, reason="unpaid")
            history.record(order, actor=actor, action=history.LINE_CANCELLED_UNPAID, line=line)
        reopen_if_room(order, actor=actor)
    return len(lines)


def settle_group_orders() -> int:
    """Hourly: orders past their deadline are decided, unpaid lines past the payment deadline cancelled."""
    actor = SystemActor.job("settle_group_orders")
    now = timezone.now()
    handled = 0
    for order in GroupOrder.objects.filter(status__in=GroupOrder.TAKING_ORDERS, order_deadline__lte=now):
        decide_order(actor=actor, order=order)
        handled += 1
    for order in GroupOrder.objects.filter(status__in=_AWAITING_PAYMENT, payment_deadline__lte=now):
        handled += cancel_unpaid_lines(actor=actor, order=order)
    handled += cards.reconcile_card_payments(actor=actor)
    SubmittedForm.objects.filter(created_at__lt=now - timedelta(days=SUBMITTED_FORM_DAYS)).delete()
    return handled


def destroy_delivery_addresses() -> int:
    """Daily: the delivery details of orders completed longer ago than the dispute period are destroyed (P8.5)."""
    actor = SystemActor.job("destroy_delivery_addresses")
    cutoff = timezone.now() - timedelta(days=settings.GROUPKET_ORDER_DISPUTE_DAYS)
    with transaction.atomic():
        due = Delivery.objects.filter(
            line__order__status=GroupOrder.COMPLETED, line__order__status_changed_at__lte=cutoff
        )
        by_order: dict[int, int] = {}
        for order_id in due.values_list("line__order_id", flat=True):
            by_order[order_id] = by_order.get(order_id, 0) + 1
        count, _ = due.delete()
        for order in GroupOrder.objects.filter(pk__in=by_order):
            history.record(order, actor=actor, action=history.DELIVERY_DESTROYED, count=by_order[order.pk])
        if count:
            record_destruction(
                category="delivery details",
                count=count,
                method=DELIVERY_DESTRUCTION_METHOD,
                basis=DELIVERY_DESTRUCTION_BASIS,
            )
    return count


def complete_delivered_orders() -> int:
    """Hourly: an order whose lines have all arrived (or were delivered 7 days ago) is completed; how many."""
    actor = SystemActor.job("complete_delivered_orders")
    completed = 0
    for order in GroupOrder.objects.filter(status__in=DELIVERING, lines__shipment__isnull=False).distinct():
        completed += complete_if_delivered(actor=actor, order=order)
    # A hand-off the partner did not take (it was down) is tried again; the partner's idempotency key holds.
    stalled = Shipment.objects.filter(method=Shipment.API, status=Shipment.QUEUED).values_list("line__order_id")
    for order_id in {order_id for (order_id,) in stalled}:
        transaction.on_commit(partial(enqueue, tasks.hand_off_deliveries, order_id))
    return completed
