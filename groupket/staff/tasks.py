"""Background work of the staff app. Tasks take ids, never personal data (core.tasks); each calls delivery
code (staff.emails) only, and services import this module to enqueue."""

from celery import shared_task

from groupket.core.tasks import MailTask
from groupket.staff import emails


@shared_task(base=MailTask)
def send_request_acknowledgement(request_id: int) -> None:
    emails.deliver_request_acknowledgement(request_id=request_id)


@shared_task(base=MailTask)
def send_officer_notice(request_id: int) -> None:
    emails.deliver_officer_notice(request_id=request_id)


@shared_task(base=MailTask)
def send_verification_link(request_id: int) -> None:
    emails.deliver_verification_link(request_id=request_id)


@shared_task(base=MailTask)
def send_request_answer(request_id: int) -> None:
    emails.deliver_request_answer(request_id=request_id)


@shared_task(base=MailTask)
def send_authenticator_reset_notice(reset_id: int) -> None:
    emails.deliver_authenticator_reset_notice(reset_id=reset_id)
