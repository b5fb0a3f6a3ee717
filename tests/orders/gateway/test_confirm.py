"""Confirming a card payment against the sandbox gateway: the amount is ours, a refusal is typed."""

from collections.abc import Callable

import pytest

from groupket.orders.gateway.checkout import read_success_return
from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.errors import GatewayUnavailable, PaymentDeclined, PaymentInvalid
from groupket.orders.gateway.payment import ABORTED, DONE, IN_PROGRESS
from tests.orders.gateway.conftest import new_idempotency_key, new_order_reference
from tests.orders.gateway.sandbox_peer import SandboxPeer, Shop, pay_in_window

AuthorisedPayment = Callable[..., tuple[str, str]]


def test_a_confirmed_payment_is_done_for_the_stored_amount(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000, order_name="Jeju tangerines 5 kg")

    payment = gateway.confirm(
        payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=new_idempotency_key()
    )

    assert (payment.status, payment.total_amount, payment.balance_amount) == (DONE, 15000, 15000)
    assert (payment.order_id, payment.payment_key, payment.order_name) == (
        order_id,
        payment_key,
        "Jeju tangerines 5 kg",
    )
    assert payment.approved_at is not None
    assert gateway.get_payment(payment_key=payment_key) == payment
    assert gateway.find_payment_for_order(order_id=order_id) == payment
    assert sandbox.stats()["approvals"] == 1


def test_the_gateway_refuses_a_confirm_for_another_amount_than_the_window_was_opened_with(
    gateway: PaymentGateway, sandbox: SandboxPeer
) -> None:
    # The buyer changed the amount before the window opened: our stored order says 15000.
    order_id = new_order_reference()
    back = pay_in_window(order_id=order_id, amount=100)

    with pytest.raises(PaymentInvalid) as refused:
        gateway.confirm(
            payment_key=back["paymentKey"], order_id=order_id, amount=15000, idempotency_key=new_idempotency_key()
        )

    assert (refused.value.code, refused.value.status) == ("INVALID_REQUEST", 400)
    assert gateway.get_payment(payment_key=back["paymentKey"]).status == IN_PROGRESS
    assert sandbox.stats()["approvals"] == 0


def test_a_success_return_whose_amount_differs_from_the_stored_order_is_refused_before_any_confirm() -> None:
    order_id = new_order_reference()
    back = pay_in_window(order_id=order_id, amount=100)

    with pytest.raises(PaymentInvalid) as refused:
        read_success_return(back, order_id=order_id, amount=15000)
    assert refused.value.code == "AMOUNT_MISMATCH"
    with pytest.raises(PaymentInvalid) as other_order:
        read_success_return(back, order_id=new_order_reference(), amount=100)
    assert other_order.value.code == "ORDER_MISMATCH"
    assert read_success_return(back, order_id=order_id, amount=100) == back["paymentKey"]


def test_a_card_refused_at_confirm_is_declined_with_the_gateways_code(
    gateway: PaymentGateway, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000, card="4000 0000 0000 9995")

    with pytest.raises(PaymentDeclined) as declined:
        gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=new_idempotency_key())

    assert (declined.value.code, declined.value.status) == ("REJECT_CARD_PAYMENT", 403)
    payment = gateway.get_payment(payment_key=payment_key)
    assert (payment.status, payment.failure_code) == (ABORTED, "REJECT_CARD_PAYMENT")


def test_the_sandbox_can_be_told_to_decline_the_next_confirm(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    sandbox.fault("decline")
    order_id, payment_key = authorised_payment(15000)

    with pytest.raises(PaymentDeclined):
        gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=new_idempotency_key())
    assert sandbox.stats()["approvals"] == 0


@pytest.mark.parametrize(
    ("card", "action", "code"),
    [("4000 0000 0000 0002", "pay", "REJECT_CARD_COMPANY"), ("", "cancel", "PAY_PROCESS_CANCELED")],
)
def test_a_refusal_or_a_cancel_in_the_window_sends_the_buyer_to_the_fail_url(
    gateway: PaymentGateway, card: str, action: str, code: str
) -> None:
    order_id = new_order_reference()

    back = pay_in_window(order_id=order_id, amount=15000, card=card, action=action)

    assert (back["to"], back["code"], back["orderId"]) == ("fail", code, order_id)
    assert "paymentKey" not in back
    assert gateway.find_payment_for_order(order_id=order_id) is None


def test_an_unknown_payment_key_is_invalid_and_nothing_is_confirmed(
    gateway: PaymentGateway, sandbox: SandboxPeer
) -> None:
    with pytest.raises(PaymentInvalid) as refused:
        gateway.confirm(
            payment_key="sbx_unknown",
            order_id=new_order_reference(),
            amount=1000,
            idempotency_key=new_idempotency_key(),
        )
    assert (refused.value.code, refused.value.status) == ("NOT_FOUND_PAYMENT_SESSION", 404)
    assert sandbox.stats()["approvals"] == 0


def test_a_wrong_secret_key_is_refused_as_the_gateway_refuses_it(sandbox: SandboxPeer) -> None:
    stranger = PaymentGateway(base_url=sandbox.base_url, secret_key="test_sk_wrong")
    with stranger, pytest.raises(PaymentInvalid) as refused:
        stranger.find_payment_for_order(order_id=new_order_reference())
    assert (refused.value.code, refused.value.status) == ("UNAUTHORIZED_KEY", 401)


def test_errors_name_the_code_and_never_the_gateways_message(gateway: PaymentGateway) -> None:
    with pytest.raises(PaymentInvalid) as refused:
        gateway.get_payment(payment_key="sbx_unknown")
    assert str(refused.value) == "payment gateway lookup: NOT_FOUND_PAYMENT (HTTP 404)"


def test_a_server_that_does_not_answer_in_the_gateways_json_is_unavailable(shop: Shop) -> None:
    # The shop's pages answer 200 with HTML, as a captive portal or a misdirected proxy might.
    with PaymentGateway(base_url=shop.base_url, secret_key="test_sk_any") as misdirected:
        with pytest.raises(GatewayUnavailable) as unreadable:
            misdirected.get_payment(payment_key="sbx_any")
        with pytest.raises(GatewayUnavailable) as unreadable_confirm:
            misdirected.confirm(payment_key="sbx_any", order_id="order-000001", amount=1000, idempotency_key="k")
    assert (unreadable.value.code, unreadable.value.status) == ("BAD_RESPONSE", 200)
    assert unreadable_confirm.value.code == "BAD_RESPONSE"
