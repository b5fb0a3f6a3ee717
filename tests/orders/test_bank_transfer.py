"""Bank transfer (issue 12, section 3) and the organiser's view (section 5): the organiser's account shown to buyers,
each payment marked received, refunds recorded the same way and confirmed by the buyer; buyers' names masked, a
pickup buyer's ID and the code the organiser checks off; the buyer's orders and receipts on /me/orders/."""

import pytest
from django.test import Client

from groupket.orders.masking import mask_name
from groupket.orders.models import OrderEvent, OrderLine, Payment, Refund
from groupket.orders.services import group_orders
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.orders.factories import ACCOUNT, move_deadlines_to_the_past, open_group_order, order_delivery, order_pickup

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop() -> dict:
    organiser = MemberFactory()
    space = make_space(organiser)
    buyers = [MemberFactory(name="김민수"), MemberFactory(name="Jane Smith", username="jane.smith")]
    for buyer in buyers:
        join(buyer, space)
    order = open_group_order(organiser, space, min_total=2)
    organiser_client, buyer_client = Client(), Client()
    sign_in(organiser_client, organiser)
    sign_in(buyer_client, buyers[1])
    base = f"/s/{space.slug}/orders/{order.pk}/"
    return {"organiser": organiser, "buyers": buyers, "order": order, "org": organiser_client, "buyer": buyer_client,
            "base": base}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "masked"), [("김민수", "김*수"), ("이수", "이*"), ("남궁민수", "남**수"), ("Jane Smith", "J*** S****")]
)
def test_names_are_masked_as_receipts_show_them(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_the_organiser_sees_quantities_totals_payments_and_masked_names_but_no_address(shop: dict) -> None:
    order = shop["order"]
    pickup = order_pickup(shop["buyers"][0], order, 2)
    shipped = order_delivery(shop["buyers"][1], order, 1)
    page = shop["org"].get(shop["base"] + "manage/").content.decode()
    assert pickup.number in page and shipped.number in page
    assert "김*수" in page and "J*** S****" in page
    assert "김민수" not in page and "Jane Smith" not in page
    assert shop["buyers"][0].username in page  # pickup: the buyer's ID, to hand over to
    assert "jane.smith" not in page  # delivery: no ID, and never the address or phone
    assert "세종대로" not in page and "1012345678" not in page and pickup.pickup_code not in page
    assert "₩75,000" in page  # 3 x 25,000 ordered


def test_the_organiser_view_costs_the_same_queries_whatever_the_number_of_buyers(
    shop: dict, django_assert_num_queries
) -> None:
    from groupket.core import keys

    def page_queries() -> None:
        keys._opened.clear()  # the buyers' keys are opened on every page, as in a fresh process
        # session, sign-in, member, space, membership, order, lines, payments, refunds, data keys, the notices
        with django_assert_num_queries(11):
            assert shop["org"].get(shop["base"] + "manage/").status_code == 200

    order_pickup(shop["buyers"][0], shop["order"], 1)
    page_queries()
    for _ in range(5):
        buyer = MemberFactory()
        join(buyer, shop["order"].space)
        order_delivery(buyer, shop["order"], 1)
    page_queries()


def test_the_buyer_sees_the_account_the_organiser_marks_received_and_the_buyer_is_told(
    shop: dict, django_capture_on_commit_callbacks, mail_dir
) -> None:
    line = order_pickup(shop["buyers"][1], shop["order"], 2)
    receipt = shop["buyer"].get(f"/me/orders/{line.number}/").content.decode()
    assert ACCOUNT.account_number in receipt and ACCOUNT.account_holder in receipt and "Awaiting payment" in receipt
    with django_capture_on_commit_callbacks(execute=True):
        response = shop["org"].post(shop["base"] + "manage/received/", {"row": line.pk})
    assert response.status_code == 302
    payment = Payment.objects.get(line=line)
    assert payment.status == "received" and payment.received_at is not None
    assert OrderEvent.objects.get(action="payment_received").actor_id == shop["organiser"].pk
    assert "The organiser received your payment" in "".join(p.read_text() for p in mail_dir.glob("*.eml"))
    # Marking twice changes nothing; a buyer cannot mark at all.
    shop["org"].post(shop["base"] + "manage/received/", {"row": line.pk})
    assert OrderEvent.objects.filter(action="payment_received").count() == 1
    assert shop["buyer"].post(shop["base"] + "manage/received/", {"row": line.pk}).status_code == 403


def test_a_refund_is_sent_by_the_organiser_and_confirmed_by_the_buyer_until_nothing_is_outstanding(shop: dict) -> None:
    line = order_pickup(shop["buyers"][1], shop["order"], 2)
    shop["org"].post(shop["base"] + "manage/received/", {"row": line.pk})
    group_orders.cancel_order(actor=shop["organiser"], order=shop["order"])
    refund = Refund.objects.get()
    assert "Refunds outstanding" in shop["org"].get(shop["base"] + "manage/").content.decode()
    # The buyer cannot confirm what was not sent yet; the organiser marks it sent.
    receipt = shop["buyer"].get(f"/me/orders/{line.number}/").content.decode()
    assert "The organiser has yet to send it." in receipt
    shop["org"].post(shop["base"] + "manage/refunded/", {"row": refund.pk})
    assert Refund.objects.get().status == "sent"
    other = Client()
    sign_in(other, shop["buyers"][0])
    assert other.post(f"/me/orders/{line.number}/refund/", {"row": refund.pk}).status_code == 404
    shop["buyer"].post(f"/me/orders/{line.number}/refund/", {"row": refund.pk})
    assert Refund.objects.get().status == "confirmed"
    assert "Refunds outstanding" not in shop["org"].get(shop["base"] + "manage/").content.decode()


def test_a_paid_buyer_cancelling_is_owed_a_refund_and_may_not_change_the_quantity(shop: dict) -> None:
    line = order_pickup(shop["buyers"][1], shop["order"], 2)
    shop["org"].post(shop["base"] + "manage/received/", {"row": line.pk})
    response = shop["buyer"].post(shop["base"] + "change/", {"submission": "c" * 32, "quantity": "3"})
    assert response.status_code == 403 and "You can still cancel" in response.content.decode()
    assert OrderLine.objects.get(pk=line.pk).quantity == 2
    shop["buyer"].post(shop["base"] + "cancel/", {"submission": "d" * 32})
    assert OrderLine.objects.get(pk=line.pk).status == "cancelled"
    assert Refund.objects.get().amount == 50_000


def test_an_unpaid_buyer_changes_the_quantity_and_the_amount_follows(shop: dict) -> None:
    line = order_pickup(shop["buyers"][1], shop["order"], 2)
    shop["buyer"].post(shop["base"] + "change/", {"submission": "e" * 32, "quantity": "4", "amount": "1"})
    line.refresh_from_db()
    assert (line.quantity, line.amount, Payment.objects.get(line=line).amount) == (4, 100_000, 100_000)
    shop["buyer"].post(shop["base"] + "change/", {"submission": "e" * 32, "quantity": "1"})  # the same form again
    assert OrderLine.objects.get(pk=line.pk).quantity == 4


def test_a_pickup_is_checked_off_by_the_code_the_buyer_shows(shop: dict) -> None:
    line = order_pickup(shop["buyers"][0], shop["order"], 2)
    move_deadlines_to_the_past(shop["order"])
    from tests.orders.test_lifecycle import settle

    settle()
    wrong = "000000" if line.pickup_code != "000000" else "111111"
    response = shop["org"].post(shop["base"] + "manage/pickup/", {"code": wrong})
    assert response.status_code == 400 and "No order waiting for pickup has this code." in response.content.decode()
    shop["org"].post(shop["base"] + "manage/pickup/", {"code": line.pickup_code})
    assert OrderLine.objects.get(pk=line.pk).picked_up_at is not None
    assert OrderEvent.objects.filter(action="picked_up", line=line).count() == 1


def test_my_orders_lists_the_members_orders_with_a_receipt_each_and_no_one_elses(
    shop: dict, django_assert_num_queries
) -> None:
    mine = order_delivery(shop["buyers"][1], shop["order"], 1)
    theirs = order_pickup(shop["buyers"][0], shop["order"], 1)
    shop["buyer"].get("/me/orders/")
    # session, sign-in, member, lines with their orders and spaces, payments, refunds, the notices
    with django_assert_num_queries(7):
        page = shop["buyer"].get("/me/orders/").content.decode()
    assert mine.number in page and theirs.number not in page
    receipt = shop["buyer"].get(f"/me/orders/{mine.number}/").content.decode()
    assert "₩25,000" in receipt and "세종대로" in receipt
    assert shop["buyer"].get(f"/me/orders/{theirs.number}/").status_code == 404
    assert Client().get("/me/orders/").status_code == 302
