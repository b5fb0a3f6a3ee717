"""The delivery job (settings.GROUPKET_SCHEDULES): orders completed 7 days after delivery, stalled hand-offs resent."""

from functools import partial

from django.db import transaction

from groupket.core.actors import SystemActor
from groupket.core.tasks import enqueue
from groupket.orders import tasks
from groupket.orders.delivery_permissions import DELIVERING
from groupket.orders.models import GroupOrder, Shipment
from groupket.orders.services.delivery import complete_if_delivered


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
