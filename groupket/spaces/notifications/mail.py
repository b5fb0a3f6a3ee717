"""Notification mail: at most one per member per 15 minutes, the rest gathered into the next.

A notification of a kind the member keeps on is made with mail_due set, and a task (given the member's id
only) tries to mail at once. The try claims, in one transaction with the member's settings row locked,
every notification still due and the time of sending, and only then mails: two tries at once cannot both
send, and one within 15 minutes of the last mail sends nothing, leaving its notifications to the scheduled
job (`send_due_notification_mail`), which mails each member whose 15 minutes are over. A mail the server
does not take gives its notifications back, for the job to try again.

The mail says how many notifications of each kind there are and where to read them, never who wrote what:
titles and IDs are other members' personal data, and a mailbox is outside Groupket's keys (P8.5).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.core.mail import send_in_both_languages
from groupket.spaces.models import Notification, NotificationSettings
from groupket.spaces.notifications import kinds
from groupket.spaces.notifications.tokens import make_off_token

MAIL_INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True)
class Claim:
    member_id: int
    notification_ids: list[int]
    switches: Counter
    mailed_at: datetime
    previous: datetime | None


def _claim(member_id: int, now: datetime) -> Claim | None:
    with transaction.atomic():
        row, _created = NotificationSettings.objects.select_for_update().get_or_create(member_id=member_id)
        if row.last_mailed_at is not None and now - row.last_mailed_at < MAIL_INTERVAL:
            return None
        due = Notification.objects.filter(member_id=member_id, mail_due=True)
        off = set(row.email_off)
        wanted = [(pk, kind) for pk, kind in due.values_list("pk", "kind") if kinds.switch_of(kind) not in off]
        due.update(mail_due=False)  # a kind switched off meanwhile is not mailed later either
        if not wanted:
            return None
        claim = Claim(
            member_id=member_id,
            notification_ids=[pk for pk, _kind in wanted],
            switches=Counter(kinds.switch_of(kind) for _pk, kind in wanted),
            mailed_at=now,
            previous=row.last_mailed_at,
        )
        row.last_mailed_at = now
        row.save(update_fields=["last_mailed_at"])
    return claim


def _give_back(claim: Claim) -> None:
    with transaction.atomic():
        Notification.objects.filter(pk__in=claim.notification_ids).update(mail_due=True)
        NotificationSettings.objects.filter(member_id=claim.member_id, last_mailed_at=claim.mailed_at).update(
            last_mailed_at=claim.previous
        )


def off_url(member_id: int, switch: str) -> str:
    return settings.SITE_URL + reverse("spaces:notifications_off", args=[make_off_token(member_id, switch)])


def _send(member, claim: Claim) -> None:  # noqa: ANN001 - the member model
    groups = [
        {"label": kinds.SWITCH_LABELS[switch], "count": count, "off_url": off_url(member.pk, switch)}
        for switch, count in sorted(claim.switches.items())
    ]
    all_off = off_url(member.pk, kinds.ALL_SWITCHES)
    send_in_both_languages(
        to=member.email,
        subject=lambda: _("New notifications on Groupket"),
        template="spaces/email/notifications.txt",
        context={
            "name": member.name,
            "groups": groups,
            "list_url": settings.SITE_URL + reverse("spaces:notifications"),
            "all_off_url": all_off,
        },
        # RFC 8058: a mail client's one-click unsubscribe stops every notification mail, no sign-in needed.
        headers={"List-Unsubscribe": f"<{all_off}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def mail_notifications(*, member_id: int, now: datetime | None = None) -> bool:
    """Mail the member what is due, unless a mail went out in the last 15 minutes; whether one went now."""
    member = get_user_model().objects.filter(pk=member_id, is_active=True).only("data_key", "name", "email").first()
    if member is None:
        return False
    claim = _claim(member_id, now or timezone.now())
    if claim is None:
        return False
    try:
        _send(member, claim)
    except Exception:
        _give_back(claim)
        raise
    return True


def members_due(now: datetime) -> list[int]:
    """Members with mail due whose last notification mail is 15 minutes old or more (or who never had one)."""
    recent = NotificationSettings.objects.filter(last_mailed_at__gt=now - MAIL_INTERVAL).values("member_id")
    due = Notification.objects.filter(Q(mail_due=True), ~Q(member_id__in=recent))
    return sorted(set(due.values_list("member_id", flat=True)))


def send_due_notification_mail() -> int:
    """The scheduled job: one mail for each member whose gathered notifications are due; how many went."""
    now = timezone.now()
    return sum(mail_notifications(member_id=member_id, now=now) for member_id in members_due(now))
