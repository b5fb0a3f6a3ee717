"""Only what billing needs reaches the payment processor: amount, order reference, order name (P5.3).

A whole card payment's life (window, confirm, lookups, a partial and a full refund, webhooks fetched
back) runs against the sandbox gateway, which logs every request it receives; the log is then read for
anything but those items.
"""

import pytest

from groupket.orders.gateway.checkout import read_success_return
from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.payment import CancelReason
from groupket.orders.gateway.webhooks import fetch_webhook_payment
from tests.orders.gateway.conftest import new_idempotency_key, new_order_reference
from tests.orders.gateway.sandbox_peer import SandboxPeer, Shop, as_json, pay_in_window

# What the buyer gave us, which must never travel (the flow below has every piece of it at hand).
BUYER = {
    "name": "김민지",
    "email": "minji.kim@example.com",
    "phone": "+821012345678",
    "address": "서울특별시 종로구 세종대로 175",
    "postal code": "03154",
    "username": "minji.kim",
}
ALLOWED_BODY_KEYS = {
    ("GET", "/checkout"): {"orderId", "amount", "orderName", "successUrl", "failUrl"},
    ("POST", "/checkout"): {"session", "cardNumber", "action"},
    ("POST", "/v1/payments/confirm"): {"paymentKey", "orderId", "amount"},
    ("POST", "cancel"): {"cancelReason", "cancelAmount"},
}
STANDARD_HEADERS = {
    "host",
    "accept",
    "accept-encoding",
    "connection",
    "user-agent",
    "content-length",
    "content-type",
    "idempotency-key",
}


def _kind(request: dict) -> tuple[str, str]:
    path = request["path"]
    return (request["method"], "cancel" if path.endswith("/cancel") else path)


def _card_payment_life(gateway: PaymentGateway, shop: Shop) -> None:
    order_id, amount = new_order_reference(), 24000
    back = pay_in_window(order_id=order_id, amount=amount, order_name="Jeju tangerines 5 kg", shop_url=shop.base_url)
    payment_key = read_success_return(back, order_id=order_id, amount=amount)
    gateway.confirm_or_reconcile(
        payment_key=payment_key, order_id=order_id, amount=amount, idempotency_key=new_idempotency_key()
    )
    gateway.find_payment_for_order(order_id=order_id)
    gateway.cancel(
        payment_key=payment_key,
        reason=CancelReason.QUANTITY_REDUCED,
        amount=8000,
        idempotency_key=new_idempotency_key(),
    )
    gateway.cancel(payment_key=payment_key, reason=CancelReason.ORDER_FAILED, idempotency_key=new_idempotency_key())
    for body in shop.wait_for_webhooks(3):
        fetch_webhook_payment(body, gateway=gateway)


@pytest.mark.clause("P5.3")
def test_every_request_the_gateway_receives_carries_only_billing_items(
    gateway: PaymentGateway, sandbox: SandboxPeer, shop: Shop
) -> None:
    sandbox.webhooks(url=shop.webhook_url)

    _card_payment_life(gateway, shop)

    received = sandbox.received()
    assert len(received) == 9  # window, card form, confirm, lookup, 2 cancels, 3 webhook lookups
    for request in received:
        body = request["body"] or {}
        allowed = ALLOWED_BODY_KEYS.get(_kind(request), set())
        assert set(body) <= allowed, request
        assert {name.lower() for name in request["headers"]} <= STANDARD_HEADERS, request
    text = as_json(received)
    assert [item for item in BUYER.values() if item in text] == []
