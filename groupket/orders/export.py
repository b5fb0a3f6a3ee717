"""What group orders put in a member's data export (P6.1): listed in settings.GROUPKET_EXPORT_SECTIONS."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from groupket.orders.models import Delivery
from groupket.orders.selectors import my_order_lines
from groupket.privacy.export_sections import export_section, timestamp

COLUMNS = {
    "number": _("Order number"),
    "item": _("Item"),
    "quantity": _("Quantity"),
    "amount": _("Amount (KRW)"),
    "status": _("Status"),
    "delivery_method": _("Delivery"),
    "payments": _("Payments"),
    "refunds": _("Refunds"),
    "delivery": _("Delivery details"),
}


def _delivery(line_id: int, deliveries: dict[int, Delivery]) -> dict[str, str] | None:
    delivery = deliveries.get(line_id)
    if delivery is None:
        return None
    return {
        "recipient": delivery.recipient,
        "postal_code": delivery.postal_code,
        "road_address": delivery.road_address,
        "address_detail": delivery.address_detail,
        "phone": delivery.phone,
        "partner": delivery.partner,
    }


@export_section(label=_("My group orders"), columns=COLUMNS)
def orders(member: AbstractBaseUser) -> list[dict[str, Any]]:
    lines = my_order_lines(member)
    deliveries = {row.line_id: row for row in Delivery.objects.filter(line__buyer_id=member.pk)}
    return [
        {
            "number": line.number,
            "item": line.item,
            "quantity": line.quantity,
            "amount": line.amount,
            "status": line.status,
            "delivery_method": line.delivery_method,
            "time": timestamp(line.created_at),
            "payments": [
                {"method": p.method, "amount": p.amount, "status": p.status, "received_at": timestamp(p.received_at)}
                for p in line.payments.all()
            ],
            "refunds": [
                {"amount": r.amount, "status": r.status, "reason": r.reason}
                for p in line.payments.all()
                for r in p.refunds.all()
            ],
            "delivery": _delivery(line.pk, deliveries),
        }
        for line in lines
    ]
