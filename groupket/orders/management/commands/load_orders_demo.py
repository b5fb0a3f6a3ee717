"""The demo group orders `make run` shows: one open with orders, one confirmed (a buyer who paid by card for
delivery, a pickup buyer who paid by transfer) and one completed, in the demo spaces in Korean and English.

Made through the services members use, by the demo members of `load_demo` in the spaces of `load_spaces_demo`;
an order already there (same space, same item) is left alone, so running it again changes nothing. The card
payment goes through the sandbox gateway's own card page, walked over HTTP as a browser would, and confirmed as
the buyer's return confirms it. The confirmed and completed orders are opened with a deadline a few seconds
away and decided when it has passed, as the hourly job decides any order, so the command waits that long.
"""

import contextlib
import html.parser
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from groupket.accounts.management.commands.load_demo import demo_members, no_mail_to_demo_members
from groupket.accounts.services.profile import DeliveryDetails
from groupket.core.actors import SystemActor
from groupket.orders.forms import new_submission_key
from groupket.orders.management.commands.serve_with_sandboxes import gateway_state_file
from groupket.orders.models import PICKUP, SHIPPING, GroupOrder, Payment
from groupket.orders.partners import shipping_partners
from groupket.orders.services import cards, group_orders, lines, payments
from groupket.spaces.models import Space
from groupket.spaces.selectors import spaces_with_slugs

# Long enough to place the lines before it; the command then waits until it has passed.
DEADLINE_SECONDS = 4
GATEWAY_START_SECONDS = 20.0
DEMO_CARD = "4242 4242 4242 4242"  # the sandbox approves any card number that passes the Luhn check
DEMO_ADDRESS = DeliveryDetails(
    recipient="이준호", postal_code="04015", road_address="서울특별시 마포구 망원로 20", address_detail="2층",
    phone="+821098765432",
)  # fmt: skip


@dataclass(frozen=True)
class DemoLine:
    buyer: str
    quantity: int
    method: str = PICKUP
    payment: str = Payment.TRANSFER
    paid: bool = False  # a transfer the organiser marked received, or a card paid in the gateway's window


@dataclass(frozen=True)
class DemoOrder:
    space: str
    organiser: str  # the space's owner in load_spaces_demo
    item: str
    description: str
    unit_price: int
    pickup_place: str
    lines: tuple[DemoLine, ...]
    outcome: str = GroupOrder.OPEN  # OPEN (taking orders), CONFIRMED or COMPLETED


DEMO_ORDERS = (
    DemoOrder(
        "mangwon-bread",
        "minji.kim",
        "망원시장 사워도우 1kg",
        "망원시장 골목 빵집에서 토요일 아침에 구운 사워도우를 함께 주문합니다.",
        9_000,
        "망원시장 입구",
        (DemoLine("junho.lee", 2), DemoLine("alex.morgan", 1, paid=True)),
    ),
    DemoOrder(
        "mangwon-bread",
        "minji.kim",
        "제주 한라봉 3kg",
        "서귀포 농장에서 바로 보내는 한라봉입니다. 택배 또는 직접 수령 중에서 고르세요.",
        27_000,
        "망원동 주민센터 2층",
        (
            DemoLine("junho.lee", 1, method=SHIPPING, payment=Payment.CARD, paid=True),
            DemoLine("alex.morgan", 1, paid=True),
        ),
        outcome=GroupOrder.CONFIRMED,
    ),
    DemoOrder(
        "seoul-hikers",
        "alex.morgan",
        "Trekking poles, carbon, pair",
        "Light carbon poles for the granite steps of Bukhansan, at the shop's group price.",
        35_000,
        "Bukhansanseong entrance, Sunday 8:00",
        (DemoLine("minji.kim", 1, paid=True),),
        outcome=GroupOrder.COMPLETED,
    ),
)


def _sandbox_answers(base_url: str) -> bool:
    with contextlib.suppress(httpx.TransportError, httpx.HTTPStatusError):
        auth = (settings.GROUPKET_PAYMENT_SECRET_KEY, "")
        httpx.get(base_url + "/sandbox/stats", auth=auth, timeout=2).raise_for_status()
        return True
    return False


