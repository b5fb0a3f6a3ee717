"""The sandbox gateway's card page in a browser: reached by a top-level navigation, back by a redirect.

The browser fixture needs a transactional database (tests/e2e/conftest.py); serialized_rollback puts back what
its flush removes, as the other browser tests do, so the transactional tests after these still find it.
"""

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from groupket.orders.gateway.checkout import payment_window_url, read_success_return
from groupket.orders.gateway.client import PaymentGateway
from groupket.orders.gateway.payment import DONE
from tests.e2e.conftest import Recorded
from tests.orders.gateway.conftest import new_idempotency_key, new_order_reference
from tests.orders.gateway.sandbox_peer import APPROVED_CARD, SandboxPeer, Shop


def _open_window(page: Any, shop: Shop, *, order_id: str, amount: int) -> None:
    url = payment_window_url(
        order_id=order_id,
        amount=amount,
        order_name="Jeju tangerines 5 kg",
        success_url=f"{shop.base_url}/orders/paid?step=return",
        fail_url=f"{shop.base_url}/orders/failed",
    )
    page.goto(f"{shop.base_url}/orders/checkout")  # the buyer starts on our page, then leaves it
    assert page.goto(url).status == 200
    expect(page.locator("#order-name")).to_have_text("Jeju tangerines 5 kg")
    expect(page.locator("#amount")).to_have_text("24,000원")


def _origins(urls: list[str]) -> set[str]:
    return {f"{parts.scheme}://{parts.netloc}" for parts in map(urlsplit, urls)}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_buyer_pays_with_a_test_card_and_comes_back_to_the_success_url(
    page: Any,
    shop: Shop,
    sandbox: SandboxPeer,
    gateway: PaymentGateway,
    recorded: Recorded,
) -> None:
    order_id = new_order_reference()
    _open_window(page, shop, order_id=order_id, amount=24000)

    page.get_by_label("카드 번호 (Card number)").fill(APPROVED_CARD)
    page.get_by_role("button", name="결제하기 (Pay)").click()

    expect(page).to_have_url(re.compile(re.escape(f"{shop.base_url}/orders/paid?step=return&")))
    expect(page.locator("h1")).to_have_text("Back at the shop")
    query = {name: values[0] for name, values in parse_qs(urlsplit(page.url).query).items()}
    assert (query["orderId"], query["amount"], query["step"]) == (order_id, "24000", "return")
    payment_key = read_success_return(query, order_id=order_id, amount=24000)
    payment = gateway.confirm(
        payment_key=payment_key, order_id=order_id, amount=24000, idempotency_key=new_idempotency_key()
    )
    assert payment.status == DONE
    # Our page and the gateway's are two origins, joined only by navigations.
    assert _origins(recorded.requested_urls) == {shop.base_url, sandbox.base_url}
    assert recorded.console_errors == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("card", "button", "code"),
    [("4000 0000 0000 0002", "결제하기 (Pay)", "REJECT_CARD_COMPANY"), ("", "취소 (Cancel)", "PAY_PROCESS_CANCELED")],
)
def test_a_refused_card_or_a_cancel_comes_back_to_the_fail_url(
    page: Any, shop: Shop, gateway: PaymentGateway, card: str, button: str, code: str
) -> None:
    order_id = new_order_reference()
    _open_window(page, shop, order_id=order_id, amount=24000)

    page.get_by_label("카드 번호 (Card number)").fill(card)
    page.get_by_role("button", name=button).click()

    expect(page).to_have_url(re.compile(re.escape(f"{shop.base_url}/orders/failed?")))
    query = parse_qs(urlsplit(page.url).query)
    assert (query["code"], query["orderId"]) == ([code], [order_id])
    assert gateway.find_payment_for_order(order_id=order_id) is None


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mistyped_card_number_is_asked_again_on_the_card_page(page: Any, shop: Shop, sandbox: SandboxPeer) -> None:
    _open_window(page, shop, order_id=new_order_reference(), amount=24000)

    page.get_by_label("카드 번호 (Card number)").fill("4242 4242 4242 4241")
    page.get_by_role("button", name="결제하기 (Pay)").click()

    expect(page.get_by_role("alert")).to_contain_text("Check the card number.")
    assert page.url == f"{sandbox.base_url}/checkout"
    expect(page.get_by_label("카드 번호 (Card number)")).to_be_visible()
