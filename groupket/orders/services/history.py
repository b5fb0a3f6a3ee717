"""A group order's history: one row per change, written in the change's own transaction, and the buyers it
concerns told by mail once it commits (Habit 3; the task takes the row's id, never an address)."""

from functools import partial
from typing import Any

from django.db import transaction

from groupket.core.actors import Actor, SystemActor
from groupket.core.tasks import enqueue
from groupket.orders import tasks
from groupket.orders.actions import (  # noqa: F401 - the services name the actions as history.<ACTION>
    DELIVERED,
    DELIVERY_DESTROYED,
    DISPUTE_ANSWERED,
    DISPUTE_OPENED,
    HANDED_OFF,
    HANDOFF_DOWNLOADED,
    HANDOFF_REFUSED,
    LINE_CANCELLED,
    LINE_CANCELLED_UNPAID,
    LINE_CHANGED,
    LINE_PLACED,
    NOTIFIED,
    ORDER_CANCELLED,
    ORDER_CLOSED,
    ORDER_COMPLETED,
    ORDER_CONFIRMED,
    ORDER_FAILED,
    ORDER_OPENED,
    ORDER_PHOTOS_CHANGED,
    ORDER_REOPENED,
    ORDER_SHIPPED,
    PAYMENT_RECEIVED,
    PICKED_UP,
    RECEIPT_CONFIRMED,
    REFUND_CONFIRMED,
    REFUND_DUE,
    REFUND_SENT,
)
from groupket.orders.models import GroupOrder, OrderEvent, OrderLine


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
    enqueue(tasks.send_order_notices, event_id)
