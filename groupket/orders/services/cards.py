"""Card payments of group orders through the payment gateway (groupket.orders.gateway, P5.3).

The buyer checks out with card: the line's payment row is the one the gateway's answers attach to. Each trip
to the payment window gets a new random order reference and the Idempotency-Key of its one confirm, stored with
the row and recorded as a disclosure to the payment processor with basis "billing" in the same transaction. The
amount sent is always the row's, which the checkout computed: never the one the browser brings back.

Gateway calls run outside any transaction (a slow gateway must not hold the order's lock); what they answer is
then applied in one transaction with the payment row locked, with its history row. A confirm whose answer is
lost is looked up, never confirmed with a new key; a webhook is only a hint to fetch the payment back, and a
fetched state no further along than the stored one changes nothing. A card refund is sent through the gateway's
cancel as soon as its refund row commits; one the gateway did not take stays due and the hourly job sends it
again with the same Idempotency-Key.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groupket.core.actors import Actor, SystemActor, acting
from groupket.orders import permissions
from groupket.orders.gateway import checkout as window
from groupket.orders.gateway import payment as payment_module
from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.errors import GatewayUnavailable, PaymentDeclined, PaymentGatewayError, PaymentInvalid
from groupket.orders.gateway.payment import CancelReason
from groupket.orders.gateway.webhooks import WebhookIgnored, fetch_webhook_payment
from groupket.orders.models import GroupOrder, OrderLine, Payment, Refund
from groupket.orders.services import history
from groupket.privacy.models import Disclosure
from groupket.privacy.services.disclosures import record_disclosure

logger = logging.getLogger(__name__)

# The one inventory item a card payment discloses: the order reference, the amount and the order name.
BILLING_ITEMS = ["order_card_billing"]
REFUND_REASONS = {
    "buyer": CancelReason.BUYER_CANCELLED,
    "unpaid": CancelReason.UNPAID_DEADLINE,
    "order_failed": CancelReason.ORDER_FAILED,
    "order_cancelled": CancelReason.ORDER_CANCELLED,
}
RECONCILER = SystemActor("payment gateway reconciliation")
WEBHOOK = SystemActor("payment gateway webhook")

# What the buyer is told when they come back from the payment window (the view shows it).
PAID, PENDING, DECLINED, NOT_CONFIRMED = "paid", "pending", "declined", "not_confirmed"


def card_payments_offered() -> bool:
    """Card is offered at checkout while the gateway's secret key is configured."""
    return bool(settings.GROUPKET_PAYMENT_SECRET_KEY)


def processor() -> str:
    return settings.GROUPKET_PAYMENT_PROCESSOR


def _gateway() -> PaymentGateway:
    return PaymentGateway.from_settings(timeout=settings.GROUPKET_PAYMENT_TIMEOUT_SECONDS)


def _order_name(line: OrderLine) -> str:
    return line.item.strip()[: window.ORDER_NAME_MAX_CHARS] or line.number


def _disclose(payment: Payment, reference: str) -> None:
    record_disclosure(
        member=payment.buyer,
        recipient=processor(),
        items=BILLING_ITEMS,
        basis=Disclosure.BILLING,
        reference=reference,
        notify_member=True,
    )


@acting("actor")
def open_payment_window(*, actor: AbstractBaseUser, number: str, success_url: str, fail_url: str) -> str:
    """The payment window's URL for the buyer's awaiting card payment, with a new order reference and confirm key,
    and its disclosure to the payment processor recorded (what the browser carries there: reference, amount, name).
    """
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("line", "buyer")
            .filter(number=number, buyer_id=actor.pk, method=Payment.CARD, status=Payment.PENDING)
            .first()
        )
        if payment is None or not payment.line.is_active:
            raise permissions.OrderActionDenied(_("This order has no card payment awaiting."))
        if payment.gateway_payment_key:
            # A confirm went unanswered: until the lookup says how it ended, no second payment may start.
            raise permissions.OrderActionDenied(
                _("Your last card payment is still being checked with the card company. Try again in a few minutes.")
            )
        payment.gateway_order_id = secrets.token_urlsafe(18)
        payment.gateway_confirm_key = str(uuid.uuid4())
        payment.gateway_payment_key = None
        payment.gateway_status = None
        payment.save(update_fields=["gateway_order_id", "gateway_confirm_key", "gateway_payment_key", "gateway_status"])
        _disclose(payment, payment.gateway_order_id)
        return window.payment_window_url(
            order_id=payment.gateway_order_id,
            amount=payment.amount,
            order_name=_order_name(payment.line),
            success_url=success_url,
            fail_url=fail_url,
        )


