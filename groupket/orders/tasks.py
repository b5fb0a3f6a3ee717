"""Background work of group orders. Tasks take ids, never personal data (Habit 14)."""

from celery import shared_task

from groupket.core.tasks import MailTask
from groupket.orders import emails
from groupket.orders.partner import handoff
from groupket.orders.partner.client import PartnerUnavailable


@shared_task(base=MailTask)
def send_order_notices(event_id: int) -> None:
    emails.deliver_order_notices(event_id=event_id)


@shared_task(autoretry_for=(PartnerUnavailable,), retry_backoff=60, retry_backoff_max=3600, max_retries=10)
def hand_off_deliveries(order_id: int) -> None:
    handoff.hand_off_order(order_id)
