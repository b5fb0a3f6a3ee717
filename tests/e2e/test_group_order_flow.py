"""One group order in the browser from its opening to its completion (issue 12): the organiser opens it; buyer A
orders for delivery, consents to the partner and pays by card in the sandbox gateway's window; buyer B refuses the
partner consent, is told why delivery is then unavailable, and picks up, paying by bank transfer; the deadline
passes with the minimum reached, the order is confirmed and A's delivery alone is handed to the sandbox partner;
the partner's signed delivery webhook arrives; A sees the tracking number and confirms receipt; the organiser checks
off B's pickup code, and the order is completed. What each person sees is asserted on their own pages (P5.4).

The gateway and the partner are the real sandbox processes over HTTP (tests/orders/gateway/sandbox_peer.py,
tests/orders/delivery/partner_peer.py); this partner is started with our webhook URL, so it POSTs the signed
delivery webhook to the live server itself, as a real partner does.
"""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Recorded, Tabs

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
expect = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed").expect

from groupket.orders.jobs import settle_group_orders  # noqa: E402
from groupket.orders.models import Delivery, GroupOrder, OrderLine, Payment, Shipment  # noqa: E402
from groupket.privacy.models import ConsentEvent, Disclosure  # noqa: E402
from tests.e2e.pages import MEMBER_PASSWORD, sign_in, submit  # noqa: E402
from tests.factories import MemberFactory, join, make_space  # noqa: E402
from tests.orders.delivery.partner_peer import API_KEY, WEBHOOK_SECRET, PartnerPeer, running_partner  # noqa: E402
from tests.orders.factories import PARTNER, move_deadlines_to_the_past  # noqa: E402
from tests.orders.gateway.sandbox_peer import APPROVED_CARD, SECRET_KEY, SandboxPeer, sandbox_gateway  # noqa: E402

__all__ = ("sandbox_gateway",)

ITEM = "Jeju hallabong, 3 kg box"
RECEIPT_URL = re.compile(r"/me/orders/(GK-[A-Z0-9-]+)/$")
# What the partner is declared to receive (GROUPKET_SHIPPING_PARTNERS' items), as the sandbox lists it.
PARTNER_FIELDS = ["addressDetail", "item", "phone", "postalCode", "quantity", "recipient", "reference", "roadAddress"]


@pytest.fixture(scope="module")
def delivering_partner(live_server: Any) -> Iterator[PartnerPeer]:
    """The sandbox partner, POSTing its delivery webhooks to the live server's partner webhook."""
    with running_partner(webhook_url=f"{live_server.url}/webhooks/partners/{PARTNER}/") as peer:
        yield peer


def _moment(days: int) -> str:
    """A datetime-local value `days` from now, in the site's time zone (the form reads it there)."""
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def open_the_order(tab: Any, base: str, slug: str) -> int:
    tab.goto(f"{base}/s/{slug}/orders/new/")
    for name, value in {
        "item": ITEM, "description": "From an orchard in Seogwipo.", "unit_price": "18000",
        "min_total": "2", "max_total": "10", "min_per_member": "1", "max_per_member": "3",
        "order_deadline": _moment(2), "payment_deadline": _moment(4),
        "expected_delivery": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "pickup_place": "Community centre, 2nd floor", "pickup_time": _moment(6),
        "bank": "Shinhan", "account_number": "110-555-123456", "account_holder": "Organiser",
    }.items():  # fmt: skip
        tab.fill(f'[name="{name}"]', value)
    tab.select_option('[name="shipping_partner"]', PARTNER)
    tab.get_by_label("Buyers may pick up from me").check()
    submit(tab)
    expect(tab.locator(".messages")).to_contain_text("The group order is open.")
    return int(re.search(r"/orders/(\d+)/manage/$", tab.url).group(1))


def fill_delivery(tab: Any) -> None:
    tab.get_by_label("Delivery by the shipping partner").check()
    tab.get_by_label("Recipient's name").fill("박서연")
    tab.get_by_label("Postal code").fill("04524")
    tab.get_by_label("Road-name address").fill("서울특별시 중구 세종대로 110")
    tab.get_by_label("Address details").fill("3층 301호")
    tab.get_by_label("Recipient's phone number").fill("010-1234-5678")


