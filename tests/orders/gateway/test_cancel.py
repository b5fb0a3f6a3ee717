"""Refunds through the gateway's cancel: whole or part, a fixed reason, never twice for one key."""

from collections.abc import Callable
from pathlib import Path

import pytest

from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.errors import GatewayTimeout, PaymentInvalid
from groupket.orders.gateway.payment import CANCELED, PARTIAL_CANCELED, CancelReason, Payment
from tests.orders.gateway.conftest import new_idempotency_key, new_order_reference
from tests.orders.gateway.sandbox_peer import SandboxPeer, pay_in_window, running_sandbox

ConfirmedPayment = Callable[..., Payment]


def test_a_partial_cancel_then_a_full_cancel_refunds_everything_once(
    gateway: PaymentGateway, confirmed_payment: ConfirmedPayment
) -> None:
    payment = confirmed_payment(15000)

    partial = gateway.cancel(
        payment_key=payment.payment_key,
        reason=CancelReason.QUANTITY_REDUCED,
        amount=5000,
        idempotency_key=new_idempotency_key(),
    )
    rest = gateway.cancel(
        payment_key=payment.payment_key, reason=CancelReason.ORDER_FAILED, idempotency_key=new_idempotency_key()
    )

    assert (partial.status, partial.balance_amount, partial.refunded_amount) == (PARTIAL_CANCELED, 10000, 5000)
    assert (rest.status, rest.balance_amount, rest.refunded_amount) == (CANCELED, 0, 15000)
    assert [(cancel.amount, cancel.reason) for cancel in rest.cancels] == [
        (5000, "Order quantity reduced by the buyer"),
        (10000, "Group order did not reach its minimum quantity"),
    ]
    assert not rest.is_paid


def test_a_cancel_retried_with_its_key_refunds_once(
    gateway: PaymentGateway, sandbox: SandboxPeer, confirmed_payment: ConfirmedPayment
) -> None:
    payment = confirmed_payment(15000)
    key = new_idempotency_key()
    sandbox.fault("timeout", operation="cancel", delay=2.0)

    with pytest.raises(GatewayTimeout):
        gateway.cancel(
            payment_key=payment.payment_key, reason=CancelReason.BUYER_CANCELLED, amount=3000, idempotency_key=key
        )
    retried = gateway.cancel(
        payment_key=payment.payment_key, reason=CancelReason.BUYER_CANCELLED, amount=3000, idempotency_key=key
    )

    assert (retried.balance_amount, len(retried.cancels)) == (12000, 1)
    stats = sandbox.stats()
    assert (stats["cancelRequests"], stats["cancels"]) == (2, 1)


def test_a_cancel_above_the_balance_is_refused_and_refunds_nothing(
    gateway: PaymentGateway, confirmed_payment: ConfirmedPayment
) -> None:
    payment = confirmed_payment(15000)

    with pytest.raises(PaymentInvalid) as refused:
        gateway.cancel(
            payment_key=payment.payment_key,
            reason=CancelReason.DISPUTE_REFUND,
            amount=15001,
            idempotency_key=new_idempotency_key(),
        )

    assert (refused.value.code, refused.value.status) == ("NOT_CANCELABLE_AMOUNT", 403)
    assert gateway.get_payment(payment_key=payment.payment_key).balance_amount == 15000


def test_a_cancelled_payment_cannot_be_cancelled_again(
    gateway: PaymentGateway, confirmed_payment: ConfirmedPayment
) -> None:
    payment = confirmed_payment(15000)
    gateway.cancel(payment_key=payment.payment_key, reason=CancelReason.ORDER_CANCELLED, idempotency_key="refund-1")

    with pytest.raises(PaymentInvalid) as refused:
        gateway.cancel(payment_key=payment.payment_key, reason=CancelReason.ORDER_CANCELLED, idempotency_key="refund-2")
    assert refused.value.code == "ALREADY_CANCELED_PAYMENT"


def test_an_unconfirmed_payment_cannot_be_cancelled(
    gateway: PaymentGateway, authorised_payment: Callable[..., tuple[str, str]]
) -> None:
    _, payment_key = authorised_payment(15000)

    with pytest.raises(PaymentInvalid) as refused:
        gateway.cancel(payment_key=payment_key, reason=CancelReason.UNPAID_DEADLINE, idempotency_key="refund-1")
    assert refused.value.code == "NOT_CANCELABLE_PAYMENT"


@pytest.mark.parametrize("reason", ["Kim Min-ji asked for a refund", "ORDER_FAILED"])
def test_a_cancel_reason_is_one_of_the_fixed_reasons_and_free_text_is_never_sent(
    gateway: PaymentGateway, sandbox: SandboxPeer, confirmed_payment: ConfirmedPayment, reason: str
) -> None:
    payment = confirmed_payment(15000)
    before = len(sandbox.received())

    with pytest.raises(TypeError):
        gateway.cancel(payment_key=payment.payment_key, reason=reason, idempotency_key=new_idempotency_key())
    assert len(sandbox.received()) == before


def test_a_sandbox_restarted_on_its_state_file_still_knows_and_refunds_a_payment(
    tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    """`make run` keeps the laptop's sandbox payments in var/, so a card paid before a restart can be refunded."""
    state = tmp_path / "sandbox_gateway.json"
    order_id = new_order_reference()
    with running_sandbox("--state-file", str(state)) as first:
        settings.GROUPKET_PAYMENT_URL = first.base_url
        back = pay_in_window(order_id=order_id, amount=15000)
        with PaymentGateway.from_settings() as gateway:
            gateway.confirm(
                payment_key=back["paymentKey"], order_id=order_id, amount=15000, idempotency_key=new_idempotency_key()
            )
    assert state.stat().st_mode & 0o777 == 0o600

    with running_sandbox("--state-file", str(state)) as second:
        settings.GROUPKET_PAYMENT_URL = second.base_url
        with PaymentGateway.from_settings() as gateway:
            assert gateway.find_payment_for_order(order_id=order_id).status == "DONE"
            refunded = gateway.cancel(
                payment_key=back["paymentKey"], reason=CancelReason.ORDER_FAILED, idempotency_key=new_idempotency_key()
            )
    assert (refunded.status, refunded.refunded_amount) == (CANCELED, 15000)
