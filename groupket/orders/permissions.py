"""Who may do what with a group order: one check per action, each raising OrderActionDenied (Habit 12).

Like the spaces' checks, these are plain functions of rows already loaded (the order, the acting
member's membership of its space, the line acted on) and of the time, so each is tested on its own.
"""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from groupket.orders.models import GroupOrder, OrderLine, Shipment
from groupket.spaces.models import Membership, Space
from groupket.spaces.permissions import SpaceActionDenied


class OrderActionDenied(SpaceActionDenied):
    """The acting member may not do this with this group order; the message is for people and translated."""


def _deny(message: object) -> None:
    raise OrderActionDenied(message)


def _active(membership: Membership | None) -> bool:
    return membership is not None and membership.is_active


def can_see_order(membership: Membership | None) -> bool:
    """A group order is for the space's members: anyone else gets the 404 a missing order gets."""
    return _active(membership)


def check_can_open_order(space: Space, membership: Membership | None) -> None:
    if space.is_closed:
        _deny(_("This space is closed."))
    if membership is None or not membership.runs_space:
        _deny(_("Only the space's organisers can open a group order."))


def check_runs_order(order: GroupOrder, membership: Membership | None, actor_id: int) -> None:
    """The organiser's work on an order (payments, refunds, pickups, its state): the member who opened it,
    while they still run the space."""
    if order.organiser_id != actor_id or membership is None or not membership.runs_space:
        _deny(_("Only the organiser who opened this group order can do this."))


def check_can_change_photos(order: GroupOrder, membership: Membership | None, actor_id: int, *, now: datetime) -> None:
    """The item's photos change only while the order is open: once it is closed, buyers ordered what they saw."""
    check_runs_order(order, membership, actor_id)
    if order.status != GroupOrder.OPEN or now >= order.order_deadline:
        _deny(_("The photos can change only while the group order is open."))


def _before_deadline(order: GroupOrder, now: datetime) -> None:
    if order.status not in GroupOrder.TAKING_ORDERS or now >= order.order_deadline:
        _deny(_("This group order no longer takes orders or changes: its deadline has passed."))


def check_can_place(order: GroupOrder, membership: Membership | None, *, now: datetime, has_line: bool) -> None:
    if not _active(membership):
        _deny(_("Only members of the space can order."))
    _before_deadline(order, now)
    if has_line:
        _deny(_("You have already ordered. Change or cancel your order instead."))


def check_can_change_line(order: GroupOrder, line: OrderLine | None, actor_id: int, *, now: datetime) -> None:
    if line is None or line.buyer_id != actor_id or not line.is_active:
        _deny(_("You have no order in this group order to change."))
    _before_deadline(order, now)


def check_quantity(order: GroupOrder, *, quantity: int, others: int) -> None:
    """A member's quantity within the per-member limits, and the total (others: everyone else's) within the maximum."""
    if not order.min_per_member <= quantity <= order.max_per_member:
        _deny(_("Order between %(min)d and %(max)d.") % {"min": order.min_per_member, "max": order.max_per_member})
    if others + quantity > order.max_total:
        _deny(_("Only %(left)d left to order.") % {"left": max(order.max_total - others, 0)})


def check_can_change_state(order: GroupOrder, *, to: str) -> None:
    """The organiser moves an order on: confirmed to shipped to completed, or cancels it before shipping."""
    allowed = {
        GroupOrder.SHIPPED: (GroupOrder.CONFIRMED,),
        GroupOrder.COMPLETED: (GroupOrder.SHIPPED,),
        GroupOrder.CANCELLED: (GroupOrder.OPEN, GroupOrder.CLOSED, GroupOrder.CONFIRMED),
    }
    if order.status not in allowed.get(to, ()):
        _deny(_("This group order cannot be moved to that state now."))


def check_can_confirm_refund(line: OrderLine, actor_id: int) -> None:
    if line.buyer_id != actor_id:
        _deny(_("Only the buyer can confirm that a refund arrived."))


# --- deliveries and disputes -------------------------------------------------------------------------
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
