"""Background work of the accounts app. Tasks take ids, never personal data (core.tasks).

Each task calls delivery code (accounts.emails) only; services import this module to enqueue.
"""

from celery import shared_task

from groupket.accounts import emails
from groupket.core.tasks import MailTask, enqueue


@shared_task(base=MailTask)
def send_verification_email(member_id: int) -> None:
    emails.deliver_verification(member_id=member_id)


@shared_task(base=MailTask)
def send_password_reset_email(member_id: int) -> None:
    emails.deliver_password_reset(member_id=member_id)


@shared_task
def look_up_password_reset(request_id: int) -> None:
    """In the background: find the member a reset request names; their mail is its own task, so that
    retrying the mail never repeats the lookup."""
    member_id = emails.take_password_reset_request(request_id=request_id)
    if member_id is not None:
        enqueue(send_password_reset_email, member_id)


@shared_task(base=MailTask)
def send_signup_attempt_email(member_id: int) -> None:
    emails.deliver_signup_attempt_notice(member_id=member_id)


@shared_task(base=MailTask)
def send_email_changed_notice(notice_id: int) -> None:
    emails.deliver_email_changed_notice(notice_id=notice_id)
