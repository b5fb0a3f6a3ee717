import secrets
import uuid
from collections.abc import Callable, Iterator

import pytest

from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.payment import Payment
from tests.e2e.conftest import Recorded, browser_session, page, recorded, tabs
from tests.orders.gateway.sandbox_peer import SECRET_KEY, SandboxPeer, pay_in_window, sandbox_gateway, shop

# Fixtures defined elsewhere: the sandbox peer's, and the browser tests' (Debian's chromium, requests recorded).
__all__ = ("sandbox_gateway", "shop", "browser_session", "tabs", "page", "recorded", "Recorded")


@pytest.fixture(autouse=True)
def sandbox(sandbox_gateway: SandboxPeer, settings: pytest.FixtureRequest) -> SandboxPeer:
    """The session's sandbox, emptied for this test, and the settings pointing at it."""
    sandbox_gateway.reset()
    settings.GROUPKET_PAYMENT_URL = sandbox_gateway.base_url
    settings.GROUPKET_PAYMENT_SECRET_KEY = SECRET_KEY
    return sandbox_gateway


@pytest.fixture
def gateway(sandbox: SandboxPeer) -> Iterator[PaymentGateway]:
    # A short read timeout, so that the sandbox's held-back answers time out quickly.
    with PaymentGateway.from_settings(timeout=1.0) as client:
        yield client


def new_order_reference() -> str:
    return secrets.token_urlsafe(12)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def authorised_payment() -> Callable[..., tuple[str, str]]:
    """(order reference, payment key) of a card the buyer authorised in the window for `amount`."""

    def authorise(amount: int = 15000, **window: str) -> tuple[str, str]:
        order_id = new_order_reference()
        back = pay_in_window(order_id=order_id, amount=amount, **window)
        assert back["to"] == "success", back
        return order_id, back["paymentKey"]

    return authorise


@pytest.fixture
def confirmed_payment(
    gateway: PaymentGateway, authorised_payment: Callable[..., tuple[str, str]]
) -> Callable[..., Payment]:
    """A payment authorised in the window and confirmed, for `amount`."""

    def confirm(amount: int = 15000) -> Payment:
        order_id, payment_key = authorised_payment(amount)
        return gateway.confirm(
            payment_key=payment_key, order_id=order_id, amount=amount, idempotency_key=new_idempotency_key()
        )

    return confirm
