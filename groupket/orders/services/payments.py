"""Bank transfers as the organiser records them: each payment received, each refund sent, each pickup handed over;
and the buyer's word that a refund arrived. Card payments (the gateway adapter) attach to the same rows later."""

import hmac

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groupket.core.actors import acting
from groupket.orders import permissions
from groupket.orders.models import PICKUP, GroupOrder, OrderLine, Payment, Refund
from groupket.orders.services import history
from groupket.orders.services.delivery import complete_if_all_arrived
from groupket.orders.services.group_orders import locked_order
from groupket.spaces.selectors import membership_of


def _organiser_order(actor: AbstractBaseUser, order: GroupOrder) -> GroupOrder:
    order = locked_order(order)
    permissions.check_runs_order(order, membership_of(order.space, actor), actor.pk)
    return order


def _line_of(order: GroupOrder, line_id: int) -> OrderLine:
    line = OrderLine.objects.select_for_update().filter(order=order, pk=line_id).first()
    if line is None:
        raise permissions.OrderActionDenied(_("That order is not in this group order."))
    return line


@acting("actor")
def mark_payment_received(*, actor: AbstractBaseUser, order: GroupOrder, line_id: int) -> bool:
    """The organiser saw the buyer's transfer arrive; False when it was marked already."""
    with transaction.atomic():
        order = _organiser_order(actor, order)
        line = _line_of(order, line_id)
        payment = Payment.objects.select_for_update().filter(line=line, method=Payment.TRANSFER).first()
        if payment is not None and payment.status == Payment.RECEIVED:
            return False
        if payment is None or payment.status != Payment.PENDING or not line.is_active:
            raise permissions.OrderActionDenied(_("This order has no payment awaiting."))
        payment.status, payment.received_at = Payment.RECEIVED, timezone.now()
        payment.save(update_fields=["status", "received_at"])
        history.record(order, actor=actor, action=history.PAYMENT_RECEIVED, line=line, amount=payment.amount)
    return True


def mark_refund_sent(*, actor: AbstractBaseUser, order: GroupOrder, refund_id: int) -> bool:
    """The organiser transferred a refund back; the buyer is asked to confirm it arrived. False when marked already."""
    with transaction.atomic():
        order = _organiser_order(actor, order)
        refund = Refund.objects.select_for_update().filter(pk=refund_id, payment__line__order=order).first()
        if refund is None:
            raise permissions.OrderActionDenied(_("That refund is not in this group order."))
        if refund.status != Refund.DUE:
            return False
        refund.status, refund.sent_at = Refund.SENT, timezone.now()
        refund.save(update_fields=["status", "sent_at"])
        line = refund.payment.line
        history.record(order, actor=actor, action=history.REFUND_SENT, line=line, amount=refund.amount)
    return True


def confirm_refund_received(*, actor: AbstractBaseUser, refund_id: int) -> bool:
    """The buyer confirms the refund is in their account; False when confirmed already."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update(of=("self",)).select_related("payment__line").filter(pk=refund_id)
        refund = refund.first()
        if refund is None:
            raise permissions.OrderActionDenied(_("There is no such refund."))
        line = refund.payment.line
        permissions.check_can_confirm_refund(line, actor.pk)
        if refund.status == Refund.CONFIRMED:
            return False
        refund.status, refund.confirmed_at = Refund.CONFIRMED, timezone.now()
        refund.save(update_fields=["status", "confirmed_at"])
        order = GroupOrder.objects.get(pk=line.order_id)
        history.record(order, actor=actor, action=history.REFUND_CONFIRMED, line=line, amount=refund.amount)
    return True


@acting("actor")
def check_off_pickup(*, actor: AbstractBaseUser, order: GroupOrder, code: str) -> OrderLine:
    """The buyer shows their pickup code and the organiser types it: that line is handed over."""
    with transaction.atomic():
        order = _organiser_order(actor, order)
        if order.status not in (GroupOrder.CONFIRMED, GroupOrder.SHIPPED, GroupOrder.COMPLETED):
            raise permissions.OrderActionDenied(_("Pickups are checked off once the group order is confirmed."))
        waiting = OrderLine.objects.select_for_update().filter(
            order=order, status=OrderLine.ACTIVE, delivery_method=PICKUP, picked_up_at__isnull=True
        )
        line = next((line for line in waiting if hmac.compare_digest(line.pickup_code, code)), None)
        if line is None:
            raise permissions.OrderActionDenied(_("No order waiting for pickup has this code."))
        line.picked_up_at = timezone.now()
        line.save(update_fields=["picked_up_at"])
        history.record(order, actor=actor, action=history.PICKED_UP, line=line)
        # The last line to arrive may be a pickup: the order is complete then, as when a buyer confirms receipt.
        complete_if_all_arrived(order, actor=actor)
    return line
