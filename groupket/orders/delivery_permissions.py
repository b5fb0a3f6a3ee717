"""Who may do what with deliveries and disputes: one check per action, raising OrderActionDenied (Habit 12)."""

from django.utils.translation import gettext as _

from groupket.orders.models import GroupOrder, OrderLine, Shipment
from groupket.orders.permissions import OrderActionDenied

# An order whose deliveries are under way: its lines handed off, delivered and confirmed received.
DELIVERING = (GroupOrder.CONFIRMED, GroupOrder.SHIPPED)
# A buyer may open a dispute once the order is confirmed, and until its records are destroyed.
DISPUTABLE = (GroupOrder.CONFIRMED, GroupOrder.SHIPPED, GroupOrder.COMPLETED)


def check_can_download_handoff(order: GroupOrder, *, has_api: bool) -> None:
    if order.status not in DELIVERING or not order.offers_shipping:
        raise OrderActionDenied(_("Delivery details go to the shipping partner only once the order is confirmed."))
    if has_api:
        raise OrderActionDenied(_("This partner receives the deliveries directly; there is nothing to download."))


def check_can_enter_delivery(order: GroupOrder, shipment: Shipment | None) -> None:
    if order.status not in DELIVERING or shipment is None or shipment.line.order_id != order.pk:
        raise OrderActionDenied(_("That order has not been handed to the shipping partner."))


def check_can_confirm_receipt(line: OrderLine, actor_id: int) -> None:
    if line.buyer_id != actor_id:
        raise OrderActionDenied(_("Only the buyer can confirm that the order arrived."))
    shipment = getattr(line, "shipment", None)
    if shipment is None or shipment.status not in (Shipment.HANDED_OFF, Shipment.DELIVERED):
        raise OrderActionDenied(_("This order is not on its way yet."))


def check_can_open_dispute(line: OrderLine, actor_id: int) -> None:
    if line.buyer_id != actor_id:
        raise OrderActionDenied(_("Only the buyer can open a dispute on an order."))
    if line.order.status not in DISPUTABLE:
        raise OrderActionDenied(_("A dispute can be opened once the group order is confirmed."))


def check_can_answer_dispute(order: GroupOrder, actor_id: int, *, runs_space: bool) -> None:
    if order.organiser_id != actor_id or not runs_space:
        raise OrderActionDenied(_("Only the organiser who opened this group order can answer its disputes."))
