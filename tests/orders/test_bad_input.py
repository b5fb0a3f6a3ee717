"""Random input to every group order form: never a 500, and nothing half-changed (issue 12, section 6)."""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groupket.orders.models import GroupOrder, OrderEvent, OrderLine, Payment
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.orders.factories import open_group_order, order_pickup
from tests.test_bad_input import FUZZ, junk

ORDER_FORMS = {
    "/s/hiking-club/orders/new/": [
        "item", "description", "unit_price", "min_total", "max_total", "min_per_member", "max_per_member",
        "order_deadline", "payment_deadline", "expected_delivery", "shipping_partner", "offers_pickup",
        "pickup_place", "pickup_time", "bank", "account_number", "account_holder",
    ],
    "/s/hiking-club/orders/{order}/checkout/": [
        "submission", "quantity", "method", "recipient", "postal_code", "road_address", "address_detail", "phone",
        "save_for_next_time", "partner_consent", "amount", "payment_method",
    ],
    "/s/hiking-club/orders/{order}/change/": ["submission", "quantity", "amount"],
    "/s/hiking-club/orders/{order}/cancel/": ["submission"],
    "/s/hiking-club/orders/{order}/manage/received/": ["row"],
    "/s/hiking-club/orders/{order}/manage/refunded/": ["row"],
    "/s/hiking-club/orders/{order}/manage/pickup/": ["code"],
    "/s/hiking-club/orders/{order}/manage/state/": ["to", "confirm"],
    "/s/hiking-club/orders/{order}/photos/": ["photos", "remove"],
    "/me/orders/{number}/refund/": ["row"],
    "/me/orders/{number}/card/": ["submission"],
}  # fmt: skip
tricky = st.one_of(
    junk,
    st.sampled_from(
        ["0", "-1", "1.5", "99999999999999999999", "1", "3", "pickup", "shipping", "on", "cancelled", "shipped",
         "a" * 32, "2026-12-31T18:00", "2020-01-01", "04524", "010-1234-5678", "hangang-express", "card",
         "transfer"]
    ),
)  # fmt: skip


def tricky_form(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional={name: tricky for name in names})


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", list(ORDER_FORMS))
def test_order_forms_answer_random_input_without_a_server_error(pattern: str) -> None:
    organiser, buyer = MemberFactory(), MemberFactory()
    space = make_space(organiser)
    join(buyer, space)
    order = open_group_order(organiser, space, max_total=10, max_per_member=3)
    line = order_pickup(buyer, order, 2)
    url = pattern.format(order=order.pk, number=line.number)
    client = Client(raise_request_exception=True)
    sign_in(client, organiser if "/manage/" in url or url.endswith(("/new/", "/photos/")) else buyer)

    @FUZZ
    @given(data=tricky_form(ORDER_FORMS[pattern]))
    def post_random(data: dict) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post_random()
    # Whatever was refused left no trace; whatever was done kept every total true.
    for made in GroupOrder.objects.all():
        active = OrderLine.objects.filter(order=made, status="active")
        assert made.reserved_total == sum(active.values_list("quantity", flat=True)) <= made.max_total
        for each in active:
            assert (
                each.amount
                == each.unit_price * each.quantity
                == Payment.objects.exclude(status="void").get(line=each).amount
            )
    assert OrderEvent.objects.filter(action="order_opened").count() == GroupOrder.objects.count()


GET_PAGES = [
    "/s/hiking-club/orders/{}/",
    "/s/hiking-club/orders/{}/photos/",
    "/s/hiking-club/orders/1/photos/{}/",
    "/s/hiking-club/orders/{}/manage/",
    "/me/orders/{}/",
    "/me/orders/{}/card/success/",
    "/me/orders/{}/card/fail/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", GET_PAGES)
def test_mangled_order_addresses_get_a_clear_answer(page: str) -> None:
    from urllib.parse import quote

    organiser = MemberFactory()
    open_group_order(organiser, make_space(organiser))
    client = Client(raise_request_exception=True)
    sign_in(client, organiser)

    @FUZZ
    @given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=100))
    def open_page(value: str) -> None:
        response = client.get(page.format(quote(value, safe="")))
        assert response.status_code < 500, (page, value)

    open_page()


@pytest.mark.django_db
def test_the_payment_webhook_answers_any_body_without_a_server_error(settings) -> None:
    """A webhook is never trusted: junk is ignored (200); a well-formed one whose payment cannot be fetched (no
    gateway listens here) asks to be sent again (503). Nothing changes either way."""
    settings.GROUPKET_PAYMENT_URL = "http://127.0.0.1:9"
    client = Client(raise_request_exception=True)

    @FUZZ
    @given(
        body=st.one_of(
            st.binary(max_size=200),
            st.builds(
                lambda key, status: json.dumps(
                    {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": key, "status": status}}
                ).encode(),
                st.text(max_size=40),
                st.text(max_size=10),
            ),
        )
    )
    def post_random(body: bytes) -> None:
        response = client.post("/orders/payments/webhook/", body, content_type="application/json")
        assert response.status_code in (200, 503), body

    post_random()
    assert not Payment.objects.exists()