def pay_on_the_gateways_page(tab: Any, gateway: SandboxPeer, base: str) -> str:
    """Pay in the gateway's window and come back to the receipt; the order number."""
    expect(tab).to_have_url(re.compile(re.escape(f"{gateway.base_url}/checkout?")))
    expect(tab.locator("#amount")).to_have_text("18,000원")
    tab.get_by_label("카드 번호 (Card number)").fill(APPROVED_CARD)
    tab.get_by_role("button", name="결제하기 (Pay)").click()
    expect(tab).to_have_url(re.compile(re.escape(base) + RECEIPT_URL.pattern))
    expect(tab.locator(".messages")).to_contain_text("Your card payment is confirmed.")
    return RECEIPT_URL.search(tab.url).group(1)


def term(tab: Any, name: str) -> Any:
    """The <dd> after the <dt> named `name` in the page's main content."""
    return tab.locator(f'main dt:text-is("{name}") + dd').first


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_group_order_from_opening_through_delivery_and_pickup_to_completion(
    live_server: Any,
    tabs: Tabs,
    recorded: Recorded,
    sandbox_gateway: SandboxPeer,
    delivering_partner: PartnerPeer,
    settings: Any,
) -> None:
    sandbox_gateway.reset()
    delivering_partner.reset()
    settings.GROUPKET_PAYMENT_URL = sandbox_gateway.base_url
    settings.GROUPKET_PAYMENT_SECRET_KEY = SECRET_KEY
    settings.GROUPKET_SHIPPING_PARTNER_APIS = {
        PARTNER: {"url": delivering_partner.base_url, "api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET}
    }
    organiser = MemberFactory(username="jeju.organiser", password=MEMBER_PASSWORD)
    buyer_a = MemberFactory(username="buyer.a", password=MEMBER_PASSWORD)
    buyer_b = MemberFactory(username="buyer.b", password=MEMBER_PASSWORD)
    space = make_space(organiser, slug="jeju-friends")
    join(buyer_a, space)
    join(buyer_b, space)
    base, slug, a_id, b_id = live_server.url, space.slug, buyer_a.pk, buyer_b.pk

    org = tabs.open()
    sign_in(org, base, "jeju.organiser", MEMBER_PASSWORD)
    order_id = open_the_order(org, base, slug)
    order_url, manage_url = f"{base}/s/{slug}/orders/{order_id}/", f"{base}/s/{slug}/orders/{order_id}/manage/"
    expect(org.locator(".order-head .tag")).to_have_text("Open for orders")

    # Buyer A: delivery, the partner consent ticked, paid by card in the gateway's own window.
    a = tabs.open()
    sign_in(a, base, "buyer.a", MEMBER_PASSWORD)
    a.goto(order_url)
    expect(a.locator("#partner-consent")).to_contain_text("Hangang Express")
    fill_delivery(a)
    a.get_by_label("I agree that Hangang Express receives these items for this order").check()
    a.get_by_label("Card, in the payment processor's own window").check()
    submit(a)
    a_number = pay_on_the_gateways_page(a, sandbox_gateway, base)
    expect(term(a, "Delivery")).to_have_text("Delivery by a shipping partner")
    expect(a.locator("#shipment-heading")).to_have_count(0)  # nothing handed to the partner before confirmation

    # Buyer B: delivery without the consent is refused with the reason; pickup, by bank transfer, instead.
    b = tabs.open()
    sign_in(b, base, "buyer.b", MEMBER_PASSWORD)
    b.goto(order_url)
    fill_delivery(b)
    expect(b.get_by_label("I agree that Hangang Express receives these items for this order")).not_to_be_checked()
    submit(b)
    expect(b.locator("#partner-consent .errorlist")).to_have_text(
        "Delivery needs your consent to give the shipping partner your delivery details. Without it, choose pickup "
        "if the organiser offers it."
    )
    expect(b.locator("#partner-consent")).to_contain_text("You may refuse: choose pickup instead")
    b.get_by_label("Pickup from the organiser").check()
    b.get_by_label("Bank transfer into the organiser's account").check()
    submit(b)
    expect(b.locator(".messages")).to_contain_text("Your order is placed. Pay by bank transfer")
    b_number = b.locator("section[aria-labelledby=my-order-heading] dd").first.inner_text()
    b_code = b.locator(".pickup-code").inner_text()
    assert re.fullmatch(r"\d{6}", b_code)
    b.get_by_role("link", name="Receipt and bank transfer details").click()
    expect(b.locator(".transfer-account")).to_have_text("Shinhan 110-555-123456 (Organiser)")

    # The organiser sees both orders, B's masked, marks B's transfer received.
    org.goto(manage_url)
    expect(org.locator(".order-line")).to_have_count(2)
    expect(term(org, "Quantity ordered")).to_have_text("2")
    expect(org.locator("main")).not_to_contain_text("세종대로")  # no address on the organiser's page
    org.get_by_role("button", name=f"Mark {b_number} paid").click()
    expect(org.locator(".messages")).to_contain_text("The payment is marked received.")
    expect(term(org, "Payments received")).to_have_text("₩36,000")

    # The order deadline passes with the minimum (2) reached: the hourly job confirms it, and A's delivery goes
    # to the partner over HTTP in the hand-off task that follows.
    with tabs.django():
        move_deadlines_to_the_past(GroupOrder.objects.get(pk=order_id))
        settle_group_orders()
    shipments = delivering_partner.shipments()
    assert [shipment["reference"] for shipment in shipments] == [a_number]
    assert shipments[0]["received"] == PARTNER_FIELDS
    assert (shipments[0]["recipient"], shipments[0]["roadAddress"]) == ("박서연", "서울특별시 중구 세종대로 110")

    a.goto(f"{base}/me/orders/{a_number}/")
    expect(term(a, "Group order")).to_have_text("Confirmed")
    expect(a.locator("section[aria-labelledby=shipment-heading]")).to_contain_text("With the shipping partner")

    # The partner delivers, and POSTs its signed webhook to us itself.
    webhook = delivering_partner.deliver(a_number)
    assert webhook["status"] == 200
    a.reload()
    delivered = a.locator("section[aria-labelledby=shipment-heading]")
    expect(delivered.locator('dt:text-is("Status") + dd')).to_have_text("Delivered")
    expect(delivered.locator('dt:text-is("Tracking number") + dd')).to_have_text(shipments[0]["trackingNumber"])
    a.get_by_role("button", name="My order arrived").click()
    expect(a.locator(".messages")).to_contain_text("Thank you: your order is confirmed received.")
    expect(delivered.locator('dt:text-is("Status") + dd')).to_have_text("Receipt confirmed")
    expect(term(a, "Group order")).to_have_text("Confirmed")  # B's pickup is still waiting

    # B shows the pickup code; the organiser types it, and with that last line handed over the order completes.
    org.goto(manage_url)
    org.get_by_label("Pickup code the buyer shows").fill(b_code)
    org.get_by_role("button", name="Hand over").click()
    expect(org.locator(".messages")).to_contain_text(f"Order {b_number} is handed over.")
    expect(org.locator(".order-head .tag")).to_have_text("Completed")
    b.goto(f"{base}/me/orders/{b_number}/")
    expect(term(b, "Group order")).to_have_text("Completed")
    expect(b.locator("#shipment-heading")).to_have_count(0)
    a.goto(f"{base}/me/orders/{a_number}/")
    expect(term(a, "Group order")).to_have_text("Completed")

    # A's disclosures show the hand-off to the partner (and the card billing); B's show nothing given to anyone.
    a.goto(f"{base}/me/disclosures/")
    handoff = a.locator("table.disclosures tbody tr", has_text=a_number)
    expect(handoff).to_have_count(1)
    expect(handoff.locator("td").nth(1)).to_have_text(PARTNER)
    expect(a.locator("table.disclosures tbody tr", has_text="Toss Payments")).to_have_count(1)
    b.goto(f"{base}/me/disclosures/")
    expect(b.locator("main")).to_contain_text("Groupket has not given any of your information to anyone.")
    expect(b.locator("table.disclosures")).to_have_count(0)
    tabs.close()

    order = GroupOrder.objects.get(pk=order_id)
    assert order.status == GroupOrder.COMPLETED
    line_a, line_b = OrderLine.objects.get(number=a_number), OrderLine.objects.get(number=b_number)
    assert (line_a.buyer_id, line_b.buyer_id) == (a_id, b_id)
    shipment = Shipment.objects.get()
    assert (shipment.line_id, shipment.confirmed_by, shipment.status) == (line_a.pk, "partner", Shipment.RECEIVED)
    assert Payment.objects.get(line=line_a).method == Payment.CARD
    assert (Payment.objects.get(line=line_b).method, Payment.objects.get(line=line_b).status) == (
        Payment.TRANSFER, Payment.RECEIVED,
    )  # fmt: skip
    # B's refused consent left nothing behind: no delivery details, no partner consent, no disclosure.
    assert not Delivery.objects.filter(line=line_b).exists()
    assert not ConsentEvent.objects.filter(member_id=b_id, document__startswith="partner:").exists()
    assert not Disclosure.objects.filter(member_id=b_id).exists()
    assert Disclosure.objects.filter(member_id=a_id, basis=Disclosure.CONSENT, reference=a_number).count() == 1
    assert recorded.error_responses == [("POST", f"/s/{slug}/orders/{order_id}/checkout/", 400)]
    assert recorded.console_errors == []
