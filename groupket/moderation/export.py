"""What moderation puts in a member's data export (P6.1): listed in settings.GROUPKET_EXPORT_SECTIONS.

The reports the member made (never who else reported) and the decisions about them, with their
appeals. Who moderated is not the member's data and is not exported.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from groupket.moderation.models import Report
from groupket.moderation.selectors import member_decisions
from groupket.privacy.export_sections import export_section, timestamp

COLUMNS = {
    "item": _("Post or comment"),
    "reason": _("Reason"),
    "rule_number": _("Rule number"),
    "note": _("Note"),
    "outcome": _("Outcome"),
    "kind": _("Decision"),
    "space": _("Space"),
    "rule": _("Rule"),
    "until": _("Until"),
    "undone_at": _("Undone"),
    "appeal": _("Appeal"),
}


def _address(slug: str, post_id: int | None, comment_id: int | None) -> str:
    return f"/s/{slug}/c/{comment_id}/" if comment_id else f"/s/{slug}/p/{post_id}/"


@export_section(label=_("Reports I made"), columns=COLUMNS)
def reports(member: AbstractBaseUser) -> list[dict[str, Any]]:
    rows = Report.objects.filter(reporter=member).select_related("case__space").order_by("created_at", "pk")
    return [
        {
            "item": _address(row.case.space.slug, row.case.post_id, row.case.comment_id),
            "reason": row.reason,
            "rule_number": row.rule_number,
            "note": row.note,
            "outcome": row.outcome,
            "time": timestamp(row.created_at),
        }
        for row in rows
    ]


@export_section(label=_("Moderation decisions about me"), columns=COLUMNS)
def moderation_decisions(member: AbstractBaseUser) -> list[dict[str, Any]]:
    found = []
    for decision in reversed(member_decisions(member.pk)):
        appeal = getattr(decision, "appeal", None)
        found.append(
            {
                "kind": decision.kind,
                "space": decision.space.name if decision.space else None,
                "rule": decision.rule,
                "rule_number": decision.rule_number,
                "reason": decision.reason,
                "until": timestamp(decision.until),
                "undone_at": timestamp(decision.undone_at),
                "time": timestamp(decision.created_at),
                "appeal": None
                if appeal is None
                else {
                    "statement": appeal.statement,
                    "time": timestamp(appeal.created_at),
                    "outcome": appeal.outcome,
                    "answer": appeal.answer,
                },
            }
        )
    return found