@contextlib.contextmanager
def sandbox_gateway() -> Iterator[None]:
    """The sandbox gateway of GROUPKET_PAYMENT_URL: the one running, or, when none answers there, one started for
    this command on that port, keeping its payments in the state file that `make run`'s gateway reads next."""
    base_url = settings.GROUPKET_PAYMENT_URL.rstrip("/")
    if _sandbox_answers(base_url):
        yield
        return
    address = urlsplit(base_url)
    if address.hostname not in ("127.0.0.1", "localhost") or address.port is None:
        raise CommandError(f"the demo pays by card in the sandbox gateway, and none answers at {base_url}")
    command = [sys.executable, "-m", "groupket.orders.gateway.sandbox", "--port", str(address.port)]
    command += ["--state-file", str(gateway_state_file())]  # the one `make run` starts next knows the demo's payment
    command += ["--secret-key", settings.GROUPKET_PAYMENT_SECRET_KEY]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)  # noqa: S603 (our module)
    try:
        deadline = time.monotonic() + GATEWAY_START_SECONDS
        while not _sandbox_answers(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise CommandError(f"the sandbox gateway did not start at {base_url}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


class _SessionField(html.parser.HTMLParser):
    session = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "session":
            self.session = values.get("value") or ""


def pay_by_card(buyer: Any, number: str) -> None:
    """What the buyer's browser does: the payment window opened, the card page filled in, and the return confirmed."""
    site = settings.SITE_URL.rstrip("/")
    window = cards.open_payment_window(
        actor=buyer,
        number=number,
        success_url=site + reverse("orders:card_success", args=[number]),
        fail_url=site + reverse("orders:card_fail", args=[number]),
    )
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        page = browser.get(window)
        page.raise_for_status()
        form = _SessionField()
        form.feed(page.text)
        answer = browser.post(
            urljoin(window, "/checkout"), data={"session": form.session, "cardNumber": DEMO_CARD, "action": "pay"}
        )
    query = dict(parse_qsl(urlsplit(answer.headers.get("Location", "")).query))
    if cards.confirm_card_payment(actor=buyer, number=number, query=query).outcome != cards.PAID:
        raise CommandError(f"the sandbox gateway did not take the demo card payment of {number}")


class Command(BaseCommand):
    help = "Create the demo group orders (existing ones are left alone); needs load_demo and load_spaces_demo first."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.GROUPKET_ENV == "production":
            raise CommandError("load_orders_demo fills spaces with demo orders; it does not run in production.")
        people, spaces = demo_members(), self._demo_spaces()
        wanted = [demo for demo in DEMO_ORDERS if not self._exists(demo, spaces)]
        if wanted:
            with no_mail_to_demo_members(), sandbox_gateway():
                self._create(wanted, people, spaces)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(wanted)} demo group orders created, {len(DEMO_ORDERS) - len(wanted)} already there."
            )
        )
        self.stdout.write(f"Sign in as minji.kim and open {settings.SITE_URL}/s/mangwon-bread/orders/ to see them.")

    @staticmethod
    def _demo_spaces() -> dict[str, Space]:
        slugs = {demo.space for demo in DEMO_ORDERS}
        spaces = spaces_with_slugs(slugs)
        if missing := sorted(slugs - set(spaces)):
            raise CommandError(f"the demo space {missing[0]!r} is missing: run `manage.py load_spaces_demo` first")
        return spaces

    @staticmethod
    def _exists(demo: DemoOrder, spaces: dict[str, Space]) -> bool:
        return GroupOrder.objects.filter(space=spaces[demo.space], item=demo.item).exists()

    def _create(self, wanted: list[DemoOrder], people: dict[str, Any], spaces: dict[str, Space]) -> None:
        deadline = timezone.now() + timedelta(seconds=DEADLINE_SECONDS)
        placed = []
        for demo in wanted:
            decided = demo.outcome != GroupOrder.OPEN
            order = _open(demo, people[demo.organiser], spaces[demo.space], deadline=deadline if decided else None)
            placed.append((demo, order, [_place(order, people[line.buyer], line) for line in demo.lines]))
        for demo, order, order_lines in placed:
            for line, number in zip(demo.lines, order_lines, strict=True):
                if line.paid and line.payment == Payment.CARD:
                    pay_by_card(people[line.buyer], number)
                elif line.paid:
                    payments.mark_payment_received(
                        actor=order.organiser, order=order, line_id=order.lines.get(number=number).pk
                    )
        if any(demo.outcome != GroupOrder.OPEN for demo, _order, _lines in placed):
            self.stdout.write(f"Waiting for the demo orders' deadline ({DEADLINE_SECONDS} s) to decide them.")
            time.sleep(max(0.0, (deadline - timezone.now()).total_seconds()) + 0.1)
        operator = SystemActor.operator("load_orders_demo")
        for demo, order, _lines in placed:
            if demo.outcome == GroupOrder.OPEN:
                continue
            if group_orders.decide_order(actor=operator, order=order) != GroupOrder.CONFIRMED:
                raise CommandError(f"the demo order {demo.item!r} was not confirmed")
            if demo.outcome == GroupOrder.COMPLETED:
                _hand_over_pickups(order)


def _open(demo: DemoOrder, organiser: Any, space: Space, *, deadline: Any) -> GroupOrder:
    """Opened by the space's owner; an open order's deadline is days away, a decided one's in a few seconds."""
    now = timezone.now()
    order_deadline = deadline or now + timedelta(days=5)
    partner = next(iter(shipping_partners()), "")
    terms = group_orders.OrderTerms(
        item=demo.item,
        description=demo.description,
        unit_price=demo.unit_price,
        # An open order still short of its minimum; a decided one reached it with the demo's lines.
        min_total=sum(line.quantity for line in demo.lines) if deadline else 10,
        max_total=20,
        min_per_member=1,
        max_per_member=5,
        order_deadline=order_deadline,
        payment_deadline=order_deadline + timedelta(days=2),
        expected_delivery=(order_deadline + timedelta(days=7)).date(),
        shipping_partner=partner if any(line.method == SHIPPING for line in demo.lines) else "",
        offers_pickup=True,
        pickup_place=demo.pickup_place,
        pickup_time=order_deadline + timedelta(days=6),
    )
    account = group_orders.BankAccount(bank="신한은행", account_number="110-000-000000", account_holder="데모")
    return group_orders.open_order(actor=organiser, space=space, terms=terms, account=account)


def _place(order: GroupOrder, buyer: Any, line: DemoLine) -> str:
    """The buyer's checkout; delivery with the separate partner consent ticked (P5.4). The order number."""
    shipping = line.method == SHIPPING
    checkout = lines.Checkout(
        submission=new_submission_key(),
        quantity=line.quantity,
        method=line.method,
        delivery=DEMO_ADDRESS if shipping else None,
        partner_consent=shipping,
        payment_method=line.payment,
    )
    return lines.place_order(actor=buyer, order=order, checkout=checkout).line.number


def _hand_over_pickups(order: GroupOrder) -> None:
    """The organiser checks off every pickup code; the last one completes the order."""
    for line in order.lines.filter(delivery_method=PICKUP):
        payments.check_off_pickup(actor=order.organiser, order=order, code=line.pickup_code)
