"""Handing consented buyers' delivery items to the shipping partner (P5.4): delivery code, run by a task.

Only a line whose buyer's per-order consent is in force at this moment (the purposes guard), only the
items the partner is declared to receive, and each hand-off a disclosure record the buyer is told of and
sees on /me/disclosures/. A line is handed off once: its Shipment row says so, and the order number is
the partner's Idempotency-Key, so a task run again sends nothing twice.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from groupket.core.actors import SystemActor
from groupket.orders import actions
from groupket.orders.models import SHIPPING, Delivery, GroupOrder, OrderEvent, OrderLine, Shipment
from groupket.orders.partner.client import PartnerApi, partner_api, send_shipment
from groupket.orders.partners import ShippingPartner, get_partner
from groupket.privacy.guard import require
from groupket.privacy.models import Disclosure
from groupket.privacy.services.disclosures import record_disclosure

HANDOFF_JOB = SystemActor.job("hand_off_deliveries")
# Orders whose lines go to the partner: confirmed (the minimum reached) and on until delivered.
HANDING_OFF = (GroupOrder.CONFIRMED, GroupOrder.SHIPPED)
_DETAIL_FIELDS = {
    "order_recipient": "recipient",
    "order_postal_code": "postal_code",
    "order_road_address": "road_address",
    "order_address_detail": "address_detail",
    "order_phone": "phone",
}


def log_event(order_id: int, action: str, *, actor_label: str, line: OrderLine | None = None, **detail: object) -> None:
    """A history row written by a job (never a member's items in `detail`); nobody is mailed for these."""
    OrderEvent.objects.create(order_id=order_id, actor_label=actor_label, line=line, action=action, detail=detail)


def delivery_lines(order: GroupOrder) -> list[OrderLine]:
    return list(
        OrderLine.objects.filter(order=order, status=OrderLine.ACTIVE, delivery_method=SHIPPING, delivery__isnull=False)
        .select_related("buyer", "delivery", "shipment")
        .order_by("pk")
    )


def declared_details(delivery: Delivery, partner: ShippingPartner) -> dict[str, str]:
    """Only the items this partner is declared to receive, keyed by inventory item."""
    return {key: getattr(delivery, _DETAIL_FIELDS[key]) for key in partner.items}


def hand_off_line(line: OrderLine, partner: ShippingPartner, *, method: str, actor_label: str) -> Shipment | None:
    """In its own transaction: the guard asked, the line's Shipment made and its disclosure recorded, once.

    None when the buyer's consent to this order's hand-off is no longer in force (nothing is handed off).
    """
    with transaction.atomic():
        line = OrderLine.objects.select_for_update().select_related("buyer").get(pk=line.pk)
        existing = Shipment.objects.filter(line=line).first()
        document = partner.consent_document(line.order_id)
        try:
            require(line.buyer, partner.recipient, items=list(partner.items), consent_document=document)
        except PermissionDenied:
            if existing is None:
                log_event(line.order_id, actions.HANDOFF_REFUSED, actor_label=actor_label, line=line)
            return None
        if existing is not None:
            return existing
        shipment = Shipment.objects.create(
            buyer_id=line.buyer_id, line=line, number=line.number, partner=partner.slug, method=method
        )
        record_disclosure(
            member=line.buyer,
            recipient=partner.slug,
            items=list(partner.items),
            basis=Disclosure.CONSENT,
            reference=line.number,
            notify_member=True,
            consent_document=document,
        )
    return shipment


def _send(api: PartnerApi, partner: ShippingPartner, line: OrderLine) -> None:
    details = declared_details(line.delivery, partner)
    shipment_id = send_shipment(api, reference=line.number, item=line.item, quantity=line.quantity, details=details)
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(line=line)
        if shipment.status != Shipment.QUEUED:
            return
        shipment.status, shipment.partner_shipment_id = Shipment.HANDED_OFF, shipment_id
        shipment.handed_off_at = timezone.now()
        shipment.save(update_fields=["status", "partner_shipment_id", "handed_off_at"])
        log_event(line.order_id, actions.HANDED_OFF, actor_label=HANDOFF_JOB.label, line=line, method=Shipment.API)


def hand_off_order(order_id: int) -> int:
    """Send every consented delivery line of a confirmed order to a partner with an API; how many were sent.

    A partner without an API gets the lines as the organiser's CSV download instead (services.delivery).
    Raises PartnerUnavailable when the partner does not answer: the task is tried again, sending only the rest.
    """
    order = GroupOrder.objects.filter(pk=order_id, status__in=HANDING_OFF).first()
    partner = get_partner(order.shipping_partner) if order else None
    api = partner_api(partner.slug) if partner else None
    if api is None:
        return 0
    sent = 0
    for line in delivery_lines(order):
        shipment = hand_off_line(line, partner, method=Shipment.API, actor_label=HANDOFF_JOB.label)
        if shipment is not None and shipment.status == Shipment.QUEUED:
            _send(api, partner, line)
            sent += 1
    return sent
