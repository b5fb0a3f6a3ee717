"""What Unregister does in group orders (P6.3, P8.2): listed in settings.GROUPKET_WITHDRAWAL_STEPS.

By the time this step runs, Unregister has copied the member's order, payment, refund and
cancellation records into retained records (the inventory keeps them 5 years). This step frees
the quantities the member's active lines held, records that in each order's history without
naming them, and deletes their lines with everything under them (delivery details included).
"""

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.core.actors import SystemActor
from groupket.orders.models import Cancellation, Delivery, OrderLine, Payment, Refund
from groupket.orders.services import history
from groupket.orders.services.group_orders import locked_order, reopen_if_room, reserve

WITHDRAWAL = SystemActor("a buyer's Unregister")


def _free_active_lines(member_id: int) -> None:
    active = OrderLine.objects.filter(buyer_id=member_id, status=OrderLine.ACTIVE).order_by("order_id")
    for line in active:
        order = locked_order(line.order_id)
        reserve(order, -line.quantity)
        history.record(order, actor=WITHDRAWAL, action=history.LINE_CANCELLED, quantity=line.quantity, withdrawn=True)
        reopen_if_room(order, actor=WITHDRAWAL)


def withdraw_from_orders(*, member: AbstractBaseUser, keep_writing: bool = False) -> dict[str, int]:
    """Run inside Unregister's transaction; returns destruction counts by category.

    keep_writing (posts and comments left under "Withdrawn member") changes nothing here: what is kept is the
    spaces' writing, never a record of this app that names the member.
    """
    counts = {
        "order lines": OrderLine.objects.filter(buyer=member).count(),
        "order payments": Payment.objects.filter(buyer=member).count(),
        "order refunds": Refund.objects.filter(buyer=member).count(),
        "order cancellations": Cancellation.objects.filter(buyer=member).count(),
        "delivery details": Delivery.objects.filter(line__buyer=member).count(),
    }
    _free_active_lines(member.pk)
    OrderLine.objects.filter(buyer=member).delete()
    return counts
