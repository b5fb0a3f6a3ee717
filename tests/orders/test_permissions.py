"""Each permission check of a group order on its own, without a database (Habit 12)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groupket.orders import permissions
from groupket.orders.models import GroupOrder, OrderLine
from groupket.orders.permissions import OrderActionDenied
from groupket.spaces.models import Membership, Space

NOW = timezone.now()


def order(**fields: object) -> GroupOrder:
    defaults = {"pk": 1, "organiser_id": 1, "status": GroupOrder.OPEN, "order_deadline": NOW + timedelta(days=1)}
    defaults |= {"min_per_member": 1, "max_per_member": 5, "max_total": 20}
    return GroupOrder(**{**defaults, **fields})


def membership(role: str = Membership.MEMBER, status: str = Membership.ACTIVE, member_id: int = 3) -> Membership:
    return Membership(space_id=1, member_id=member_id, role=role, status=status)


ORGANISER = membership(Membership.ORGANISER, member_id=1)
OTHER_ORGANISER = membership(Membership.OWNER, member_id=2)
MEMBER = membership()
REQUESTED = membership(status=Membership.REQUESTED)


def allowed(check, *args: object, **kwargs: object) -> bool:
    try:
        check(*args, **kwargs)
    except OrderActionDenied:
        return False
    return True


def test_a_refusal_is_a_spaces_refusal_so_the_views_answer_it_as_a_403_saying_why() -> None:
    from groupket.spaces.permissions import SpaceActionDenied

    assert issubclass(OrderActionDenied, SpaceActionDenied)
    with pytest.raises(OrderActionDenied, match="organisers"):
        permissions.check_can_open_order(Space(pk=1), MEMBER)


def test_organisers_open_orders_in_open_spaces_and_only_the_opener_runs_one() -> None:
    assert allowed(permissions.check_can_open_order, Space(pk=1), ORGANISER)
    assert not allowed(permissions.check_can_open_order, Space(pk=1, closed_at=NOW), ORGANISER)
    assert allowed(permissions.check_runs_order, order(), ORGANISER, 1)
    assert not allowed(permissions.check_runs_order, order(), OTHER_ORGANISER, 2)
    assert not allowed(permissions.check_runs_order, order(), membership(member_id=1), 1)  # no longer runs the space


def test_active_members_order_once_before_the_deadline() -> None:
    assert allowed(permissions.check_can_place, order(), MEMBER, now=NOW, has_line=False)
    assert not allowed(permissions.check_can_place, order(), REQUESTED, now=NOW, has_line=False)
    assert not allowed(permissions.check_can_place, order(), MEMBER, now=NOW, has_line=True)
    assert not allowed(permissions.check_can_place, order(), MEMBER, now=NOW + timedelta(days=2), has_line=False)
    assert not allowed(permissions.check_can_place, order(status=GroupOrder.CONFIRMED), MEMBER, now=NOW, has_line=False)
    # Closed by its maximum, before the deadline: a member may still change or cancel.
    line = OrderLine(buyer_id=3, status=OrderLine.ACTIVE)
    assert allowed(permissions.check_can_change_line, order(status=GroupOrder.CLOSED), line, 3, now=NOW)
    assert not allowed(permissions.check_can_change_line, order(), line, 4, now=NOW)
    assert not allowed(permissions.check_can_change_line, order(), None, 3, now=NOW)


@pytest.mark.parametrize(
    ("quantity", "others", "ok"), [(1, 0, True), (5, 15, True), (5, 16, False), (6, 0, False), (0, 0, False)]
)
def test_quantities_keep_the_per_member_limits_and_the_maximum(quantity: int, others: int, ok: bool) -> None:
    assert allowed(permissions.check_quantity, order(), quantity=quantity, others=others) is ok


@pytest.mark.parametrize(
    ("status", "to", "ok"),
    [
        (GroupOrder.CONFIRMED, GroupOrder.SHIPPED, True),
        (GroupOrder.OPEN, GroupOrder.SHIPPED, False),
        (GroupOrder.SHIPPED, GroupOrder.COMPLETED, True),
        (GroupOrder.CONFIRMED, GroupOrder.COMPLETED, False),
        (GroupOrder.CONFIRMED, GroupOrder.CANCELLED, True),
        (GroupOrder.SHIPPED, GroupOrder.CANCELLED, False),
        (GroupOrder.FAILED, GroupOrder.CANCELLED, False),
    ],
)
def test_the_organiser_moves_an_order_only_along_its_states(status: str, to: str, ok: bool) -> None:
    assert allowed(permissions.check_can_change_state, order(status=status), to=to) is ok


@pytest.mark.parametrize(
    ("fields", "who", "actor_id", "ok"),
    [
        ({}, ORGANISER, 1, True),
        ({}, OTHER_ORGANISER, 2, False),  # runs the space, but did not open this order
        ({}, MEMBER, 3, False),
        ({}, None, 1, False),  # the opener who left the space
        ({"status": GroupOrder.CLOSED}, ORGANISER, 1, False),  # full: buyers ordered what they saw
        ({"status": GroupOrder.CONFIRMED}, ORGANISER, 1, False),
        ({"order_deadline": NOW - timedelta(minutes=1)}, ORGANISER, 1, False),  # past the deadline, not yet decided
    ],
    ids=["the opener", "another organiser", "a member", "no membership", "closed", "confirmed", "deadline passed"],
)
def test_only_the_opener_changes_the_photos_while_the_order_is_open(fields: dict, who, actor_id: int, ok: bool) -> None:
    check = permissions.check_can_change_photos
    assert allowed(check, order(**fields), who, actor_id, now=NOW) is ok
