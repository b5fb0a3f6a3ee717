"""A confirm whose answer is lost is reconciled by lookup, never confirmed twice; retries reuse their key."""

from collections.abc import Callable

import pytest

from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.errors import GatewayTimeout, GatewayUnavailable, PaymentInvalid
from groupket.orders.gateway.payment import DONE, IN_PROGRESS
from tests.orders.gateway.conftest import new_idempotency_key
from tests.orders.gateway.sandbox_peer import SandboxPeer
from tests.staff.imap_peer import free_port

AuthorisedPayment = Callable[..., tuple[str, str]]


def test_a_confirm_that_times_out_raises_a_timeout_though_the_gateway_confirmed_it(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000)
    sandbox.fault("timeout", operation="confirm", delay=2.0)

    with pytest.raises(GatewayTimeout) as timed_out:
        gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=new_idempotency_key())

    assert timed_out.value.code == "TIMEOUT"
    assert gateway.find_payment_for_order(order_id=order_id).status == DONE


def test_a_timed_out_confirm_is_reconciled_by_lookup_and_sent_once(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000)
    sandbox.fault("timeout", operation="confirm", delay=2.0)

    payment = gateway.confirm_or_reconcile(
        payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=new_idempotency_key()
    )

    assert (payment.status, payment.payment_key, payment.total_amount) == (DONE, payment_key, 15000)
    stats = sandbox.stats()
    assert (stats["confirmRequests"], stats["approvals"]) == (1, 1)


def test_a_timed_out_confirm_whose_lookup_also_fails_stays_a_timeout(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000)
    sandbox.fault("timeout", operation="confirm", delay=2.0)
    sandbox.fault("fail", operation="lookup")

    with pytest.raises(GatewayTimeout):
        gateway.confirm_or_reconcile(
            payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=new_idempotency_key()
        )
    assert sandbox.stats()["confirmRequests"] == 1


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer_and_confirms_nothing_more(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000)
    key = new_idempotency_key()

    first = gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=key)
    again = gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=key)

    assert again == first
    stats = sandbox.stats()
    assert (stats["confirmRequests"], stats["approvals"]) == (2, 1)


def test_a_second_confirm_under_a_new_key_is_refused_and_reconciled_to_the_first(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000)
    first = gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key="key-1")

    with pytest.raises(PaymentInvalid) as refused:
        gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key="key-2")
    reconciled = gateway.confirm_or_reconcile(
        payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key="key-3"
    )

    assert refused.value.code == "ALREADY_PROCESSED_PAYMENT"
    assert reconciled == first
    assert sandbox.stats()["approvals"] == 1


def test_a_gateway_failing_with_a_server_error_is_unavailable_and_changes_nothing(
    gateway: PaymentGateway, sandbox: SandboxPeer, authorised_payment: AuthorisedPayment
) -> None:
    order_id, payment_key = authorised_payment(15000)
    sandbox.fault("fail", operation="confirm")
    key = new_idempotency_key()

    with pytest.raises(GatewayUnavailable) as failed:
        gateway.confirm_or_reconcile(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=key)

    assert (failed.value.code, failed.value.status) == ("FAILED_INTERNAL_SYSTEM_PROCESSING", 500)
    assert gateway.get_payment(payment_key=payment_key).status == IN_PROGRESS
    # The same key later: the failure was not remembered as the answer.
    retried = gateway.confirm(payment_key=payment_key, order_id=order_id, amount=15000, idempotency_key=key)
    assert retried.status == DONE


def test_a_gateway_that_is_down_is_unavailable() -> None:
    with PaymentGateway(base_url=f"http://127.0.0.1:{free_port()}", secret_key="test_sk_any") as gateway:
        with pytest.raises(GatewayUnavailable) as down:
            gateway.confirm(payment_key="sbx_any", order_id="order-000001", amount=1000, idempotency_key="k")
        with pytest.raises(GatewayUnavailable):
            gateway.find_payment_for_order(order_id="order-000001")
    assert (down.value.code, down.value.status) == ("UNREACHABLE", None)
    assert not isinstance(down.value, GatewayTimeout)
