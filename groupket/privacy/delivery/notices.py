"""Notices to many members (policy changes, news, subscription reminders), sent in batches.

Each recipient gets a NoticeDelivery row, committed just before their mail goes
out and marked sent just after. A run that resumes after a crash skips everyone
whose mail is marked sent, and mails again those whose mail was in doubt (recorded,
never marked: the process died between the two), with the same Message-ID, so the
member's mailbox shows it once: a policy change told twice is better than not told.
A mail the server refused leaves no row, so the resumed run tries that member again.
Every mail asks the purposes guard at the moment it is sent (P4.1).
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groupket.core.mail import send_bilingual, stable_message_id
from groupket.privacy import inventory
from groupket.privacy.guard import require
from groupket.privacy.models import ConsentEvent, MassNotice, NoticeDelivery

UNSUBSCRIBE_SALT = "groupket.privacy.unsubscribe"


BATCH_SIZE = 200


SUBSCRIPTION_REMINDER_DAYS = 730


# The purpose each kind of notice uses the email address for; news rests on consent, so the guard checks it.
NOTICE_PURPOSES: dict[str, str] = {
    MassNotice.POLICY_CHANGE: inventory.CONTRACT,
    MassNotice.NEWS: inventory.NEWS,
    MassNotice.SUBSCRIPTION_REMINDER: inventory.NEWS,
}


NEWS_KINDS = (MassNotice.NEWS, MassNotice.SUBSCRIPTION_REMINDER)


Progress = Callable[[int, int], None]


def _news_subscribers() -> QuerySet:
    latest = ConsentEvent.objects.filter(member=OuterRef("pk"), document=ConsentEvent.MARKETING).order_by(
        "-created_at", "-pk"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(news_granted=Subquery(latest.values("granted")[:1]))
        .filter(news_granted=True)
    )


def notice_audience(notice: MassNotice) -> QuerySet:
    """Who a notice is for, decided at sending time (news: only consent in force now)."""
    if notice.kind == MassNotice.NEWS:
        return _news_subscribers()
    if notice.kind == MassNotice.SUBSCRIPTION_REMINDER:
        return subscription_reminder_due()
    return get_user_model().objects.filter(is_active=True)


def subscription_reminder_due(now: "timezone.datetime | None" = None) -> QuerySet:
    """Subscribers told neither at opt-in nor by a reminder in the last 2 years (Information and
    Communications Network Act, art. 50(8): confirm the consent to advertising every 2 years)."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=SUBSCRIPTION_REMINDER_DAYS)
    latest_grant = ConsentEvent.objects.filter(
        member=OuterRef("pk"), document=ConsentEvent.MARKETING, granted=True
    ).order_by("-created_at", "-pk")
    recent_reminders = NoticeDelivery.objects.filter(
        notice__kind=MassNotice.SUBSCRIPTION_REMINDER, created_at__gt=cutoff
    ).values("member_id")
    return (
        _news_subscribers()
        .annotate(granted_at=Subquery(latest_grant.values("created_at")[:1]))
        .filter(granted_at__lte=cutoff)
        .exclude(pk__in=recent_reminders)
    )


def make_unsubscribe_token(member_id: int) -> str:
    return signing.dumps({"m": member_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> int:
    """The member id in a signed unsubscribe token; raises signing.BadSignature when forged."""
    return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["m"])


def unsubscribe_url(member_id: int) -> str:
    return settings.SITE_URL + reverse("privacy:unsubscribe", args=[make_unsubscribe_token(member_id)])


def _unsubscribe_line(language: str, url: str) -> str:
    with translation.override(language):
        return _("To stop receiving news from Groupket, open this link: %(url)s") % {"url": url}


def notice_message_id(notice_id: int, member_id: int) -> str:
    """The same Message-ID each time this notice is mailed to this member, naming neither."""
    return stable_message_id("notice", notice_id, member_id)


def deliver_notice(*, notice: MassNotice, member: AbstractBaseUser) -> None:
    """Mail the notice to one member, asking the guard first: no way of choosing members can send around it.

    Raises PurposeNotAllowed or ConsentNotInForce (both PermissionDenied) when the guard refuses.
    """
    require(member, NOTICE_PURPOSES[notice.kind], items=["email"])
    headers = {"Message-ID": notice_message_id(notice.pk, member.pk)}
    body_en, body_ko = notice.body_en, notice.body_ko
    if notice.kind in NEWS_KINDS:
        url = unsubscribe_url(member.pk)
        # RFC 8058 one-click unsubscribe: mail clients POST to this URL, no sign-in needed.
        headers |= {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        body_en = f"{body_en.rstrip()}\n\n{_unsubscribe_line('en', url)}"
        body_ko = f"{body_ko.rstrip()}\n\n{_unsubscribe_line('ko', url)}"
    send_bilingual(
        to=member.email,
        subject_en=notice.subject_en,
        subject_ko=notice.subject_ko,
        body_en=body_en,
        body_ko=body_ko,
        headers=headers,
    )


def _send_one(notice: MassNotice, member: AbstractBaseUser) -> bool:
    """Record, mail, mark sent; whether a mail went out."""
    try:
        with transaction.atomic():
            delivery = NoticeDelivery.objects.create(notice=notice, member=member)
    except IntegrityError:
        return False  # another run of this notice has this member (one delivery per member and notice)
    try:
        deliver_notice(notice=notice, member=member)
    except PermissionDenied:
        return False  # consent withdrawn since the batch was chosen; the row keeps this run from retrying
    except Exception:
        # Nothing went out, so the row goes: a resumed run may try this member again.
        NoticeDelivery.objects.filter(pk=delivery.pk).delete()
        raise
    with transaction.atomic():
        NoticeDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
        MassNotice.objects.filter(pk=notice.pk).update(sent=F("sent") + 1)
    return True


def _remaining(notice: MassNotice) -> QuerySet:
    # Only what a mail needs: a member's photo and other sealed items stay unread.
    return (
        notice_audience(notice)
        .exclude(notice_deliveries__notice=notice)
        .only("pk", "data_key", "email", "is_active")
        .order_by("pk")
    )


def _start(notice_id: int) -> MassNotice | None:
    with transaction.atomic():
        notice = MassNotice.objects.select_for_update().get(pk=notice_id)
        if notice.status == MassNotice.DONE:
            return None
        if notice.status == MassNotice.PENDING:
            notice.status, notice.started_at = MassNotice.SENDING, timezone.now()
        else:
            # A resumed run: the mails in doubt go again (their Message-ID repeats), and a member the guard
            # refused last time is asked about again.
            NoticeDelivery.objects.filter(notice=notice, sent_at__isnull=True).delete()
        # Those already mailed plus those still to go: a resumed run counts again, from the audience of now.
        notice.total = notice.sent + _remaining(notice).count()
        notice.save(update_fields=["status", "started_at", "total"])
    return notice


def send_mass_notice(*, notice_id: int, batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> int:
    """Send a notice batch by batch, resuming where a stopped run left off; how many mails this run sent.

    `progress(sent, total)` is called after each mail with the notice's counters.
    """
    notice = _start(notice_id)
    if notice is None:
        return 0
    sent_now = 0
    while batch := list(_remaining(notice)[:batch_size]):
        for member in batch:
            if _send_one(notice, member):
                sent_now += 1
                if progress:
                    progress(notice.sent + sent_now, notice.total)
    MassNotice.objects.filter(pk=notice.pk).update(status=MassNotice.DONE, finished_at=timezone.now())
    return sent_now
