"""Card payments of group orders through the payment gateway, against the sandbox gateway in its own process
(issue 12, section 3; P5.3).

The buyer checks out with card and is sent to the gateway's window (a redirect: a top-level navigation); the
window is walked over plain HTTP, as a browser without script would, and sends the buyer back to our success URL,
which the buyer's signed-in client then opens. What the sandbox received is read back from its request log.
"""

import json
import re
from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from django.test import Client

from groupket.orders import actions
from groupket.orders.gateway.sandbox_ledger import DECLINED_AT_CONFIRM_CARD
from groupket.orders.jobs import settle_group_orders
from groupket.orders.models import GroupOrder, OrderEvent, OrderLine, Payment, Refund
from groupket.orders.services.group_orders import cancel_order
from groupket.privacy.models import Disclosure
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.orders.factories import ADDRESS, open_group_order
from tests.orders.gateway.sandbox_peer import (
    APPROVED_CARD,
    SECRET_KEY,
    SandboxPeer,
    _SessionField,
    as_json,
    sandbox_gateway,
)

__all__ = ("sandbox_gateway",)

pytestmark = pytest.mark.django_db

BUYER_NAME, BUYER_EMAIL = "김민지", "minji.kim@example.com"


@pytest.fixture
def sandbox(sandbox_gateway: SandboxPeer, settings: Any) -> SandboxPeer:
    sandbox_gateway.reset()
    settings.GROUPKET_PAYMENT_URL = sandbox_gateway.base_url
    settings.GROUPKET_PAYMENT_SECRET_KEY = SECRET_KEY
    settings.GROUPKET_PAYMENT_TIMEOUT_SECONDS = 1.0
    return sandbox_gateway


@pytest.fixture
def shop(sandbox: SandboxPeer, django_capture_on_commit_callbacks: Any) -> Iterator[dict]:
    organiser = MemberFactory()
    buyer = MemberFactory(name=BUYER_NAME, email=BUYER_EMAIL)
    buyer.phone = ADDRESS.phone
    buyer.save(update_fields=["phone"])
    space = make_space(organiser)
    join(buyer, space)
    order = open_group_order(organiser, space, item="Jeju tangerines, 5 kg box", unit_price=12_000)
    client = Client()
    sign_in(client, buyer)
    # `with shop["committed"]():` runs what a commit would start (a card refund's cancel) as the block ends.
    committed = partial(django_capture_on_commit_callbacks, execute=True)
    yield {
        "organiser": organiser,
        "buyer": buyer,
        "order": order,
        "client": client,
        "sandbox": sandbox,
        "committed": committed,
    }


def check_out_by_card(shop: dict, quantity: int = 2) -> tuple[OrderLine, str]:
    """Checkout with card: the line, and the payment window's URL the buyer is redirected to."""
    url = f"/s/{shop['order'].space.slug}/orders/{shop['order'].pk}/checkout/"
    form = {"submission": "c" * 32, "quantity": str(quantity), "method": "pickup", "payment_method": "card"}
    response = shop["client"].post(url, form)
    assert response.status_code == 302, response.content.decode()[:500]
    return OrderLine.objects.get(buyer=shop["buyer"], order=shop["order"]), response["Location"]


def pay_in_window(window: str, card: str = APPROVED_CARD, **changes: str) -> tuple[str, dict[str, str]]:
    """Submit the gateway's card page: the path we are sent back to and its query (with `changes` made to it,
    as a buyer editing the address bar would)."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        page = browser.get(window)
        assert page.status_code == 200, page.text
        parser = _SessionField()
        parser.feed(page.text)
        answer = browser.post(urljoin(window, "/checkout"), data={"session": parser.session, "cardNumber": card})
    assert answer.status_code == 303, answer.text
    back = urlsplit(answer.headers["Location"])
    return back.path, {**dict(parse_qsl(back.query)), **changes}


def come_back(shop: dict, path: str, query: dict[str, str]) -> str:
    """The buyer's browser opens our success (or fail) URL; the message shown on the receipt it leads to."""
    response = shop["client"].get(path, query, follow=True)
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


def received(sandbox: SandboxPeer, method: str, path_end: str) -> list[dict]:
    return [r for r in sandbox.received() if r["method"] == method and r["path"].endswith(path_end)]


def header(request: dict, name: str) -> str:
    return {key.lower(): value for key, value in request["headers"].items()}[name.lower()]


def payment_of(line: OrderLine) -> Payment:
    return Payment.objects.get(line=line)


