"""Reads of deliveries for the organiser's page: each delivery line with its shipment, never an address."""

from dataclasses import dataclass

from groupket.orders.masking import mask_name
from groupket.orders.models import SHIPPING, GroupOrder, OrderLine, Shipment


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
