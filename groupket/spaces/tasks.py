"""Background work of the spaces. Tasks take ids, never personal data (Habit 14)."""

from celery import shared_task

from groupket.core.tasks import MailTask


@shared_task(base=MailTask)
def send_notification_mail(member_id: int) -> bool:
    """Mail a member's due notifications now, if their last notification mail is 15 minutes old.

    A mail the server does not take gives its notifications back (they are due again) and is retried with
    backoff, like every mail task; the scheduled job's next run may send it first, and the 15-minute claim
    lets only one of them do so. A reply is never refused because a mail server is down.
    """
    from groupket.spaces.notifications.mail import mail_notifications

    return mail_notifications(member_id=member_id)
