"""Reads of group orders that pages need, each with a fixed number of queries (Habit 2, 13)."""

import re
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from groupket.core.keys import open_data_keys
from groupket.orders.masking import mask_name
from groupket.orders.models import PICKUP, SHIPPING, GroupOrder, GroupOrderPhoto, OrderLine, Payment, Refund, Shipment
from groupket.spaces.models import Space

ORDER_NUMBER = re.compile(r"^GK-[0-9A-Z]{4}-[0-9A-Z]{4}$")


# A page lists photos by id and size; their bytes are read only by the view that serves one.
PHOTO_FIELDS = ("id", "order_id", "position", "width", "height")


def space_orders(space: Space) -> QuerySet[GroupOrder]:
    """The space's orders, newest first, each with its photos' ids (for the first one's thumbnail): two queries."""
    photos = Prefetch("photos", queryset=GroupOrderPhoto.objects.only(*PHOTO_FIELDS))
    return GroupOrder.objects.filter(space=space).prefetch_related(photos).order_by("-created_at", "-pk")


def order_photos(order: GroupOrder) -> list[GroupOrderPhoto]:
    return list(GroupOrderPhoto.objects.filter(order=order).only(*PHOTO_FIELDS))


def order_photo(order: GroupOrder, photo_id: int, *, thumbnail: bool) -> tuple[bytes, str] | None:
    """One photo's bytes (or its small copy's) and its type, if it is one of this order's."""
    column = "thumbnail" if thumbnail else "photo"
    found = GroupOrderPhoto.objects.filter(order=order, pk=photo_id).values_list(column, "content_type").first()
    return None if found is None else (bytes(found[0]), found[1])


def order_in_space(space: Space, order_id: int) -> GroupOrder | None:
    return GroupOrder.objects.select_related("space", "transfer_account").filter(space=space, pk=order_id).first()


def active_line_of(order: GroupOrder, member: AbstractBaseUser) -> OrderLine | None:
    lines = OrderLine.objects.filter(order=order, buyer_id=member.pk, status=OrderLine.ACTIVE)
    return lines.prefetch_related("payments").first()


def _with_money(lines: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    payments = Prefetch("payments", queryset=Payment.objects.order_by("pk"))
    refunds = Prefetch("payments__refunds", queryset=Refund.objects.order_by("pk"))
    return lines.prefetch_related(payments, refunds)


@dataclass(frozen=True)
class OrganiserRow:
    """One line as the organiser sees it: the buyer's name masked, their ID only for a pickup."""

    line: OrderLine
    masked_name: str
    pickup_id: str | None
    payment: Payment | None
    refunds: list[Refund]


@dataclass(frozen=True)
class OrganiserView:
    rows: list[OrganiserRow]
    quantity: int
    amount: int
    received: int
    payments_awaited: int
    refunds_outstanding: list[Refund]


def _row(line: OrderLine) -> OrganiserRow:
    payments = list(line.payments.all())
    payment = payments[-1] if payments else None
    refunds = [refund for payment in payments for refund in payment.refunds.all()]
    pickup_id = line.buyer.username if line.delivery_method == PICKUP else None
    return OrganiserRow(line, mask_name(line.buyer.name), pickup_id, payment, refunds)


def organiser_view(order: GroupOrder) -> OrganiserView:
    """Every line of the order with its payment and refunds; four queries whatever the number of buyers."""
    lines = list(
        _with_money(OrderLine.objects.filter(order=order).select_related("buyer").order_by("created_at", "pk"))
    )
    open_data_keys(line.buyer.data_key_id for line in lines)
    rows = [_row(line) for line in lines]
    active = [row for row in rows if row.line.is_active]
    return OrganiserView(
        rows=rows,
        quantity=sum(row.line.quantity for row in active),
        amount=sum(row.line.amount for row in active),
        received=sum(row.payment.amount for row in rows if row.payment and row.payment.status == Payment.RECEIVED),
        payments_awaited=sum(1 for row in active if row.payment and row.payment.status == Payment.PENDING),
        refunds_outstanding=[refund for row in rows for refund in row.refunds if refund.status != Refund.CONFIRMED],
    )


def my_order_lines(member: AbstractBaseUser) -> list[OrderLine]:
    """The member's orders, newest first, with their group orders, spaces, payments and refunds: four queries."""
    lines = OrderLine.objects.filter(buyer_id=member.pk).select_related("order__space").order_by("-created_at", "-pk")
    return list(_with_money(lines))


def my_receipt(member: AbstractBaseUser, number: str) -> OrderLine | None:
    if not ORDER_NUMBER.match(number):
        return None  # not one of ours (PostgreSQL refuses a NUL in a query, so junk never reaches it)
    lines = OrderLine.objects.filter(buyer_id=member.pk, number=number)
    lines = lines.select_related("order__space", "order__transfer_account", "delivery")
    return _with_money(lines).first()


# Deliveries for the organiser's page: each delivery line with its shipment, never an address.
@dataclass(frozen=True)
class DeliveryRow:
    line: OrderLine
    masked_name: str
    shipment: Shipment | None


def delivery_rows(order: GroupOrder) -> list[DeliveryRow]:
    lines = (
        OrderLine.objects.filter(order=order, status=OrderLine.ACTIVE, delivery_method=SHIPPING)
        .select_related("buyer", "shipment")
        .order_by("pk")
    )
    return [DeliveryRow(line, mask_name(line.buyer.name), getattr(line, "shipment", None)) for line in lines]
