"""Webhooks are hints: the payment is fetched back from the gateway, so replays and stale events change nothing."""

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.errors import GatewayUnavailable
from groupket.orders.gateway.payment import (
    CANCELED,
    DONE,
    IN_PROGRESS,
    PARTIAL_CANCELED,
    CancelReason,
    Payment,
    progress,
)
from groupket.orders.gateway.webhooks import WebhookIgnored, fetch_webhook_payment, webhook_payment_key
from tests.orders.gateway.conftest import new_idempotency_key
from tests.orders.gateway.sandbox_peer import SandboxPeer, Shop

ConfirmedPayment = Callable[..., Payment]


def _status_in(body: bytes) -> str:
    return json.loads(body)["data"]["status"]


def _cancel_twice(gateway: PaymentGateway, payment: Payment) -> None:
    gateway.cancel(
        payment_key=payment.payment_key, reason=CancelReason.QUANTITY_REDUCED, amount=5000, idempotency_key="refund-1"
    )
    gateway.cancel(payment_key=payment.payment_key, reason=CancelReason.ORDER_FAILED, idempotency_key="refund-2")


def test_each_status_change_is_posted_and_fetched_back_as_the_gateway_holds_it(
    gateway: PaymentGateway, sandbox: SandboxPeer, shop: Shop, confirmed_payment: ConfirmedPayment
) -> None:
    sandbox.webhooks(url=shop.webhook_url)

    payment = confirmed_payment(15000)
    [body] = shop.wait_for_webhooks(1)

    assert json.loads(body)["eventType"] == "PAYMENT_STATUS_CHANGED"
    assert fetch_webhook_payment(body, gateway=gateway) == payment


def test_a_duplicated_webhook_fetches_the_same_state_and_changes_nothing(
    gateway: PaymentGateway, sandbox: SandboxPeer, shop: Shop, confirmed_payment: ConfirmedPayment
) -> None:
    sandbox.webhooks(url=shop.webhook_url, mode="duplicate")

    payment = confirmed_payment(15000)
    first, second = shop.wait_for_webhooks(2)

    fetched = [fetch_webhook_payment(body, gateway=gateway) for body in (first, second)]
    assert first == second
    assert fetched == [payment, payment]
    # The caller's rule: apply only what is further along than what it holds; the replay is not.
    assert not fetched[1].progress > fetched[0].progress


def test_out_of_order_webhooks_all_fetch_the_current_state(
    gateway: PaymentGateway, sandbox: SandboxPeer, shop: Shop, confirmed_payment: ConfirmedPayment
) -> None:
    sandbox.webhooks(url=shop.webhook_url, mode="hold")
    payment = confirmed_payment(15000)
    _cancel_twice(gateway, payment)

    sandbox.release_webhooks("reverse")
    bodies = shop.wait_for_webhooks(3)

    assert [_status_in(body) for body in bodies] == [CANCELED, PARTIAL_CANCELED, DONE]
    fetched = [fetch_webhook_payment(body, gateway=gateway) for body in bodies]
    assert {(item.status, item.balance_amount) for item in fetched} == {(CANCELED, 0)}
    assert fetched[0] == fetched[1] == fetched[2]


def test_a_stale_state_is_recognisably_older_than_the_stored_one() -> None:
    stored = progress(status=CANCELED, cancel_count=2)

    assert progress(status=DONE, cancel_count=0) < stored
    assert progress(status=PARTIAL_CANCELED, cancel_count=1) < stored
    assert progress(status=PARTIAL_CANCELED, cancel_count=1) > progress(status=DONE, cancel_count=0)
    assert progress(status=PARTIAL_CANCELED, cancel_count=2) > progress(status=PARTIAL_CANCELED, cancel_count=1)
    assert progress(status=DONE, cancel_count=0) > progress(status=IN_PROGRESS, cancel_count=0)


def test_a_forged_webhook_claiming_a_payment_is_done_fetches_what_the_gateway_holds(
    gateway: PaymentGateway, authorised_payment: Callable[..., tuple[str, str]]
) -> None:
    order_id, payment_key = authorised_payment(15000)
    forged = {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": "2026-12-01T10:00:00.000000",
        "data": {"paymentKey": payment_key, "orderId": order_id, "status": DONE, "totalAmount": 1, "balanceAmount": 1},
    }

    payment = fetch_webhook_payment(json.dumps(forged).encode(), gateway=gateway)

    assert (payment.status, payment.total_amount, payment.order_id) == (IN_PROGRESS, 15000, order_id)


def test_a_webhook_naming_a_payment_the_gateway_does_not_have_is_ignored(gateway: PaymentGateway) -> None:
    body = json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "sbx_unknown"}}).encode()

    with pytest.raises(WebhookIgnored) as ignored:
        fetch_webhook_payment(body, gateway=gateway)
    assert ignored.value.reason == "UNKNOWN_PAYMENT"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "NOT_JSON"),
        (b"\xff\xfe", "NOT_JSON"),
        (b"[]", "NOT_A_PAYMENT_EVENT"),
        (b'{"eventType": "DEPOSIT_CALLBACK", "data": {"paymentKey": "sbx_a"}}', "NOT_A_PAYMENT_EVENT"),
        (b'{"eventType": "PAYMENT_STATUS_CHANGED", "data": {}}', "NO_PAYMENT_KEY"),
        (b'{"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "../sandbox/reset"}}', "NO_PAYMENT_KEY"),
        (b'{"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": 12}}', "NO_PAYMENT_KEY"),
        (b" " * (64 * 1024 + 1), "TOO_LARGE"),
    ],
)
def test_a_body_that_names_no_payment_is_ignored_without_asking_the_gateway(
    sandbox: SandboxPeer, body: bytes, reason: str
) -> None:
    with pytest.raises(WebhookIgnored) as ignored:
        webhook_payment_key(body)
    assert ignored.value.reason == reason
    assert sandbox.received() == []


_DATA = st.dictionaries(st.sampled_from(["paymentKey", "status", "orderId"]), st.none() | st.text() | st.integers())
_EVENT = st.one_of(_DATA, st.lists(st.text())).map(
    lambda data: json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "data": data}).encode()
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200) | _EVENT)
def test_any_body_gives_a_payment_key_or_is_ignored(body: bytes) -> None:
    try:
        key = webhook_payment_key(body)
    except WebhookIgnored:
        return
    assert key == json.loads(body)["data"]["paymentKey"]


def test_a_webhook_while_the_gateway_fails_is_unavailable_so_it_is_sent_again_later(
    gateway: PaymentGateway, sandbox: SandboxPeer, confirmed_payment: ConfirmedPayment
) -> None:
    payment = confirmed_payment(15000)
    body = json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": payment.payment_key}}).encode()
    sandbox.fault("fail", operation="lookup")

    with pytest.raises(GatewayUnavailable):
        fetch_webhook_payment(body, gateway=gateway)
    assert fetch_webhook_payment(body, gateway=gateway) == payment


def test_a_confirm_declined_or_refunded_is_posted_too(
    gateway: PaymentGateway, sandbox: SandboxPeer, shop: Shop, confirmed_payment: ConfirmedPayment
) -> None:
    sandbox.webhooks(url=shop.webhook_url)
    payment = confirmed_payment(15000)
    gateway.cancel(
        payment_key=payment.payment_key, reason=CancelReason.ORDER_FAILED, idempotency_key=new_idempotency_key()
    )

    assert [_status_in(body) for body in shop.wait_for_webhooks(2)] == [DONE, CANCELED]