@pytest.mark.clause("P5.3")
def test_a_card_checkout_sends_only_the_stored_amount_reference_and_name_and_records_the_billing_disclosure(
    shop: dict,
) -> None:
    line, window = check_out_by_card(shop, quantity=2)
    payment = payment_of(line)
    assert (payment.method, payment.status, payment.amount) == (Payment.CARD, Payment.PENDING, 24_000)
    assert window.startswith(shop["sandbox"].base_url + "/checkout?")
    sent = dict(parse_qsl(urlsplit(window).query))
    assert sent["orderId"] == payment.gateway_order_id
    assert (sent["amount"], sent["orderName"]) == ("24000", "Jeju tangerines, 5 kg box")
    assert set(sent) == {"orderId", "amount", "orderName", "successUrl", "failUrl"}
    # The order reference is random, not the member's nor the order number (a member number of one or two digits
    # could appear in a random string by chance, so the reference is checked for its shape instead).
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", payment.gateway_order_id)
    assert line.number not in payment.gateway_order_id
    assert payment.gateway_order_id != str(shop["buyer"].pk)

    path, query = pay_in_window(window)
    assert path == f"/me/orders/{line.number}/card/success/"
    assert "confirmed" in come_back(shop, path, query)

    payment = payment_of(line)
    assert (payment.status, payment.gateway_status) == (Payment.RECEIVED, "DONE")
    confirms = received(shop["sandbox"], "POST", "/v1/payments/confirm")
    assert len(confirms) == 1
    assert header(confirms[0], "Idempotency-Key") == payment.gateway_confirm_key
    assert confirms[0]["body"]["amount"] == 24_000
    disclosure = Disclosure.objects.get(member=shop["buyer"])
    assert (disclosure.basis, disclosure.recipient, disclosure.items) == (
        Disclosure.BILLING,
        "Toss Payments",
        ["order_card_billing"],
    )
    assert disclosure.reference == payment.gateway_order_id
    everything_sent = as_json(shop["sandbox"].received())
    for personal in (BUYER_NAME, BUYER_EMAIL, shop["buyer"].username, "1012345678", "minji"):
        assert personal not in everything_sent
    assert OrderEvent.objects.filter(line=line, action=actions.PAYMENT_RECEIVED).count() == 1


@pytest.mark.clause("P5.3")
def test_an_amount_changed_in_the_return_address_is_never_confirmed(shop: dict) -> None:
    line, window = check_out_by_card(shop)
    path, query = pay_in_window(window, amount="100")
    assert "could not be confirmed" in come_back(shop, path, query)
    assert received(shop["sandbox"], "POST", "/v1/payments/confirm") == []
    assert payment_of(line).status == Payment.PENDING
    # The buyer may pay again (a new window, a new reference, a new disclosure).
    again = shop["client"].post(f"/me/orders/{line.number}/card/")
    assert again.status_code == 302 and again["Location"].startswith(shop["sandbox"].base_url)
    assert Disclosure.objects.filter(member=shop["buyer"], basis=Disclosure.BILLING).count() == 2


def test_a_confirm_that_times_out_is_reconciled_by_lookup_and_never_sent_twice(shop: dict) -> None:
    line, window = check_out_by_card(shop)
    shop["sandbox"].fault("timeout", operation="confirm", delay=2.5)
    path, query = pay_in_window(window)
    assert "confirmed" in come_back(shop, path, query)
    assert payment_of(line).status == Payment.RECEIVED
    assert len(received(shop["sandbox"], "POST", "/v1/payments/confirm")) == 1
    assert len(received(shop["sandbox"], "GET", f"/orders/{payment_of(line).gateway_order_id}")) == 1


def test_when_the_lookup_fails_too_the_payment_waits_and_the_hourly_job_finds_it(shop: dict) -> None:
    line, window = check_out_by_card(shop)
    shop["sandbox"].fault("timeout", operation="any", times=2, delay=2.5)
    path, query = pay_in_window(window)
    assert "has not answered yet" in come_back(shop, path, query)
    assert payment_of(line).status == Payment.PENDING
    # No second payment may start while the first is unknown.
    refused = shop["client"].post(f"/me/orders/{line.number}/card/", follow=True)
    assert "still being checked" in " ".join(str(m) for m in refused.context["messages"])

    settle_group_orders()

    assert payment_of(line).status == Payment.RECEIVED
    assert len(received(shop["sandbox"], "POST", "/v1/payments/confirm")) == 1
    assert OrderEvent.objects.filter(line=line, action=actions.PAYMENT_RECEIVED).count() == 1


