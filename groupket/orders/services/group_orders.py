"""Opening a group order and moving it through its states: open, closed, confirmed or failed, shipped,
completed, or cancelled by its organiser before shipping (all or nothing: an undone order refunds every payment)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from groupket.core.actors import Actor, acting
from groupket.core.tasks import enqueue
from groupket.orders import permissions, tasks
from groupket.orders.item_photos import MAX_PHOTOS, ItemPhoto
from groupket.orders.models import (
    Cancellation,
    GroupOrder,
    GroupOrderPhoto,
    OrderLine,
    Payment,
    Refund,
    TransferAccount,
)
from groupket.orders.services import cards, history
from groupket.spaces.models import Space
from groupket.spaces.selectors import membership_of


@dataclass(frozen=True)
class OrderTerms:
    """What the organiser offers; the form has checked every limit, the service checks they hold together."""

    item: str
    description: str
    unit_price: int
    min_total: int
    max_total: int
    min_per_member: int
    max_per_member: int
    order_deadline: datetime
    payment_deadline: datetime
    expected_delivery: date
    shipping_partner: str
    offers_pickup: bool
    pickup_place: str
    pickup_time: datetime | None


@dataclass(frozen=True)
class BankAccount:
    bank: str
    account_number: str
    account_holder: str


def _check_terms(terms: OrderTerms) -> None:
    if not (
        1 <= terms.min_per_member <= terms.max_per_member <= terms.max_total and terms.min_total <= terms.max_total
    ):
        raise ValueError("the quantity limits of a group order do not hold together")
    if terms.unit_price < 1 or terms.payment_deadline < terms.order_deadline:
        raise ValueError("a group order needs a price and a payment deadline after its order deadline")
    if not (terms.shipping_partner or terms.offers_pickup):
        raise ValueError("a group order offers delivery, pickup or both")


def locked_order(order: GroupOrder | int) -> GroupOrder:
    """The order row, locked until the transaction ends: every change of its quantities waits here (Habit 11).

    FOR NO KEY UPDATE, the lock an UPDATE of its columns takes anyway: it still queues every other change of the
    order, but not the foreign-key checks of rows inserted under the order (lines, history), which take a key-share
    lock on it. Checkout writes its line before it locks the order; with FOR UPDATE two checkouts would each hold
    that key-share lock and wait for the other's.
    """
    order_id = order if isinstance(order, int) else order.pk
    return GroupOrder.objects.select_for_update(of=("self",), no_key=True).select_related("space").get(pk=order_id)


def _store_photos(order: GroupOrder, photos: Sequence[ItemPhoto]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValueError(f"a group order has at most {MAX_PHOTOS} photos, not {len(photos)}")
    GroupOrderPhoto.objects.bulk_create(
        GroupOrderPhoto(
            order=order,
            position=position,
            photo=photo.photo,
            thumbnail=photo.thumbnail,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
        )
        for position, photo in enumerate(photos, start=1)
    )


@acting("actor")
def open_order(
    *, actor: AbstractBaseUser, space: Space, terms: OrderTerms, account: BankAccount, photos: Sequence[ItemPhoto] = ()
) -> GroupOrder:
    """An organiser opens a group order in their space, with up to 4 checked photos of the item; buyers pay into the
    organiser's account."""
    _check_terms(terms)
    with transaction.atomic():
        space = Space.objects.select_for_update().get(pk=space.pk)
        permissions.check_can_open_order(space, membership_of(space, actor))
        order = GroupOrder.objects.create(space=space, organiser=actor, **terms.__dict__)
        TransferAccount.objects.create(
            order=order,
            data_key_id=actor.data_key_id,
            bank=account.bank,
            account_number=account.account_number,
            account_holder=account.account_holder,
        )
        _store_photos(order, photos)
        history.record(order, actor=actor, action=history.ORDER_OPENED, photos=len(photos))
    return order


@acting("actor")
def replace_order_photos(*, actor: AbstractBaseUser, order: GroupOrder, photos: Sequence[ItemPhoto]) -> GroupOrder:
    """The organiser replaces the item's photos (none: removes them) while the order is open."""
    with transaction.atomic():
        order = locked_order(order)
        permissions.check_can_change_photos(order, membership_of(order.space, actor), actor.pk, now=timezone.now())
        GroupOrderPhoto.objects.filter(order=order).delete()
        _store_photos(order, photos)
        history.record(order, actor=actor, action=history.ORDER_PHOTOS_CHANGED, photos=len(photos))
    return order


def _set_status(order: GroupOrder, status: str) -> None:
    order.status, order.status_changed_at = status, timezone.now()
    order.save(update_fields=["status", "status_changed_at"])


def close_if_full(order: GroupOrder, *, actor: Actor) -> None:
    """Inside a line's transaction: the maximum reached closes the order at once."""
    if order.status == GroupOrder.OPEN and order.reserved_total >= order.max_total:
        _set_status(order, GroupOrder.CLOSED)
        history.record(order, actor=actor, action=history.ORDER_CLOSED, reason="maximum")


