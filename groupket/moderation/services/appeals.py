"""The member appeals a decision once, within 20 days; another moderator decides within 7 (P10.1)."""

from datetime import timedelta
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from groupket.core.actors import acting
from groupket.core.tasks import enqueue
from groupket.moderation import permissions, tasks
from groupket.moderation.models import Appeal, Decision
from groupket.moderation.services import log
from groupket.moderation.services.decisions import expiry, notify_decision, undo_decision
from groupket.spaces.models import Membership


@acting("actor")
def file_appeal(*, actor: AbstractBaseUser, decision: Decision, statement: str) -> Appeal:
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        now = timezone.now()
        has_appeal = Appeal.objects.filter(decision=decision).exists()
        permissions.check_can_appeal(decision, actor.pk, now=now, has_appeal=has_appeal)
        appeal = Appeal.objects.create(
            decision=decision,
            appellant=actor,
            data_key_id=actor.data_key_id,
            statement=statement.strip(),
            created_at=now,
            due_at=now + timedelta(days=permissions.APPEAL_DECISION_DAYS),
        )
        log.record(log.APPEALED, actor=None, decision=decision, space=decision.space, subject_id=actor.pk)
    return appeal


@acting("actor")
def decide_appeal(
    *, actor: AbstractBaseUser, appeal: Appeal, membership: Membership | None, outcome: str, answer: str
) -> Appeal:
    """Uphold (the decision is undone) or reject, with a written answer the member is sent."""
    if outcome not in (Appeal.UPHELD, Appeal.REJECTED) or not answer.strip():
        raise ValueError("an appeal's decision needs an outcome and an answer")
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("decision__space").get(pk=appeal.pk)
        decision = appeal.decision
        if decision.space is None:
            if not permissions.is_groupket_moderator(actor.pk):
                raise permissions.ModerationDenied("only Groupket's moderators decide this appeal")
            authority = permissions.Authority(actor.pk, by_staff=True)
        else:
            authority = permissions.authority_in(decision.space, actor.pk, membership)
        permissions.check_can_decide_appeal(appeal, authority)
        now = timezone.now()
        appeal.outcome, appeal.answer = outcome, answer.strip()
        appeal.decided_by_ref, appeal.decided_at = actor.pk, now
        appeal.save(update_fields=["outcome", "answer", "decided_by_ref", "decided_at"])
        if outcome == Appeal.UPHELD:
            undo_decision(actor=actor, decision=decision)
        decision.expires_at = expiry(decision.created_at, decision.until, now)
        decision.save(update_fields=["expires_at"])
        log.record(
            log.APPEAL_DECIDED,
            actor=actor,
            by_staff=authority.by_staff,
            decision=decision,
            space=decision.space,
            subject_id=decision.subject_id,
            code=outcome,
        )
        code = "appeal_upheld" if outcome == Appeal.UPHELD else "appeal_refused"
        if notify_decision(actor=actor, decision=decision, code=code):
            transaction.on_commit(partial(enqueue, tasks.send_appeal_answer, appeal.pk))
    return appeal
