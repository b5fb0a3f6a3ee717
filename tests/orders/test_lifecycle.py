"""A group order's states (issue 12, section 1): each change a service with its actor, in the order's history, and
told to the buyers it concerns; the hourly job closes orders at their deadline, decides confirmed or failed, and
cancels bank-transfer lines still unpaid after the payment deadline."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import Client

from groupket.core.actors import ActorRequired
from groupket.core.mail import MailNotSent, stable_message_id
from groupket.core.schedules import get_job, run_job
from groupket.orders.emails import deliver_order_notices
from groupket.orders.models import Cancellation, GroupOrder, OrderEvent, OrderLine, Payment, Refund
from groupket.orders.services import group_orders, payments
from groupket.orders.services.group_orders import decide_order
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.orders.factories import move_deadlines_to_the_past, open_group_order, order_delivery, order_pickup
from tests.smtp_peer import SmtpPeer, smtp_peer_fixture, use_email_url  # noqa: F401 (the fixture)
from tests.smtp_peer import recipients as smtp_recipients

pytestmark = pytest.mark.django_db


def mails(mail_dir: Path) -> list[EmailMessage]:
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]


@pytest.fixture
def shop() -> dict:
    organiser = MemberFactory()
    space = make_space(organiser)
    buyers = [MemberFactory() for _ in range(3)]
    for buyer in buyers:
        join(buyer, space)
    order = open_group_order(organiser, space, min_total=5, max_total=10)
    return {"organiser": organiser, "space": space, "buyers": buyers, "order": order}


def settle() -> int:
    return run_job(get_job("settle_group_orders"))


def actions(order: GroupOrder) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).order_by("created_at", "pk").values_list("action", flat=True))


def test_reaching_the_minimum_by_the_deadline_confirms_the_order_and_tells_each_buyer(
    shop: dict, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    order, (first, second, _third) = shop["order"], shop["buyers"]
    order_pickup(first, order, 3)
    order_delivery(second, order, 2)
    move_deadlines_to_the_past(order)
    with django_capture_on_commit_callbacks(execute=True):
        assert settle() == 1
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert actions(order)[-2:] == ["order_closed", "order_confirmed"]
    confirmed = OrderEvent.objects.get(order=order, action="order_confirmed")
    assert confirmed.actor is None and confirmed.actor_label == "scheduled job settle_group_orders"
    told = [m for m in mails(mail_dir) if "Group order confirmed" in m["Subject"]]
    assert sorted(m["To"] for m in told) == sorted([first.email, second.email])
    body = told[0].get_content()
    assert "reached its minimum" in body and "최소 수량" in body


def test_missing_the_minimum_fails_the_order_cancels_every_line_and_asks_the_organiser_to_refund(
    shop: dict, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    order, (first, second, _third) = shop["order"], shop["buyers"]
    paid = order_pickup(first, order, 2)
    unpaid = order_pickup(second, order, 1)
    payments.mark_payment_received(actor=shop["organiser"], order=order, line_id=paid.pk)
    move_deadlines_to_the_past(order)
    with django_capture_on_commit_callbacks(execute=True):
        settle()
    order.refresh_from_db()
    assert (order.status, order.reserved_total) == ("failed", 0)
    assert set(OrderLine.objects.values_list("status", flat=True)) == {"cancelled"}
    assert set(Cancellation.objects.values_list("reason", flat=True)) == {"order_failed"}
    assert Payment.objects.get(line=unpaid).status == "void"
    refund = Refund.objects.get()
    assert (refund.payment.line_id, refund.amount, refund.status) == (paid.pk, 50_000, "due")
    subjects = {(m["To"], m["Subject"].split(" / ")[0].strip()) for m in mails(mail_dir)}
    failed = "[Groupket] Group order did not reach its minimum: Jeju tangerines, 5 kg box"
    assert {(first.email, failed), (second.email, failed), (shop["organiser"].email, failed)} <= subjects
    # The order shows what is outstanding until the buyer confirms the refund arrived.
    organiser = Client()
    sign_in(organiser, shop["organiser"])
    page = organiser.get(f"/s/{shop['space'].slug}/orders/{order.pk}/manage/").content.decode()
    assert "Refunds outstanding" in page and paid.number in page


def test_unpaid_bank_transfer_lines_are_cancelled_after_the_payment_deadline(
    shop: dict, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    order, (first, second, _third) = shop["order"], shop["buyers"]
    paid = order_pickup(first, order, 3)
    unpaid = order_pickup(second, order, 3)
    payments.mark_payment_received(actor=shop["organiser"], order=order, line_id=paid.pk)
    move_deadlines_to_the_past(order)
    settle()
    assert GroupOrder.objects.get(pk=order.pk).status == "confirmed"
    assert OrderLine.objects.get(pk=unpaid.pk).is_active  # not yet: the payment deadline has not passed
    move_deadlines_to_the_past(order, payment=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert settle() == 1
    assert OrderLine.objects.get(pk=unpaid.pk).status == "cancelled"
    assert Cancellation.objects.get(line=unpaid).reason == "unpaid"
    assert OrderLine.objects.get(pk=paid.pk).is_active
    order.refresh_from_db()
    assert (order.status, order.reserved_total) == ("confirmed", 3)
    told = [m["To"] for m in mails(mail_dir) if "cancelled unpaid" in m["Subject"]]
    assert told == [second.email]
    assert settle() == 0  # a second run finds nothing more to do


def test_reaching_the_maximum_closes_at_once_and_a_cancellation_before_the_deadline_reopens(shop: dict) -> None:
    from groupket.orders.forms import new_submission_key
    from groupket.orders.services.lines import cancel_my_order

    order, (first, second, _third) = shop["order"], shop["buyers"]
    order_pickup(first, order, 5)
    order_pickup(second, order, 5)
    assert GroupOrder.objects.get(pk=order.pk).status == "closed"
    cancel_my_order(actor=first, order=order, submission=new_submission_key())
    order.refresh_from_db()
    assert (order.status, order.reserved_total) == ("open", 5)
    assert actions(order)[-3:] == ["order_closed", "line_cancelled", "order_reopened"]


def test_the_organiser_ships_then_completes_and_each_step_is_told_and_recorded(
    shop: dict, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    order, (first, *_others) = shop["order"], shop["buyers"]
    order_pickup(first, order, 5)
    move_deadlines_to_the_past(order)
    settle()
    client = Client()
    sign_in(client, shop["organiser"])
    url = f"/s/{shop['space'].slug}/orders/{order.pk}/manage/state/"
    assert client.post(url, {"to": "completed", "confirm": "1"}).status_code == 403  # not yet shipped
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"to": "shipped", "confirm": "1"})
        client.post(url, {"to": "completed", "confirm": "1"})
    assert GroupOrder.objects.get(pk=order.pk).status == "completed"
    shipped = OrderEvent.objects.get(order=order, action="order_shipped")
    assert shipped.actor_id == shop["organiser"].pk
    subjects = [m["Subject"] for m in mails(mail_dir) if m["To"] == first.email]
    assert any("Group order shipped" in s for s in subjects) and any("Group order completed" in s for s in subjects)


def test_the_organiser_cancels_before_shipping_and_every_paid_buyer_is_owed_a_refund(shop: dict) -> None:
    order, (first, second, _third) = shop["order"], shop["buyers"]
    for line in (order_pickup(first, order, 2), order_pickup(second, order, 1)):
        payments.mark_payment_received(actor=shop["organiser"], order=order, line_id=line.pk)
    group_orders.cancel_order(actor=shop["organiser"], order=order)
    assert GroupOrder.objects.get(pk=order.pk).status == "cancelled"
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [25_000, 50_000]
    assert set(Cancellation.objects.values_list("reason", flat=True)) == {"order_cancelled"}


def test_only_its_organiser_moves_an_order_and_a_job_acts_only_as_a_named_actor(shop: dict) -> None:
    from groupket.spaces.permissions import SpaceActionDenied

    with pytest.raises(SpaceActionDenied):
        group_orders.cancel_order(actor=shop["buyers"][0], order=shop["order"])
    with pytest.raises(ActorRequired):
        decide_order(actor=None, order=shop["order"])
    assert GroupOrder.objects.get(pk=shop["order"].pk).status == "open"


def test_a_notice_task_retried_after_the_mail_server_refused_part_way_mails_only_the_buyers_it_had_not_reached(
    shop: dict, smtp_peer: SmtpPeer, settings: pytest.FixtureRequest, django_capture_on_commit_callbacks
) -> None:
    order, buyers = shop["order"], shop["buyers"]
    for buyer in buyers:
        order_pickup(buyer, order, 2)
    move_deadlines_to_the_past(order)
    use_email_url(settings, smtp_peer.url(auth=False))
    smtp_peer.sink.accept_at_most = 1  # the mail server goes away at the second buyer
    with django_capture_on_commit_callbacks(execute=False):
        assert settle() == 1
    confirmed = OrderEvent.objects.get(order=order, action="order_confirmed")

    with pytest.raises(MailNotSent):
        deliver_order_notices(event_id=confirmed.pk)
    assert smtp_recipients(smtp_peer) == [buyers[0].email]

    smtp_peer.sink.accept_at_most = None
    assert deliver_order_notices(event_id=confirmed.pk) == 2
    assert smtp_recipients(smtp_peer) == sorted(buyer.email for buyer in buyers)  # each exactly once
    assert deliver_order_notices(event_id=confirmed.pk) == 0
    # Should a crash fall between a mail and its mark, the mail sent again carries the same Message-ID.
    message_ids = [str(message["Message-ID"]) for message in smtp_peer.sink.messages]
    assert message_ids[0] == stable_message_id("order-notice", confirmed.pk, buyers[0].pk)
    assert len(set(message_ids)) == 3
