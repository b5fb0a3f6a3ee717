"""No oversell under concurrency (issue 12, section 1): orders fired together from many threads, each in its own
transaction with the group order's row locked, never pass the maximum."""

import threading

import pytest
from django.db import connection, connections

from groupket.core.keyring import load_keyring
from groupket.orders.models import GroupOrder, OrderLine
from groupket.orders.permissions import OrderActionDenied
from tests.factories import MemberFactory, join, make_space
from tests.orders.factories import open_group_order, order_pickup

BUYERS = 24


def fire_together(order: GroupOrder, buyers: list, quantity: int) -> tuple[int, int]:
    """Each buyer orders from a thread of its own, all released at once: (placed, refused)."""
    barrier = threading.Barrier(len(buyers))
    placed, refused, errors = [], [], []

    def attempt(buyer) -> None:
        try:
            barrier.wait()
            order_pickup(buyer, order, quantity)
            placed.append(buyer.pk)
        except OrderActionDenied:
            refused.append(buyer.pk)
        except Exception as error:  # noqa: BLE001 (reported below: any other failure fails the test)
            errors.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=attempt, args=(buyer,)) for buyer in buyers]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    return len(placed), len(refused)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under concurrency are PostgreSQL's; SQLite runs one writer at a time, so threads prove nothing",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_buyers_ordering_at_once_from_many_threads_never_pass_the_maximum() -> None:
    load_keyring()  # made before the threads start, as a running site's is
    organiser = MemberFactory()
    space = make_space(organiser)
    buyers = [MemberFactory() for _ in range(BUYERS)]
    for buyer in buyers:
        join(buyer, space)
    order = open_group_order(organiser, space, max_total=20, max_per_member=3)
    placed, refused = fire_together(order, buyers, quantity=3)
    order.refresh_from_db()
    ordered = sum(OrderLine.objects.filter(order=order, status="active").values_list("quantity", flat=True))
    assert (placed, refused) == (6, BUYERS - 6)  # 6 x 3 = 18; a seventh would make 21 > 20
    assert order.reserved_total == ordered == 18
    assert order.status == "open"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under concurrency are PostgreSQL's; SQLite runs one writer at a time, so threads prove nothing",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_buyer_checking_out_twice_at_once_gets_one_order_and_a_refusal_never_an_error() -> None:
    """Checkout writes the buyer's line before it locks the order: the second checkout's line clashes with the
    first's on the one-active-line constraint, and that is the refusal a buyer who has ordered gets."""
    load_keyring()
    organiser, buyer = MemberFactory(), MemberFactory()
    space = make_space(organiser)
    join(buyer, space)
    order = open_group_order(organiser, space, max_total=20, max_per_member=3)
    rounds = [fire_together(order, [buyer] * 8, quantity=1) for _ in range(3)]
    assert rounds == [(1, 7), (0, 8), (0, 8)]  # (placed, refused): later rounds find the first round's order
    order.refresh_from_db()
    assert OrderLine.objects.filter(order=order, buyer=buyer, status="active").count() == 1
    assert order.reserved_total == 1


@pytest.mark.django_db
def test_the_database_refuses_two_lines_of_one_order_with_the_same_pickup_code() -> None:
    from django.db import IntegrityError, transaction

    organiser, buyers = MemberFactory(), [MemberFactory(), MemberFactory()]
    space = make_space(organiser)
    for buyer in buyers:
        join(buyer, space)
    order = open_group_order(organiser, space)
    first = order_pickup(buyers[0], order)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(
            buyer=buyers[1], order=order, number="GK-TEST-0001", item=order.item, unit_price=1, quantity=1, amount=1,
            delivery_method="pickup", pickup_code=first.pickup_code,
        )  # fmt: skip
    assert OrderLine.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_the_database_itself_refuses_a_total_over_the_maximum() -> None:
    from django.db import IntegrityError, transaction

    organiser = MemberFactory()
    order = open_group_order(organiser, make_space(organiser), max_total=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupOrder.objects.filter(pk=order.pk).update(reserved_total=11)
    assert GroupOrder.objects.get(pk=order.pk).reserved_total == 0
