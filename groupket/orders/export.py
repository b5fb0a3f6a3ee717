"""What group orders put in a member's data export (P6.1): listed in settings.GROUPKET_EXPORT_SECTIONS."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from groupket.orders.models import Delivery, Dispute, Shipment
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
    "shipment": _("Delivery status"),
    "disputes": _("Disputes"),
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


def _shipment(shipment: Shipment | None) -> dict[str, Any] | None:
    if shipment is None:
        return None
    return {
        "partner": shipment.partner,
        "status": shipment.status,
        "tracking_number": shipment.tracking_number,
        "handed_off_at": timestamp(shipment.handed_off_at),
        "delivered_at": timestamp(shipment.delivered_at),
        "received_at": timestamp(shipment.received_at),
    }


def _disputes(disputes: list[Dispute]) -> list[dict[str, Any]]:
    return [
        {
            "text": dispute.text,
            "status": dispute.status,
            "time": timestamp(dispute.created_at),
            "images": len(dispute.images.all()),
            "answers": [
                {"role": a.role, "text": a.text, "time": timestamp(a.created_at)} for a in dispute.answers.all()
            ],
        }
        for dispute in disputes
    ]


@export_section(label=_("My group orders"), columns=COLUMNS)
def orders(member: AbstractBaseUser) -> list[dict[str, Any]]:
    lines = my_order_lines(member)
    deliveries = {row.line_id: row for row in Delivery.objects.filter(line__buyer_id=member.pk)}
    shipments = {row.line_id: row for row in Shipment.objects.filter(buyer_id=member.pk)}
    disputes: dict[int, list[Dispute]] = {}
    for dispute in Dispute.objects.filter(buyer_id=member.pk).prefetch_related("images", "answers").order_by("pk"):
        disputes.setdefault(dispute.line_id, []).append(dispute)
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
            "shipment": _shipment(shipments.get(line.pk)),
            "disputes": _disputes(disputes.get(line.pk, [])),
        }
        for line in lines
    ]