@dataclass(frozen=True)
class Return:
    """How a trip to the payment window ended, for the buyer's page."""

    outcome: str
    line: OrderLine


def _buyers_card_payment(actor: AbstractBaseUser, number: str) -> Payment:
    payment = (
        Payment.objects.select_related("line")
        .filter(number=number, buyer_id=actor.pk, method=Payment.CARD)
        .exclude(gateway_order_id=None)
        .first()
    )
    if payment is None:
        raise permissions.OrderActionDenied(_("This order has no card payment awaiting."))
    return payment


@acting("actor")
def confirm_card_payment(*, actor: AbstractBaseUser, number: str, query: dict[str, str]) -> Return:
    """The buyer is back from the window with a payment key: confirm it for our stored amount, once.

    The returned query is only a claim: its order reference and amount must be the row's, and the confirm sends
    the row's amount. A lost answer is looked up (confirm_or_reconcile); while the gateway cannot say, the payment
    stays awaiting and the hourly job looks it up again, with the same reference, never a second confirm key.
    """
    payment = _buyers_card_payment(actor, number)
    if payment.status == Payment.RECEIVED:
        return Return(PAID, payment.line)
    try:
        payment_key = window.read_success_return(query, order_id=payment.gateway_order_id, amount=payment.amount)
    except PaymentInvalid:
        return Return(NOT_CONFIRMED, payment.line)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.gateway_order_id != payment.gateway_order_id or locked.status != Payment.PENDING:
            return Return(PAID if locked.status == Payment.RECEIVED else NOT_CONFIRMED, payment.line)
        # Kept before the call: a webhook or the reconciliation can then match the row while the confirm runs.
        locked.gateway_payment_key = payment_key
        locked.save(update_fields=["gateway_payment_key"])
    try:
        with _gateway() as gateway:
            found = gateway.confirm_or_reconcile(
                payment_key=payment_key,
                order_id=payment.gateway_order_id,
                amount=payment.amount,
                idempotency_key=payment.gateway_confirm_key,
            )
    except GatewayUnavailable as error:
        logger.warning("card confirm not answered: %s", error.code)
        return Return(PENDING, payment.line)
    except PaymentDeclined:
        _forget_payment_key(payment.pk, payment_key)
        return Return(DECLINED, payment.line)
    except PaymentGatewayError as error:
        logger.warning("card confirm refused: %s", error.code)
        _forget_payment_key(payment.pk, payment_key)
        return Return(NOT_CONFIRMED, payment.line)
    applied = apply_gateway_payment(actor=actor, found=found)
    return Return(PAID if applied.status == Payment.RECEIVED else NOT_CONFIRMED, payment.line)


def _forget_payment_key(payment_id: int, payment_key: str) -> None:
    """The gateway refused the confirm, so nothing was paid: the buyer may open the window again."""
    with transaction.atomic():
        Payment.objects.select_for_update().filter(
            pk=payment_id, status=Payment.PENDING, gateway_payment_key=payment_key
        ).update(gateway_payment_key=None)


