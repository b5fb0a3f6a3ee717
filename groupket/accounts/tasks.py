"""Background work of the accounts app. Tasks take ids, never personal data (core.tasks)."""

from celery import shared_task

from groupket.accounts import emails
from groupket.core.tasks import MailTask


@shared_task(base=MailTask)
def send_verification_email(member_id: int) -> None:
    emails.deliver_verification(member_id=member_id)


@shared_task(base=MailTask)
def send_password_reset_email(member_id: int) -> None:
    emails.deliver_password_reset(member_id=member_id)


@shared_task(base=MailTask)
def send_email_changed_notice(notice_id: int) -> None:
    emails.deliver_email_changed_notice(notice_id=notice_id)
