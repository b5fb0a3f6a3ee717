"""A group order's history: one row per change, written in the change's own transaction, and the buyers it
concerns told by mail once it commits (Habit 3; the task takes the row's id, never an address)."""

from functools import partial
from typing import Any

from django.db import transaction

from groupket.core.actors import Actor, SystemActor
from groupket.orders.models import GroupOrder, OrderEvent, OrderLine

ORDER_OPENED = "order_opened"
ORDER_CLOSED = "order_closed"
ORDER_REOPENED = "order_reopened"
ORDER_CONFIRMED = "order_confirmed"
ORDER_FAILED = "order_failed"
ORDER_SHIPPED = "order_shipped"
ORDER_COMPLETED = "order_completed"
ORDER_CANCELLED = "order_cancelled"
LINE_PLACED = "line_placed"
LINE_CHANGED = "line_changed"
LINE_CANCELLED = "line_cancelled"
LINE_CANCELLED_UNPAID = "line_cancelled_unpaid"
PAYMENT_RECEIVED = "payment_received"
REFUND_DUE = "refund_due"
REFUND_SENT = "refund_sent"
REFUND_CONFIRMED = "refund_confirmed"
PICKED_UP = "picked_up"
DELIVERY_DESTROYED = "delivery_destroyed"

# The changes the buyers they concern are told of; the rest they made themselves or see on the page.
NOTIFIED = frozenset(
    {
        ORDER_CONFIRMED,
        ORDER_FAILED,
        ORDER_SHIPPED,
        ORDER_COMPLETED,
        ORDER_CANCELLED,
        LINE_PLACED,
        LINE_CANCELLED_UNPAID,
        PAYMENT_RECEIVED,
        REFUND_DUE,
        REFUND_SENT,
    }
)


def record(order: GroupOrder, *, actor: Actor, action: str, line: OrderLine | None = None, **detail: Any) -> OrderEvent:
    """Write the history row of a change; `detail` holds codes, numbers and ids only."""
    system = isinstance(actor, SystemActor)
    event = OrderEvent.objects.create(
        order=order,
        actor=None if system else actor,
        actor_label=actor.label if system else "",
        line=line,
        action=action,
        detail=detail,
    )
    if action in NOTIFIED:
        transaction.on_commit(partial(_enqueue_notices, event.pk))
    return event


def _enqueue_notices(event_id: int) -> None:
    from groupket.orders.tasks import send_order_notices

    send_order_notices.delay(event_id)
