"""Members report a post or comment (P10.1); the reporter is never shown to the author or to others."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.core.actors import acting
from groupket.moderation import permissions
from groupket.moderation.models import PERSONAL_INFO, SPACE_RULE, Report
from groupket.moderation.services import log
from groupket.moderation.services.cases import open_case, rescore
from groupket.spaces.models import Comment, Post, Written
from groupket.spaces.services.moderated import set_written_state


@acting("actor")
def report_written(
    *, actor: AbstractBaseUser, written: Post | Comment, reason: str, rule_number: int | None, note: str
) -> Report:
    """File a report; "personal information exposed" hides the item at once, until a moderator reviews it."""
    if reason not in dict(Report._meta.get_field("reason").choices):
        raise ValueError(f"no report reason {reason!r}")
    with transaction.atomic():
        case, _made = open_case(written)
        already = Report.objects.filter(case=case, reporter_id=actor.pk).exists()
        permissions.check_can_report(written, actor.pk, already=already)
        report = Report.objects.create(
            case=case,
            reporter=actor,
            data_key_id=actor.data_key_id,
            reason=reason,
            rule_number=rule_number if reason == SPACE_RULE else None,
            note=note or None,
        )
        rule = f"rule {report.rule_number}" if report.rule_number else ""
        log.record(log.REPORTED, actor=None, case=case, subject_id=written.author_id, code=reason, rule=rule)
        if reason == PERSONAL_INFO and set_written_state(actor=None, written=written, state=Written.HIDDEN):
            log.record(log.HIDDEN_PENDING, actor=None, case=case, subject_id=written.author_id)
        rescore(case)
    return report
