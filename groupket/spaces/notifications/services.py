"""Making notifications, marking them read, and the member's email switches.

Every function runs in one transaction. The unread count in the header is a column of the member row
(Member.unread_notifications), which every page loads anyway: it rises with each notification in the
transaction that makes it, and is recounted from the rows whenever the member reads some, with the member
row locked, so the two never drift apart.

Other apps (moderation) tell a member about something through `notify`, with ids only: the text a
notification shows is read at display time from the rows it points at, and a decision's code and link are
sealed under the recipient's own key.
"""

import json
import re
from collections.abc import Iterable
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groupket.core.actors import Actor, acting
from groupket.core.tasks import enqueue
from groupket.spaces import tasks
from groupket.spaces.models import Notification, NotificationSettings
from groupket.spaces.notifications import kinds

VIA_SETTINGS = "settings page"
VIA_LINK = "link in a mail"
# A link the moderation app gives must be a path on this site: no scheme, host or query to smuggle data in.
SITE_PATH = re.compile(r"^/[A-Za-z0-9/_-]{0,199}$")


def _switched_off(member_ids: Iterable[int]) -> dict[int, set[str]]:
    rows = NotificationSettings.objects.filter(member_id__in=list(member_ids)).values_list("member_id", "email_off")
    return {member_id: set(off) for member_id, off in rows}


def notify_members(
    *,
    member_ids: Iterable[int],
    kind: str,
    actor_id: int | None = None,
    space_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
    detail: str | None = None,
    mail: bool = True,
) -> list[Notification]:
    """One notification of `kind` for each active member (never the actor), in the caller's transaction.

    Three queries whatever the number of members: the members with their keys, their switches, and one
    insert; the unread counts rise in one update. Mail goes after commit, for those who keep the kind on,
    unless `mail` is False (the caller sends its own mail for it).
    """
    wanted = set(member_ids) - {actor_id}
    keys = dict(get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", "data_key_id"))
    if not keys:
        return []
    switch, off = kinds.switch_of(kind), _switched_off(keys)
    rows = [
        Notification(
            member_id=member_id,
            data_key_id=data_key_id,
            kind=kind,
            actor_id=actor_id,
            space_id=space_id,
            post_id=post_id,
            comment_id=comment_id,
            detail=detail,
            mail_due=mail and switch not in off.get(member_id, set()),
        )
        for member_id, data_key_id in sorted(keys.items())
    ]
    Notification.objects.bulk_create(rows)
    get_user_model().objects.filter(pk__in=keys).update(unread_notifications=F("unread_notifications") + 1)
    for row in rows:
        if row.mail_due:
            transaction.on_commit(partial(enqueue, tasks.send_notification_mail, row.member_id))
    return rows


@acting("actor", system=True)
def notify(
    *,
    actor: Actor,
    member_id: int,
    kind: str,
    decision: str,
    link: str | None = None,
    space_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
    mail: bool = True,
) -> Notification | None:
    """Tell a member about a moderation decision concerning them; None when the member is gone.

    For other apps: `kind` is one of kinds.EXTERNAL_KINDS, `decision` one of kinds.DECISIONS, `link` a path
    on this site where the member reads the decision (e.g. "/me/moderation/12/"). The caller has checked
    that the actor may decide (the moderation app's permissions); the row never names the actor, as a
    moderator stays anonymous to the member. Runs in the caller's transaction when there is one.
    """
    if kind not in kinds.EXTERNAL_KINDS:
        raise ValueError(f"other apps cannot make notifications of the kind {kind!r}")
    if decision not in kinds.DECISIONS:
        raise ValueError(f"unknown moderation decision {decision!r}")
    if link is not None and not SITE_PATH.match(link):
        raise ValueError("a notification's link is a path on this site, of letters, digits, '/', '_' and '-'")
    detail = json.dumps({"decision": decision, "link": link})
    with transaction.atomic():
        rows = notify_members(
            member_ids=[member_id],
            kind=kind,
            space_id=space_id,
            post_id=post_id,
            comment_id=comment_id,
            detail=detail,
            mail=mail,
        )
    return rows[0] if rows else None


def _recount(member_id: int) -> int:
    unread = Notification.objects.filter(member_id=member_id, read_at__isnull=True).count()
    get_user_model().objects.filter(pk=member_id).update(unread_notifications=unread)
    return unread


def mark_read(*, actor: AbstractBaseUser, notification_ids: Iterable[int] | None) -> int:
    """Mark some of the actor's own notifications read (None: all of them); the unread count after."""
    with transaction.atomic():
        # The member row is the lock: a notification made meanwhile is counted, not lost.
        list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
        rows = Notification.objects.filter(member_id=actor.pk, read_at__isnull=True)
        if notification_ids is not None:
            rows = rows.filter(pk__in=list(notification_ids))
        rows.update(read_at=timezone.now())
        unread = _recount(actor.pk)
    actor.unread_notifications = unread
    return unread


def _locked_settings(member_id: int) -> NotificationSettings:
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(member_id=member_id)
    return row


def emails_switched_off(member: AbstractBaseUser) -> set[str]:
    return _switched_off([member.pk]).get(member.pk, set())


def set_email_switches(*, actor: AbstractBaseUser, switched_on: set[str], via: str = VIA_SETTINGS) -> bool:
    """Keep mail of the kinds in `switched_on` and stop the rest; False when nothing changed.

    Turning a kind off also takes its notifications out of the next mail.
    """
    unknown = switched_on - set(kinds.EMAIL_SWITCHES)
    if unknown:
        raise ValueError(f"unknown email switches {sorted(unknown)!r}")
    off = sorted(set(kinds.EMAIL_SWITCHES) - switched_on)
    with transaction.atomic():
        row = _locked_settings(actor.pk)
        if sorted(row.email_off) == off:
            return False
        row.email_off, row.changed_at, row.changed_via = off, timezone.now(), via
        row.save(update_fields=["email_off", "changed_at", "changed_via"])
        stopped = [kind for switch in off for kind in kinds.EMAIL_SWITCHES[switch]]
        Notification.objects.filter(member_id=actor.pk, mail_due=True, kind__in=stopped).update(mail_due=False)
    return True


def turn_off_email(*, member: AbstractBaseUser, switch: str) -> bool:
    """The one-click link of a mail: stop one switch's mail, or all of it; False when it was off already."""
    if switch == kinds.ALL_SWITCHES:
        return set_email_switches(actor=member, switched_on=set(), via=VIA_LINK)
    still_on = set(kinds.EMAIL_SWITCHES) - emails_switched_off(member) - {switch}
    return set_email_switches(actor=member, switched_on=still_on, via=VIA_LINK)
