"""The two-yearly reminder to news subscribers that they are still subscribed (P4.1).

Korean law (Information and Communications Network Act, art. 50(8)) asks that a
member who agreed to advertising be told every 2 years that the consent stands.
The scheduled job `remind_news_subscribers` (settings.GROUPKET_SCHEDULES, daily)
makes one SUBSCRIPTION_REMINDER notice for everyone due; the notice engine picks
the recipients again at sending time and adds the one-click unsubscribe link.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from groupket.core.actors import SystemActor
from groupket.core.tasks import enqueue
from groupket.privacy import tasks
from groupket.privacy.delivery.notices import subscription_reminder_due
from groupket.privacy.models import MassNotice
from groupket.privacy.services.notices import create_mass_notice


def reminder_text(language: str) -> tuple[str, str]:
    """The subject and body of the reminder in one language."""
    consents_url = settings.SITE_URL + reverse("privacy:consents")
    with translation.override(language):
        subject = _("You are subscribed to news from Groupket")
        body = "\n\n".join(
            [
                _(
                    "You agreed to receive news of new services and events from Groupket, and you are still "
                    "subscribed. We remind you of this every two years."
                ),
                _("You do not need to do anything to keep receiving news."),
                _(
                    "To stop, open the unsubscribe link at the end of this message, or change your choice on "
                    "your agreements page at any time: %(url)s"
                )
                % {"url": consents_url},
            ]
        )
    return subject, body


def remind_news_subscribers() -> int:
    """Queue one reminder notice for every subscriber who is due; how many are due."""
    due = subscription_reminder_due().count()
    if not due:
        return 0
    with transaction.atomic():
        unfinished = (
            MassNotice.objects.select_for_update()
            .filter(kind=MassNotice.SUBSCRIPTION_REMINDER)
            .exclude(status=MassNotice.DONE)
            .first()
        )
        if unfinished is not None:
            # A reminder still waiting or stopped half-way is resumed, not doubled by a second one.
            transaction.on_commit(partial(enqueue, tasks.send_mass_notice_task, unfinished.pk))
            return due
        subject_en, body_en = reminder_text("en")
        subject_ko, body_ko = reminder_text("ko")
        create_mass_notice(
            actor=SystemActor.job("remind_news_subscribers"),
            kind=MassNotice.SUBSCRIPTION_REMINDER,
            subject_en=subject_en,
            subject_ko=subject_ko,
            body_en=body_en,
            body_ko=body_ko,
        )
    return due
