"""Members' orders in a group order: checkout, a new quantity, a cancellation, until the deadline.

Every change locks the group order's row, in one transaction, so concurrent orders wait for each other and
the total never passes the maximum (the row also carries a check constraint). Each checkout form carries its
own idempotency key: the same form sent twice changes nothing the second time. The amount is always the unit
price times the quantity, computed here, never taken from the browser.

Checkout writes what is the buyer's alone (the form's key, the line, its payment, the delivery details and
consent, the history row) first, and locks the group order's row last, for the checks and the reservation
only: the lock is held from there to the commit, so every buyer behind it waits for two statements and a
commit instead of the whole checkout (bench/orders_contention.py measured half the unlocked rate the other way
round). What the buyers' own rows could race on without the lock, the database refuses: one active line per
buyer and one pickup code per order are unique, and a clash is turned into a refusal or a new code here.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groupket.accounts.services.profile import DeliveryDetails, save_delivery_details
from groupket.core.actors import acting
from groupket.orders import permissions
from groupket.orders.models import PICKUP, SHIPPING, Delivery, GroupOrder, OrderLine, Payment, SubmittedForm
from groupket.orders.partners import get_partner
from groupket.orders.services import cards, history
from groupket.orders.services.group_orders import cancel_line_rows, close_if_full, locked_order, reopen_if_room, reserve
from groupket.privacy.services import record_consent
from groupket.spaces.selectors import membership_of

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CONSENT_CHANNEL = "checkout"


@dataclass(frozen=True)
class Checkout:
    """One checkout form, as its form cleaned it."""

    submission: str
    quantity: int
    method: str
    delivery: DeliveryDetails | None = None
    save_for_next_time: bool = False
    partner_consent: bool = False
    payment_method: str = Payment.TRANSFER


@dataclass(frozen=True)
class Outcome:
    line: OrderLine | None
    duplicate: bool = False


def new_order_number() -> str:
    code = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"GK-{code[:4]}-{code[4:]}"


def _new_pickup_code() -> str:
    # A code another line of the order holds clashes on orders_one_pickup_code, and _create_line draws again:
    # no query for the codes taken, which a concurrent checkout could take meanwhile anyway.
    return f"{secrets.randbelow(10**6):06d}"


def _first_submission(key: str) -> bool:
    """Record the form's key inside the change's transaction; False when it was acted on already.

    The same form sent twice at once: the second insert waits for the first's commit and then clashes on the
    unique key, which is a duplicate too (the savepoint keeps the transaction usable).
    """
    if SubmittedForm.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def _active_line(order: GroupOrder, buyer_id: int) -> OrderLine | None:
    return OrderLine.objects.select_for_update().filter(order=order, buyer_id=buyer_id, status=OrderLine.ACTIVE).first()


def _check_method(order: GroupOrder, checkout: Checkout) -> None:
    if checkout.method == PICKUP and not order.offers_pickup:
        raise permissions.OrderActionDenied(_("This group order offers no pickup."))
    if checkout.method != SHIPPING:
        return
    if not order.offers_shipping:
        raise permissions.OrderActionDenied(_("This group order offers no delivery."))
    if not checkout.partner_consent:
        # P5.4: without the consent nothing may go to the partner, so delivery cannot be chosen.
        raise permissions.OrderActionDenied(
            _("Delivery needs your consent to give the shipping partner your delivery details. Choose pickup instead.")
        )
    if checkout.delivery is None:
        raise ValueError("a delivery checkout needs its delivery details")


def _record_delivery(order: GroupOrder, line: OrderLine, buyer: AbstractBaseUser, checkout: Checkout) -> None:
    partner = get_partner(order.shipping_partner)
    if partner is None:
        raise permissions.OrderActionDenied(_("This group order's shipping partner is no longer available."))
    document = partner.consent_document(order.pk)
    record_consent(member=buyer, document=document, version=None, granted=True, channel=CONSENT_CHANNEL)
    details = checkout.delivery
    Delivery.objects.create(
        line=line,
        data_key_id=buyer.data_key_id,
        partner=partner.slug,
        consent_document=document,
        recipient=details.recipient,
        postal_code=details.postal_code,
        road_address=details.road_address,
        address_detail=details.address_detail,
        phone=details.phone,
    )
    if checkout.save_for_next_time:
        save_delivery_details(member=buyer, details=details)


PICKUP_CODE_TRIES = 5


def _create_line(order: GroupOrder, buyer: AbstractBaseUser, checkout: Checkout) -> OrderLine:
    """The buyer's line, before the order is locked. Another checkout of the same buyer racing this one, or a
    pickup code another buyer took a moment ago, clashes on a unique constraint: a refusal, or a new code."""
    for _attempt in range(PICKUP_CODE_TRIES):
        try:
            with transaction.atomic():
                return OrderLine.objects.create(
                    buyer=buyer,
                    order=order,
                    number=new_order_number(),
                    item=order.item,
                    unit_price=order.unit_price,
                    quantity=checkout.quantity,
                    amount=order.unit_price * checkout.quantity,
                    delivery_method=checkout.method,
                    pickup_code=_new_pickup_code() if checkout.method == PICKUP else "",
                )
        except IntegrityError as clash:
            if _active_line(order, buyer.pk) is not None:
                raise permissions.OrderActionDenied(
                    _("You have already ordered. Change or cancel your order instead.")
                ) from None
            if checkout.method != PICKUP:
                raise  # only a pickup code is drawn again; any other clash is not this loop's to hide
            last_clash = clash
    raise RuntimeError(f"no free pickup code in group order {order.pk} after {PICKUP_CODE_TRIES} tries") from last_clash


def write_line(*, actor: AbstractBaseUser, order: GroupOrder, checkout: Checkout) -> OrderLine:
    """Checkout's rows that are the buyer's alone: the line, its payment, the delivery and its consent, the history
    row. Inside place_order's transaction, before the order's row is locked."""
    line = _create_line(order, actor, checkout)
    method = Payment.CARD if checkout.payment_method == Payment.CARD else Payment.TRANSFER
    Payment.objects.create(buyer=actor, line=line, number=line.number, method=method, amount=line.amount)
    if checkout.method == SHIPPING:
        _record_delivery(order, line, actor, checkout)
    history.record(order, actor=actor, action=history.LINE_PLACED, line=line, quantity=line.quantity)
    return line


@acting("actor")
def place_order(*, actor: AbstractBaseUser, order: GroupOrder, checkout: Checkout) -> Outcome:
    """Checkout: the member's line, its payment (bank transfer, or card paid next in the gateway's window) and,
    for delivery, its sealed details and consent."""
    with transaction.atomic():
        order = GroupOrder.objects.select_related("space").get(pk=order.pk)
        if not _first_submission(checkout.submission):
            return Outcome(_active_line(order, actor.pk), duplicate=True)
        membership = membership_of(order.space, actor)
        has_line = _active_line(order, actor.pk) is not None
        permissions.check_can_place(order, membership, now=timezone.now(), has_line=has_line)
        permissions.check_quantity(order, quantity=checkout.quantity, others=0)  # the member's own limits
        _check_method(order, checkout)
        if checkout.payment_method == Payment.CARD and not cards.card_payments_offered():
            raise permissions.OrderActionDenied(_("Card payments are not available now. Choose bank transfer."))
        line = write_line(actor=actor, order=order, checkout=checkout)
        # Locked last, and checked again: a refusal here rolls back every row written above.
        order = locked_order(order)
        permissions.check_can_place(order, membership, now=timezone.now(), has_line=False)
        permissions.check_quantity(order, quantity=line.quantity, others=order.reserved_total)
        reserve(order, line.quantity)
        close_if_full(order, actor=actor)
    return Outcome(line)


def change_quantity(*, actor: AbstractBaseUser, order: GroupOrder, submission: str, quantity: int) -> Outcome:
    """A new quantity before the deadline, while the payment is not yet received; the amount follows it."""
    with transaction.atomic():
        order = locked_order(order)
        line = _active_line(order, actor.pk)
        if not _first_submission(submission):
            return Outcome(line, duplicate=True)
        permissions.check_can_change_line(order, line, actor.pk, now=timezone.now())
        payment = Payment.objects.select_for_update().get(line=line, status__in=[Payment.PENDING, Payment.RECEIVED])
        if payment.status == Payment.RECEIVED or payment.gateway_payment_key:
            raise permissions.OrderActionDenied(
                _("Your payment is received, so the quantity can no longer change. You can still cancel.")
            )
        permissions.check_quantity(order, quantity=quantity, others=order.reserved_total - line.quantity)
        if quantity == line.quantity:
            return Outcome(line)
        reserve(order, quantity - line.quantity)
        line.quantity, line.amount, line.changed_at = quantity, order.unit_price * quantity, timezone.now()
        line.save(update_fields=["quantity", "amount", "changed_at"])
        payment.amount = line.amount
        payment.save(update_fields=["amount"])
        history.record(order, actor=actor, action=history.LINE_CHANGED, line=line, quantity=quantity)
        close_if_full(order, actor=actor)
        reopen_if_room(order, actor=actor)
    return Outcome(line)


def cancel_my_order(*, actor: AbstractBaseUser, order: GroupOrder, submission: str) -> Outcome:
    """The buyer cancels before the deadline; a payment already received is due back, and the organiser is told."""
    with transaction.atomic():
        order = locked_order(order)
        line = _active_line(order, actor.pk)
        if not _first_submission(submission):
            return Outcome(line, duplicate=True)
        permissions.check_can_change_line(order, line, actor.pk, now=timezone.now())
        refund = cancel_line_rows(order, line, reason="buyer")
        history.record(order, actor=actor, action=history.LINE_CANCELLED, line=line)
        if refund is not None:
            history.record(order, actor=actor, action=history.REFUND_DUE, line=line, amount=refund.amount)
        reopen_if_room(order, actor=actor)
    return Outcome(line)