@acting("actor", system=True)
def apply_gateway_payment(*, actor: Actor, found: payment_module.Payment) -> Payment | None:
    """Apply the payment as the gateway holds it to our row (matched by order reference AND payment key), in one
    transaction with the row locked: only a state further along than the stored one changes anything. A payment
    confirmed for a line no longer active (cancelled while the buyer was at the window) is refunded at once."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(method=Payment.CARD, gateway_order_id=found.order_id, gateway_payment_key=found.payment_key)
            .first()
        )
        if payment is None:
            return None
        stored = payment_module.progress(
            status=payment.gateway_status or payment_module.READY, cancel_count=payment.gateway_cancel_count
        )
        if found.progress <= stored:
            return payment
        payment.gateway_status, payment.gateway_cancel_count = found.status, len(found.cancels)
        payment.save(update_fields=["gateway_status", "gateway_cancel_count"])
        if payment.status != Payment.RECEIVED and found.is_paid and found.total_amount == payment.amount:
            _record_received(actor, payment)
    return payment


def _record_received(actor: Actor, payment: Payment) -> None:
    line = OrderLine.objects.select_for_update().get(pk=payment.line_id)
    order = GroupOrder.objects.get(pk=line.order_id)
    was_void = payment.status == Payment.VOID
    payment.status, payment.received_at = Payment.RECEIVED, timezone.now()
    payment.save(update_fields=["status", "received_at"])
    history.record(order, actor=actor, action=history.PAYMENT_RECEIVED, line=line, amount=payment.amount)
    if was_void or not line.is_active:
        refund = Refund.objects.create(
            buyer_id=line.buyer_id, payment=payment, number=line.number, amount=payment.amount, reason="buyer"
        )
        prepare_card_refund(refund)
        history.record(order, actor=actor, action=history.REFUND_DUE, line=line, amount=refund.amount)


def prepare_card_refund(refund: Refund) -> None:
    """Inside the refund row's transaction: its Idempotency-Key and disclosure, and the gateway's cancel once it
    commits (the payment key, the amount and a fixed reason go to the processor)."""
    payment = refund.payment
    if payment.method != Payment.CARD or not payment.gateway_payment_key:
        return
    refund.gateway_idempotency_key = str(uuid.uuid4())
    refund.save(update_fields=["gateway_idempotency_key"])
    _disclose(payment, payment.gateway_order_id)
    transaction.on_commit(partial(send_card_refund, actor=SystemActor("card refund"), refund_id=refund.pk))


@acting("actor", system=True)
def send_card_refund(*, actor: Actor, refund_id: int) -> bool:
    """Refund a card payment through the gateway's cancel; True once the gateway has taken it.

    Called after the refund row commits, and again by the hourly job while it is due: the same Idempotency-Key
    each time, so a retry never refunds twice.
    """
    refund = Refund.objects.select_related("payment").filter(pk=refund_id, status=Refund.DUE).first()
    if refund is None or not refund.gateway_idempotency_key:
        return False
    payment = refund.payment
    whole = refund.amount == payment.amount
    try:
        with _gateway() as gateway:
            found = gateway.cancel(
                payment_key=payment.gateway_payment_key,
                reason=REFUND_REASONS.get(refund.reason, CancelReason.BUYER_CANCELLED),
                idempotency_key=refund.gateway_idempotency_key,
                amount=None if whole else refund.amount,
            )
    except PaymentGatewayError as error:
        logger.warning("card refund not sent: %s", error.code)
        return False
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment__line").get(pk=refund_id)
        if refund.status != Refund.DUE:
            return True
        refund.status, refund.sent_at = Refund.SENT, timezone.now()
        refund.gateway_cancel_key = found.last_transaction_key
        refund.save(update_fields=["status", "sent_at", "gateway_cancel_key"])
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        payment.gateway_status, payment.gateway_cancel_count = found.status, len(found.cancels)
        payment.save(update_fields=["gateway_status", "gateway_cancel_count"])
        line = refund.payment.line
        order = GroupOrder.objects.get(pk=line.order_id)
        history.record(order, actor=actor, action=history.REFUND_SENT, line=line, amount=refund.amount)
    return True


def handle_webhook(body: bytes) -> bool:
    """A payment webhook: the payment it names fetched back and applied. False when the gateway could not be asked
    (answer 503, so that it sends the webhook again); True otherwise, whatever the body said."""
    try:
        with _gateway() as gateway:
            found = fetch_webhook_payment(body, gateway=gateway)
    except WebhookIgnored as ignored:
        logger.info("payment webhook ignored: %s", ignored.reason)
        return True
    except GatewayUnavailable:
        return False
    except PaymentGatewayError as error:
        logger.warning("payment webhook lookup refused: %s", error.code)
        return True
    apply_gateway_payment(actor=WEBHOOK, found=found)
    return True


@acting("actor", system=True)
def reconcile_card_payments(*, actor: Actor) -> int:
    """The hourly job's part: awaiting card payments whose confirm went unanswered are looked up by their order
    reference; due card refunds are sent again. How many changed."""
    changed = 0
    awaiting = Payment.objects.filter(method=Payment.CARD, status=Payment.PENDING).exclude(gateway_payment_key=None)
    for payment_id, order_id, key in awaiting.values_list("pk", "gateway_order_id", "gateway_payment_key"):
        try:
            with _gateway() as gateway:
                found = gateway.find_payment_for_order(order_id=order_id)
        except PaymentGatewayError as error:
            logger.warning("card payment %s not looked up: %s", payment_id, error.code)
            continue
        if found is not None and found.payment_key == key:
            applied = apply_gateway_payment(actor=actor, found=found)
            if applied is not None and applied.status == Payment.RECEIVED:
                changed += 1
                continue
            if found.status in (payment_module.READY, payment_module.IN_PROGRESS):
                continue  # still under way at the gateway
        # The gateway holds no confirmed payment for this reference: the buyer may pay again.
        _forget_payment_key(payment_id, key)
    due = Refund.objects.filter(status=Refund.DUE, payment__method=Payment.CARD).exclude(gateway_idempotency_key=None)
    for refund_id in due.values_list("pk", flat=True):
        changed += send_card_refund(actor=actor, refund_id=refund_id)
    return changed