def reopen_if_room(order: GroupOrder, *, actor: Actor) -> None:
    """Inside a line's transaction: an order closed by its maximum opens again when room is freed in time."""
    room = order.reserved_total < order.max_total
    if order.status == GroupOrder.CLOSED and room and timezone.now() < order.order_deadline:
        _set_status(order, GroupOrder.OPEN)
        history.record(order, actor=actor, action=history.ORDER_REOPENED)


def reserve(order: GroupOrder, quantity: int) -> None:
    """Add (or, negative, free) quantity on the locked order row; the database refuses a total over the maximum."""
    order.reserved_total += quantity
    order.save(update_fields=["reserved_total"])


def cancel_line_rows(order: GroupOrder, line: OrderLine, *, reason: str) -> Refund | None:
    """Cancel a line of the locked order inside the caller's transaction: its quantity freed, its cancellation
    recorded, its unpaid payment voided and a paid one due back."""
    reserve(order, -line.quantity)
    line.status, line.changed_at = OrderLine.CANCELLED, timezone.now()
    line.save(update_fields=["status", "changed_at"])
    Cancellation.objects.create(
        buyer_id=line.buyer_id, line=line, number=line.number, quantity=line.quantity, amount=line.amount, reason=reason
    )
    refund = None
    for payment in Payment.objects.select_for_update().filter(line=line).exclude(status=Payment.VOID):
        if payment.status == Payment.RECEIVED:
            refund = Refund.objects.create(
                buyer_id=line.buyer_id, payment=payment, number=line.number, amount=payment.amount, reason=reason
            )
            cards.prepare_card_refund(refund)  # a card payment goes back through the gateway once this commits
        else:
            payment.status = Payment.VOID
            payment.save(update_fields=["status"])
    return refund


def _undo(order: GroupOrder, *, actor: Actor, status: str, reason: str) -> None:
    """All or nothing: every active line cancelled, unpaid payments voided, paid ones due back to their buyers."""
    lines = list(OrderLine.objects.select_for_update().filter(order=order, status=OrderLine.ACTIVE))
    refunds = [refund for line in lines if (refund := cancel_line_rows(order, line, reason=reason))]
    _set_status(order, status)
    action = history.ORDER_FAILED if status == GroupOrder.FAILED else history.ORDER_CANCELLED
    history.record(order, actor=actor, action=action, lines=len(lines), refunds_due=len(refunds))


@acting("actor", system=True)
def decide_order(*, actor: Actor, order: GroupOrder) -> str:
    """At the order deadline: closed, then confirmed when the minimum is reached, else failed. The new status."""
    with transaction.atomic():
        order = locked_order(order)
        if order.status not in GroupOrder.TAKING_ORDERS or timezone.now() < order.order_deadline:
            return order.status
        if order.status == GroupOrder.OPEN:
            _set_status(order, GroupOrder.CLOSED)
            history.record(order, actor=actor, action=history.ORDER_CLOSED, reason="deadline")
        if order.reserved_total >= order.min_total:
            _set_status(order, GroupOrder.CONFIRMED)
            history.record(order, actor=actor, action=history.ORDER_CONFIRMED, total=order.reserved_total)
            # P5.4: only now, the minimum reached, do consented buyers' delivery items go to the partner.
            transaction.on_commit(partial(enqueue, tasks.hand_off_deliveries, order.pk))
        else:
            _undo(order, actor=actor, status=GroupOrder.FAILED, reason="order_failed")
    return order.status


def _organiser_step(*, actor: AbstractBaseUser, order: GroupOrder, to: str) -> GroupOrder:
    order = locked_order(order)
    permissions.check_runs_order(order, membership_of(order.space, actor), actor.pk)
    permissions.check_can_change_state(order, to=to)
    return order


def ship_order(*, actor: AbstractBaseUser, order: GroupOrder) -> None:
    with transaction.atomic():
        order = _organiser_step(actor=actor, order=order, to=GroupOrder.SHIPPED)
        _set_status(order, GroupOrder.SHIPPED)
        history.record(order, actor=actor, action=history.ORDER_SHIPPED)


def complete_order(*, actor: AbstractBaseUser, order: GroupOrder) -> None:
    with transaction.atomic():
        order = _organiser_step(actor=actor, order=order, to=GroupOrder.COMPLETED)
        _set_status(order, GroupOrder.COMPLETED)
        history.record(order, actor=actor, action=history.ORDER_COMPLETED)


def cancel_order(*, actor: AbstractBaseUser, order: GroupOrder) -> None:
    """The organiser calls the order off before shipping: every buyer's payment is due back."""
    with transaction.atomic():
        order = _organiser_step(actor=actor, order=order, to=GroupOrder.CANCELLED)
        _undo(order, actor=actor, status=GroupOrder.CANCELLED, reason="order_cancelled")
