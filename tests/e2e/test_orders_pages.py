"""Every group order page passes axe in English and Korean, and fits a 360 px phone without sideways scrolling.

The data is made before the browser opens (see conftest.py: no ORM call while Playwright runs).
"""

from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM
from tests.factories import MemberFactory, join, make_space

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
from tests.e2e.test_accessibility import sign_in, submit  # noqa: E402
from tests.e2e.test_spaces_pages import PASSWORD, WIDTHS, overflow, tab  # noqa: E402


def market(language: str) -> dict[str, Any]:
    from groupket.orders.services import payments
    from tests.orders.factories import open_group_order, order_delivery, order_pickup

    organiser = MemberFactory(username=f"organiser.{language}", password=PASSWORD, name="김민수")
    buyer = MemberFactory(username=f"a.very-long-buyer-id.{language}", password=PASSWORD, name="Jane Smith")
    space = make_space(organiser, slug=f"market-{language}", name="서울 장터 Seoul Market")
    join(buyer, space)
    other = MemberFactory()
    join(other, space)
    order = open_group_order(
        organiser, space, item="제주 감귤 5kg 상자 " * 3, description="서귀포 농장에서 바로 보냅니다. " * 6
    )
    fresh = open_group_order(organiser, space, item="유기농 쌀 10kg")
    line = order_delivery(buyer, order, 2)
    order_pickup(other, order, 1)
    payments.mark_payment_received(actor=organiser, order=order, line_id=line.pk)
    return {"organiser": organiser, "buyer": buyer, "space": space, "order": order, "fresh": fresh, "line": line}


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_order_pages_pass_axe_and_fit_the_screen(live_server: Any, language: str, device: str) -> None:
    made = market(language)
    slug, order, fresh = made["space"].slug, made["order"], made["fresh"]
    buyer_pages = [
        f"/s/{slug}/orders/",
        f"/s/{slug}/orders/{order.pk}/",
        f"/s/{slug}/orders/{fresh.pk}/",
        "/me/orders/",
        f"/me/orders/{made['line'].number}/",
    ]
    organiser_pages = [f"/s/{slug}/orders/new/", f"/s/{slug}/orders/{order.pk}/manage/"]
    console_errors: list[str] = []
    too_wide: list[str] = []
    for who, pages in ((made["buyer"], buyer_pages), (made["organiser"], organiser_pages)):
        with tab(live_server.url, language, WIDTHS[device], console_errors) as audit:
            sign_in(audit, who.username, PASSWORD)
            for path in pages:
                audit.open(path)
                audit.check(path)
                if overflow(audit.page) > 0:
                    too_wide.append(f"{path}: {overflow(audit.page)} px too wide")
            if who is made["buyer"]:
                audit.open(f"/s/{slug}/orders/{fresh.pk}/")
                audit.page.check('input[name="method"][value="shipping"]')
                submit(audit.page)
                sync_api.expect(audit.page.locator("#partner-consent .errorlist")).to_be_visible()
                audit.check("checkout posted without consent")
            else:
                audit.open(f"/s/{slug}/orders/new/")
                submit(audit.page)
                sync_api.expect(audit.page.locator("main .errorlist").first).to_be_visible()
                audit.check("/orders/new/ posted empty")
        assert audit.findings == [], audit.report()
    assert too_wide == []
    assert console_errors == []
