"""The moderation log: one row per step, written in the step's own transaction (codes and numbers only)."""

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.moderation.models import Case, Decision, LogEntry
from groupket.spaces.models import Space

HELD = "held"
FLAGGED = "flagged"
REPORTED = "reported"
HIDDEN_PENDING = "hidden_pending_review"
DECIDED = "decided"
APPEALED = "appealed"
APPEAL_DECIDED = "appeal_decided"
UNDONE = "undone"
WORD_ADDED = "word_added"
WORD_REMOVED = "word_removed"


def record(
    action: str,
    *,
    actor: AbstractBaseUser | None,
    by_staff: bool = False,
    case: Case | None = None,
    decision: Decision | None = None,
    space: Space | None = None,
    subject_id: int | None = None,
    code: str = "",
    rule: str = "",
) -> LogEntry:
    return LogEntry.objects.create(
        action=action,
        actor_ref=actor.pk if actor is not None else None,
        by_staff=by_staff,
        case_ref=case.pk if case is not None else (decision.case_id if decision is not None else None),
        decision_ref=decision.pk if decision is not None else None,
        space=space or (case.space if case is not None else None),
        subject_id=subject_id,
        code=code,
        rule=rule,
    )
