"""Telling the buyers (and, where they must act, the organiser) what changed in a group order, in both languages."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.core.mail import send_in_both_languages, stable_message_id
from groupket.orders import actions
from groupket.orders.models import Cancellation, GroupOrder, OrderEvent, OrderLine

# Changes the organiser is told of, since they must act: refund what was paid.
ORGANISER_ACTS = frozenset({actions.ORDER_FAILED, actions.REFUND_DUE})
SUBJECTS = {
    actions.ORDER_CONFIRMED: lambda: _("Group order confirmed: %(item)s"),
    actions.ORDER_FAILED: lambda: _("Group order did not reach its minimum: %(item)s"),
    actions.ORDER_SHIPPED: lambda: _("Group order shipped: %(item)s"),
    actions.ORDER_COMPLETED: lambda: _("Group order completed: %(item)s"),
    actions.ORDER_CANCELLED: lambda: _("Group order cancelled by the organiser: %(item)s"),
    actions.LINE_PLACED: lambda: _("Your order is placed: %(item)s"),
    actions.LINE_CANCELLED_UNPAID: lambda: _("Your order was cancelled unpaid: %(item)s"),
    actions.PAYMENT_RECEIVED: lambda: _("Your payment is received: %(item)s"),
    actions.REFUND_DUE: lambda: _("A refund is due: %(item)s"),
    actions.REFUND_SENT: lambda: _("Your refund is sent: %(item)s"),
}


def _concerned_lines(event: OrderEvent) -> list[OrderLine]:
    """The line the event is about, or, for the whole order, every line it still concerns."""
    lines = OrderLine.objects.select_related("buyer")
    if event.line_id is not None:
        return list(lines.filter(pk=event.line_id))
    undone = Cancellation.objects.filter(reason__in=[Cancellation.ORDER_FAILED, Cancellation.ORDER_CANCELLED])
    concerned = Q(status=OrderLine.ACTIVE) | Q(pk__in=undone.values("line_id"))
    return list(lines.filter(concerned, order_id=event.order_id).order_by("pk"))


def _send(member: AbstractBaseUser, event: OrderEvent, *, line: OrderLine | None, organiser: bool) -> None:
    """Mail one member; a mail sent again after a crash between sending and marking carries the same Message-ID."""
    order = event.order
    link = reverse("orders:manage", args=[order.space.slug, order.pk]) if organiser else reverse("orders:my_orders")
    if line is not None and not organiser:
        link = reverse("orders:receipt", args=[line.number])
    send_in_both_languages(
        to=getattr(member, member.get_email_field_name()),
        subject=lambda: SUBJECTS[event.action]() % {"item": order.item},
        template="orders/email/notice.txt",
        context={
            "event": event,
            "order": order,
            "line": line,
            "organiser": organiser,
            "link": settings.SITE_URL + link,
        },
        headers={"Message-ID": stable_message_id("order-notice", event.pk, member.pk)},
    )


def deliver_order_notices(*, event_id: int) -> int:
    """Mail each member the event concerns who has not had it yet; how many mails went.

    Lines go in id order and the event records each one mailed, so that a task retried after the mail server
    refused part-way mails only those it had not reached.
    """
    event = OrderEvent.objects.select_related("order__space", "order__organiser").filter(pk=event_id).first()
    if event is None or event.action not in SUBJECTS:
        return 0
    sent = 0
    if event.action != actions.REFUND_DUE:
        for line in _concerned_lines(event):
            if line.pk <= event.mailed_through_line:
                continue
            if line.buyer.is_active:
                _send(line.buyer, event, line=line, organiser=False)
                sent += 1
            OrderEvent.objects.filter(pk=event.pk).update(mailed_through_line=line.pk)
    organiser: AbstractBaseUser | None = event.order.organiser
    if event.action in ORGANISER_ACTS and not event.organiser_mailed and organiser is not None:
        if _has_refunds(event.order):
            _send(organiser, event, line=None, organiser=True)
            sent += 1
        OrderEvent.objects.filter(pk=event.pk).update(organiser_mailed=True)
    return sent


def _has_refunds(order: GroupOrder) -> bool:
    return order.lines.filter(payments__refunds__isnull=False).exists()
