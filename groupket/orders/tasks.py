"""Background work of group orders. Tasks take ids, never personal data (Habit 14)."""

from celery import shared_task

from groupket.core.tasks import MailTask
from groupket.orders import emails


@shared_task(base=MailTask)
def send_order_notices(event_id: int) -> None:
    emails.deliver_order_notices(event_id=event_id)
