"""Background work of the spaces. Tasks take ids, never personal data (Habit 14)."""

import logging

from celery import shared_task

from groupket.core.mail import MailNotSent

logger = logging.getLogger(__name__)


@shared_task
def send_notification_mail(member_id: int) -> bool:
    """Mail a member's due notifications now, if their last notification mail is 15 minutes old.

    A mail the server does not take is left to the scheduled job's next run (the notifications are due
    again), so that a reply is never refused because a mail server is down.
    """
    from groupket.spaces.notifications.mail import mail_notifications

    try:
        return mail_notifications(member_id=member_id)
    except MailNotSent as not_sent:
        logger.warning("notification mail to member %s not sent, left for the next run: %s", member_id, not_sent)
        return False
