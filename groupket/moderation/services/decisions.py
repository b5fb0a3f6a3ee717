"""Moderators act on a case: approve, hide, delete, warn, silence in the space, or suspend (P10.1).

Each decision cites a rule (one of Groupket's, or the space's rule N) or gives a reason in words,
closes the case, settles its reports (agreed with or not, which is the reporters' accuracy), is
written to the moderation log, and is shown to the member on /me/moderation/ and mailed to them.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from groupket.core.actors import acting
from groupket.core.tasks import enqueue
from groupket.moderation import permissions, tasks
from groupket.moderation.models import (
    APPROVE,
    DECISION_CHOICES,
    DELETE,
    HIDE,
    SILENCE,
    SUSPEND,
    WARN,
    Case,
    Decision,
    Report,
)
from groupket.moderation.services import log
from groupket.spaces.models import Comment, Membership, Written
from groupket.spaces.notifications import kinds
from groupket.spaces.notifications.selectors import wants_mail
from groupket.spaces.notifications.services import notify
from groupket.spaces.services.moderated import set_written_state

RETENTION_DAYS = 365
KEEPS_TIME = (SILENCE, SUSPEND)
STATE_AFTER = {APPROVE: Written.SHOWN, HIDE: Written.HIDDEN, DELETE: Written.REMOVED}


@dataclass(frozen=True)
class Ruling:
    """What the moderator chose: the kind, the rule cited (or none) and the reason in words (or none)."""

    kind: str
    rule: str = ""
    rule_number: int | None = None
    reason: str = ""
    days: int | None = None

    def check(self) -> None:
        if self.kind not in dict(DECISION_CHOICES):
            raise ValueError(f"no decision kind {self.kind!r}")
        if not self.rule and not self.reason.strip():
            raise ValueError("a decision needs a rule or a reason")
        if self.kind in KEEPS_TIME and not (self.days and 1 <= self.days <= 365):
            raise ValueError("a silence or suspension needs 1 to 365 days")


def expiry(created, until, *later) -> object:
    """A year after the last moment the decision still matters: its appeal period, its end, its appeal's answer."""
    ends = [created + timedelta(days=permissions.APPEAL_DAYS), *(moment for moment in (until, *later) if moment)]
    return max(ends) + timedelta(days=RETENTION_DAYS)


def _state_after(kind: str, current: str) -> str:
    # A warning, silence or suspension says the writing broke a rule: what was held stays out of sight.
    return STATE_AFTER.get(kind, Written.HIDDEN if current == Written.HELD else current)


def _settle_reports(case: Case, kind: str) -> None:
    outcome = Report.DISMISSED if kind == APPROVE else Report.UPHELD
    case.reports.filter(outcome=Report.PENDING).update(outcome=outcome)


@acting("actor")
def decide_case(
    *, actor: AbstractBaseUser, case: Case, membership: Membership | None, ruling: Ruling
) -> Decision | None:
    """Act on an open case; the decision made (None for approving what was shown all along)."""
    ruling.check()
    with transaction.atomic():
        # Locks the case row only: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("space", "post", "comment__post")
            .get(pk=case.pk)
        )
        authority = permissions.authority_in(case.space, actor.pk, membership)
        permissions.check_can_decide(authority, ruling.kind)
        if case.status != Case.OPEN:
            raise permissions.ModerationDenied("this case is already closed")
        written = case.written
        was_shown = written.is_shown
        set_written_state(actor=actor, written=written, state=_state_after(ruling.kind, written.state))
        _settle_reports(case, ruling.kind)
        case.status, case.closed_at = Case.CLOSED, timezone.now()
        case.save(update_fields=["status", "closed_at"])
        decision = None
        if ruling.kind != APPROVE or not was_shown:
            decision = _record_decision(actor=actor, authority=authority, case=case, written=written, ruling=ruling)
        code_rule = ruling.rule if ruling.rule != "space_rule" else f"rule {ruling.rule_number}"
        log.record(
            log.DECIDED,
            actor=actor,
            by_staff=authority.by_staff,
            case=case,
            decision=decision,
            subject_id=written.author_id,
            code=ruling.kind,
            rule=code_rule or "reason",
        )
    return decision


def _record_decision(*, actor, authority, case: Case, written, ruling: Ruling) -> Decision:
    now = timezone.now()
    until = now + timedelta(days=ruling.days) if ruling.kind in KEEPS_TIME else None
    decision = Decision.objects.create(
        kind=ruling.kind,
        case=case,
        space=case.space,
        post=None if isinstance(written, Comment) else written,
        comment=written if isinstance(written, Comment) else None,
        subject_id=written.author_id,
        data_key_id=written.author.data_key_id,
        rule=ruling.rule,
        rule_number=ruling.rule_number,
        reason=ruling.reason.strip() or None,
        until=until,
        actor_ref=actor.pk,
        by_staff=authority.by_staff,
        created_at=now,
        expires_at=expiry(now, until),
    )
    if notify_decision(actor=actor, decision=decision, code=DECISION_NOTICES[ruling.kind]):
        transaction.on_commit(partial(enqueue, tasks.send_decision_notice, decision.pk))
    return decision


# What the member's list of notifications says of each kind of decision (spaces.notifications.kinds.DECISIONS).
DECISION_NOTICES = {
    APPROVE: "approved",
    HIDE: "hidden",
    DELETE: "deleted",
    WARN: "warned",
    SILENCE: "silenced",
    SUSPEND: "suspended",
}


@acting("actor")
def notify_decision(*, actor: AbstractBaseUser, decision: Decision, code: str) -> bool:
    """Put a decision (or an appeal's answer) in its member's notifications; whether to mail it too.

    The mail says what was done, under which rule and why, so the notification sends none of its own; it goes
    unless the member turned moderation mails off. Writing left under "Withdrawn member" has nobody to tell.
    """
    if decision.subject_id is None:
        return False
    notify(
        actor=actor,
        member_id=decision.subject_id,
        kind=kinds.MODERATION_DECISION,
        decision=code,
        link=reverse("moderation:mine"),
        space_id=decision.space_id,
        post_id=decision.post_id,
        comment_id=decision.comment_id,
        mail=False,
    )
    return wants_mail(decision.subject_id, kinds.MODERATION_DECISION)


@acting("actor")
def undo_decision(*, actor: AbstractBaseUser, decision: Decision) -> None:
    """An upheld appeal: the writing is shown again, a silence or suspension ends; inside the caller's transaction."""
    written = decision.comment or decision.post
    if written is not None and written.state in (Written.HIDDEN, Written.REMOVED, Written.HELD):
        set_written_state(actor=actor, written=written, state=Written.SHOWN)
    decision.undone_at = timezone.now()
    decision.save(update_fields=["undone_at"])
    log.record(log.UNDONE, actor=actor, decision=decision, space=decision.space, subject_id=decision.subject_id)
