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


@shared_task
def look_up_password_reset(request_id: int) -> None:
    from groupket.accounts.services.passwords import mail_requested_reset

    mail_requested_reset(request_id=request_id)


@shared_task(base=MailTask)
def send_signup_attempt_email(member_id: int) -> None:
    emails.deliver_signup_attempt_notice(member_id=member_id)


@shared_task(base=MailTask)
def send_email_changed_notice(notice_id: int) -> None:
    emails.deliver_email_changed_notice(notice_id=notice_id)
