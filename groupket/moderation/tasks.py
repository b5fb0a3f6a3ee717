"""Mail to the member a decision is about, sent by tasks given ids only (Habit 14); retried while the mail
server is down (core.tasks.MailTask). Each calls one delivery function of moderation.emails."""

from celery import shared_task

from groupket.core.tasks import MailTask
from groupket.moderation import emails


@shared_task(base=MailTask)
def send_decision_notice(decision_id: int) -> None:
    emails.deliver_decision_notice(decision_id=decision_id)


@shared_task(base=MailTask)
def send_appeal_answer(appeal_id: int) -> None:
    emails.deliver_appeal_answer(appeal_id=appeal_id)
