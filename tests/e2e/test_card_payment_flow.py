"""A buyer pays a group order by card in the browser: from our checkout to the sandbox gateway's own card page
by a top-level navigation, and back to the receipt, the payment confirmed (issue 12, section 3).

The sandbox gateway runs in its own process (tests/orders/gateway/sandbox_peer.py). Our pages and the gateway's
are two origins joined only by navigations: the only requests to the gateway are its card page's own.
"""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
expect = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed").expect

from groupket.orders.models import OrderLine, Payment  # noqa: E402
from groupket.privacy.models import Disclosure  # noqa: E402
from tests.e2e.pages import MEMBER_PASSWORD, sign_in, submit  # noqa: E402
from tests.factories import MemberFactory, join, make_space  # noqa: E402
from tests.orders.factories import open_group_order  # noqa: E402
from tests.orders.gateway.sandbox_peer import APPROVED_CARD, SECRET_KEY, SandboxPeer, sandbox_gateway  # noqa: E402

__all__ = ("sandbox_gateway",)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_buyer_pays_by_card_on_the_gateways_page_and_comes_back_to_a_paid_receipt(
    live_server: Any, tabs: Tabs, recorded: Recorded, sandbox_gateway: SandboxPeer, settings: Any
) -> None:
    sandbox_gateway.reset()
    settings.GROUPKET_PAYMENT_URL = sandbox_gateway.base_url
    settings.GROUPKET_PAYMENT_SECRET_KEY = SECRET_KEY
    organiser = MemberFactory()
    buyer = MemberFactory(username="card.buyer", password=MEMBER_PASSWORD)
    space = make_space(organiser)
    join(buyer, space)
    order = open_group_order(organiser, space, item="Jeju tangerines, 5 kg box", unit_price=12_000)
    buyer_id = buyer.pk

    tab = tabs.open()
    sign_in(tab, live_server.url, "card.buyer", MEMBER_PASSWORD)
    tab.goto(f"{live_server.url}/s/{space.slug}/orders/{order.pk}/")
    tab.get_by_label("Card, in the payment processor's own window").check()
    tab.get_by_label("Pickup from the organiser").check()
    submit(tab)

    expect(tab).to_have_url(re.compile(re.escape(f"{sandbox_gateway.base_url}/checkout?")))
    expect(tab.locator("#amount")).to_have_text("12,000원")
    tab.get_by_label("카드 번호 (Card number)").fill(APPROVED_CARD)
    tab.get_by_role("button", name="결제하기 (Pay)").click()

    expect(tab).to_have_url(re.compile(re.escape(live_server.url) + r"/me/orders/GK-[A-Z0-9-]+/$"))
    expect(tab.locator(".messages")).to_contain_text("Your card payment is confirmed.")
    expect(tab.locator("main")).to_contain_text("Paid")
    gateway_paths = {urlsplit(url).path for url in recorded.requested_urls if url.startswith(sandbox_gateway.base_url)}
    tabs.close()

    payment = Payment.objects.get(line=OrderLine.objects.get(buyer_id=buyer_id, order=order))
    assert (payment.method, payment.status, payment.gateway_status) == (Payment.CARD, Payment.RECEIVED, "DONE")
    assert Disclosure.objects.filter(member_id=buyer_id, basis=Disclosure.BILLING).count() == 1
    # Only the card page, reached and left by navigations: no script, style, font or call of ours went there.
    assert gateway_paths == {"/checkout"}
    origins = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, recorded.requested_urls)}
    assert origins == {live_server.url, sandbox_gateway.base_url}
    assert recorded.console_errors == []
