"""Deliveries of a group order: the organiser's CSV hand-off, delivery confirmations from the partner's signed
webhook or the organiser, the buyer's receipt, and the order completed once every line has arrived (P5.4, P8.2)."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from groupket.core.actors import Actor, SystemActor, acting
from groupket.orders import permissions
from groupket.orders.models import PICKUP, GroupOrder, OrderLine, PartnerWebhook, Shipment
from groupket.orders.partner.client import partner_api
from groupket.orders.partner.handoff import declared_details, delivery_lines, hand_off_line
from groupket.orders.partners import get_partner
from groupket.orders.services import history
from groupket.orders.services.group_orders import _set_status, locked_order
from groupket.spaces.selectors import membership_of

CSV_HEADER = {
    "order_recipient": "recipient",
    "order_postal_code": "postal_code",
    "order_road_address": "road_address",
    "order_address_detail": "address_detail",
    "order_phone": "phone",
}


def handoff_csv(*, actor: AbstractBaseUser, order: GroupOrder) -> str:
    """The organiser downloads the consented delivery lines for a partner without an API (its portal takes a CSV).

    The purposes guard is asked for each buyer now; the first download of a line is its hand-off, recorded as
    a disclosure the buyer sees. Only the items the partner is declared to receive are in the file.
    """
    # One transaction: the file's lines, their shipments, disclosures and the history row stand or fall together.
    with transaction.atomic():
        order = locked_order(order)
        permissions.check_runs_order(order, membership_of(order.space, actor), actor.pk)
        partner = get_partner(order.shipping_partner)
        permissions.check_can_download_handoff(order, has_api=partner_api(order.shipping_partner) is not None)
        if partner is None:
            raise ValueError(f"group order {order.pk} names an unknown shipping partner")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["order_number", "item", "quantity", *(CSV_HEADER[key] for key in partner.items)])
        rows = 0
        for line in delivery_lines(order):
            shipment = hand_off_line(line, partner, method=Shipment.CSV, actor_label=f"organiser {actor.pk}")
            if shipment is None:
                continue
            if shipment.status == Shipment.QUEUED:
                shipment.status, shipment.handed_off_at = Shipment.HANDED_OFF, timezone.now()
                shipment.save(update_fields=["status", "handed_off_at"])
            details = declared_details(line.delivery, partner)
            writer.writerow([line.number, line.item, line.quantity, *(details[key] for key in partner.items)])
            rows += 1
        history.record(order, actor=actor, action=history.HANDOFF_DOWNLOADED, lines=rows)
    return out.getvalue()


@dataclass(frozen=True)
class DeliveryConfirmation:
    tracking_number: str
    delivered_at: datetime | None


def _mark_delivered(shipment: Shipment, confirmation: DeliveryConfirmation, *, by: str) -> bool:
    changed = []
    if confirmation.tracking_number and shipment.tracking_number != confirmation.tracking_number:
        shipment.tracking_number = confirmation.tracking_number
        changed.append("tracking_number")
    if confirmation.delivered_at and shipment.status == Shipment.HANDED_OFF:
        shipment.status, shipment.delivered_at, shipment.confirmed_by = (
            Shipment.DELIVERED,
            confirmation.delivered_at,
            by,
        )
        changed += ["status", "delivered_at", "confirmed_by"]
    if changed:
        shipment.save(update_fields=changed)
    return bool(changed)


def enter_delivery(
    *, actor: AbstractBaseUser, order: GroupOrder, line_id: int, confirmation: DeliveryConfirmation
) -> bool:
    """The organiser enters a line's tracking number or its delivery (a partner without webhooks); changed?"""
    with transaction.atomic():
        order = locked_order(order)
        permissions.check_runs_order(order, membership_of(order.space, actor), actor.pk)
        shipment = Shipment.objects.select_for_update().select_related("line").filter(line_id=line_id).first()
        permissions.check_can_enter_delivery(order, shipment)
        if not _mark_delivered(shipment, confirmation, by=Shipment.BY_ORGANISER):
            return False
        history.record(order, actor=actor, action=history.DELIVERED, line=shipment.line, by=Shipment.BY_ORGANISER)
    return True


@dataclass(frozen=True)
class PartnerEvent:
    partner: str
    event_id: str
    reference: str
    tracking_number: str
    delivered_at: datetime


@acting("actor", system=True)
def record_partner_delivery(*, actor: SystemActor, event: PartnerEvent) -> bool:
    """A partner's verified delivery webhook, acted on once by its event id: a replay or a late event changes
    nothing."""
    try:
        with transaction.atomic():
            PartnerWebhook.objects.create(partner=event.partner, event_id=event.event_id)
            shipment = (
                Shipment.objects.select_for_update()
                .select_related("line")
                .filter(partner=event.partner, number=event.reference)
                .first()
            )
            if shipment is None:
                return False
            order = locked_order(shipment.line.order_id)
            confirmation = DeliveryConfirmation(event.tracking_number, event.delivered_at)
            if not _mark_delivered(shipment, confirmation, by=Shipment.BY_PARTNER):
                return False
            history.record(order, actor=actor, action=history.DELIVERED, line=shipment.line, by=Shipment.BY_PARTNER)
    except IntegrityError:
        return False  # the same event again
    return True


def confirm_receipt(*, actor: AbstractBaseUser, line: OrderLine) -> bool:
    """The buyer says the order arrived; the group order is completed once every line has. Changed?"""
    with transaction.atomic():
        order = locked_order(line.order_id)
        line = OrderLine.objects.select_related("shipment", "order").get(pk=line.pk)
        permissions.check_can_confirm_receipt(line, actor.pk)
        shipment = Shipment.objects.select_for_update().get(pk=line.shipment.pk)
        now = timezone.now()
        shipment.status, shipment.received_at = Shipment.RECEIVED, now
        shipment.delivered_at = shipment.delivered_at or now
        shipment.save(update_fields=["status", "received_at", "delivered_at"])
        history.record(order, actor=actor, action=history.RECEIPT_CONFIRMED, line=line)
        complete_if_all_arrived(order, actor=actor)
    return True


def _arrived(line: OrderLine, cutoff: datetime) -> bool:
    if line.delivery_method == PICKUP:
        return line.picked_up_at is not None
    shipment = getattr(line, "shipment", None)
    if shipment is None:
        return False
    if shipment.status == Shipment.RECEIVED:
        return True
    return shipment.status == Shipment.DELIVERED and shipment.delivered_at <= cutoff


def complete_if_all_arrived(order: GroupOrder, *, actor: Actor) -> bool:
    """Inside the caller's transaction, the order locked: completed once every active line was received, picked
    up, or delivered longer ago than the receipt period (the buyer who never confirms)."""
    if order.status not in permissions.DELIVERING:
        return False
    cutoff = timezone.now() - timedelta(days=settings.GROUPKET_ORDER_RECEIPT_DAYS)
    lines = list(OrderLine.objects.filter(order=order, status=OrderLine.ACTIVE).select_related("shipment"))
    if not lines or not all(_arrived(line, cutoff) for line in lines):
        return False
    _set_status(order, GroupOrder.COMPLETED)
    history.record(order, actor=actor, action=history.ORDER_COMPLETED, reason="delivered")
    return True


@acting("actor", system=True)
def complete_if_delivered(*, actor: SystemActor, order: GroupOrder) -> bool:
    with transaction.atomic():
        return complete_if_all_arrived(locked_order(order), actor=actor)
