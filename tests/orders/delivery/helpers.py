from groupket.orders.jobs import settle_group_orders
from groupket.orders.models import GroupOrder, OrderLine
from tests.orders.factories import move_deadlines_to_the_past, order_delivery, order_pickup


def confirm(order: GroupOrder, capture) -> None:
    """The order deadline passes and the hourly job confirms it (its hand-off runs after commit)."""
    move_deadlines_to_the_past(order)
    with capture(execute=True):
        settle_group_orders()
    order.refresh_from_db()
    assert order.status == GroupOrder.CONFIRMED


def two_deliveries_and_a_pickup(shop: dict) -> tuple[OrderLine, OrderLine, OrderLine]:
    first, second, third = shop["buyers"]
    order = shop["order"]
    return order_delivery(first, order, 1), order_delivery(second, order, 2), order_pickup(third, order, 1)
