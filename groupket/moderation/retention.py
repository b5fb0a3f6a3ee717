"""The daily destruction of moderation records (P10.1, P8.5): settings.GROUPKET_SCHEDULES.

- Writing a moderator deleted is kept out of sight until the 20 days to appeal have passed (and any
  appeal is answered), so an upheld appeal can bring it back; then it is destroyed.
- Cases (held and reported items with their reports) 1 year after they close.
- Decisions (warnings, silences, suspensions, with their appeals) 1 year after the last moment they
  mattered: the appeal period, the end of a silence or suspension, the appeal's answer.
- Moderation log rows 1 year after they were written.
Each category destroyed is written to the destruction log (category, count, method, basis).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groupket.moderation.models import DELETE, Case, Decision, LogEntry, Report
from groupket.moderation.permissions import APPEAL_DAYS
from groupket.privacy.services import record_destruction
from groupket.spaces.models import Written
from groupket.spaces.services.moderated import destroy_written

RETENTION_DAYS = 365
METHOD = "rows deleted"
BASIS = "retention period of moderation records (1 year after the case closed) ended"
REMOVED_BASIS = "deleted by a moderator; the 20 days to appeal passed without an upheld appeal"


def _destroy_removed_writing(now) -> int:
    """Writing deleted by moderators whose appeal period is over and whose appeal, if any, was rejected."""
    settled = Q(appeal__isnull=True) | Q(appeal__decided_at__isnull=False)
    decisions = Decision.objects.filter(
        settled, kind=DELETE, undone_at__isnull=True, created_at__lte=now - timedelta(days=APPEAL_DAYS)
    ).select_related("post", "comment__post")
    count = 0
    for decision in decisions:
        written = decision.comment or decision.post
        if written is not None and written.state == Written.REMOVED:
            destroy_written(actor=None, written=written)
            count += 1
    return count


def destroy_closed_moderation_records() -> int:
    """Run daily; how many rows were destroyed."""
    now = timezone.now()
    cutoff = now - timedelta(days=RETENTION_DAYS)
    with transaction.atomic():
        counts = {"posts and comments deleted by moderators": _destroy_removed_writing(now)}
        closed = Case.objects.filter(status=Case.CLOSED, closed_at__lte=cutoff)
        counts["moderation reports"] = Report.objects.filter(case__in=closed).count()
        counts["held and reported items (moderation cases)"] = closed.count()
        closed.delete()
        expired = Decision.objects.filter(expires_at__lte=now)
        counts["moderation decisions and appeals"] = expired.count()
        expired.delete()
        counts["moderation log entries"] = LogEntry.objects.filter(created_at__lte=cutoff).delete()[0]
        for category, count in counts.items():
            if count:
                basis = REMOVED_BASIS if category.startswith("posts") else BASIS
                record_destruction(category=category, count=count, method=METHOD, basis=basis)
    return sum(counts.values())