def _webhook(client: Client, payment_key: str, status: str = "DONE") -> int:
    body = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": payment_key, "status": status}}
    return client.post("/orders/payments/webhook/", json.dumps(body), content_type="application/json").status_code


@pytest.mark.clause("P5.3")
def test_a_webhook_is_acted_on_only_as_the_payment_fetched_back_and_a_replay_changes_nothing(shop: dict) -> None:
    line, window = check_out_by_card(shop)
    shop["sandbox"].fault("timeout", operation="any", times=2, delay=2.5)
    path, query = pay_in_window(window)
    come_back(shop, path, query)
    payment_key = payment_of(line).gateway_payment_key
    anyone = Client()

    # A forged "CANCELED" changes nothing: the payment fetched back is DONE, and that is what is applied.
    assert _webhook(anyone, payment_key, status="CANCELED") == 200
    payment = payment_of(line)
    assert (payment.status, payment.gateway_status) == (Payment.RECEIVED, "DONE")
    assert _webhook(anyone, payment_key) == 200
    assert _webhook(anyone, payment_key) == 200
    assert OrderEvent.objects.filter(line=line, action=actions.PAYMENT_RECEIVED).count() == 1
    assert len(received(shop["sandbox"], "GET", f"/v1/payments/{payment_key}")) == 3
    # A key the gateway does not know, or a body that is no payment event: 200, nothing done.
    assert _webhook(anyone, "no-such-payment-key") == 200
    assert anyone.post("/orders/payments/webhook/", b"\x00", content_type="application/json").status_code == 200


def test_a_webhook_while_the_gateway_is_down_asks_to_be_sent_again(shop: dict) -> None:
    line, window = check_out_by_card(shop)
    come_back(shop, *pay_in_window(window))
    shop["sandbox"].fault("fail", operation="lookup")
    assert _webhook(Client(), payment_of(line).gateway_payment_key) == 503


def _paid_by_card(shop: dict) -> OrderLine:
    line, window = check_out_by_card(shop)
    come_back(shop, *pay_in_window(window))
    assert payment_of(line).status == Payment.RECEIVED
    return line


@pytest.mark.clause("P5.3")
def test_a_buyer_who_cancels_is_refunded_through_the_gateway_at_once(shop: dict) -> None:
    line = _paid_by_card(shop)
    url = f"/s/{shop['order'].space.slug}/orders/{shop['order'].pk}/cancel/"
    with shop["committed"]():
        assert shop["client"].post(url, {"submission": "d" * 32}).status_code == 302

    refund = Refund.objects.get(payment__line=line)
    assert (refund.status, refund.amount) == (Refund.SENT, 24_000)
    cancels = received(shop["sandbox"], "POST", "/cancel")
    assert len(cancels) == 1
    assert header(cancels[0], "Idempotency-Key") == refund.gateway_idempotency_key
    assert cancels[0]["body"] == {"cancelReason": "Order cancelled by the buyer"}
    assert payment_of(line).gateway_status == "CANCELED"
    assert Disclosure.objects.filter(member=shop["buyer"], basis=Disclosure.BILLING).count() == 2
    assert OrderEvent.objects.filter(line=line, action=actions.REFUND_SENT).count() == 1


def test_a_cancelled_group_order_refunds_every_card_payment_and_a_refused_cancel_is_sent_again(shop: dict) -> None:
    line = _paid_by_card(shop)
    shop["sandbox"].fault("fail", operation="cancel")
    with shop["committed"]():
        cancel_order(actor=shop["organiser"], order=shop["order"])
    assert GroupOrder.objects.get(pk=shop["order"].pk).status == GroupOrder.CANCELLED
    refund = Refund.objects.get(payment__line=line)
    assert refund.status == Refund.DUE

    settle_group_orders()

    refund.refresh_from_db()
    assert refund.status == Refund.SENT
    keys = {header(r, "Idempotency-Key") for r in received(shop["sandbox"], "POST", "/cancel")}
    assert keys == {refund.gateway_idempotency_key}
    assert payment_of(line).gateway_status == "CANCELED"


def test_a_refused_card_can_be_paid_again(shop: dict) -> None:
    line, window = check_out_by_card(shop)
    path, query = pay_in_window(window, card=DECLINED_AT_CONFIRM_CARD)
    assert "refused" in come_back(shop, path, query)
    assert payment_of(line).status == Payment.PENDING
    again = shop["client"].post(f"/me/orders/{line.number}/card/")
    assert again.status_code == 302
    come_back(shop, *pay_in_window(again["Location"]))
    assert payment_of(line).status == Payment.RECEIVED
