"""Who may report, moderate, appeal and decide appeals: one check per action, raising ModerationDenied.

Groupket's moderators (the staff role with the "moderate" action) act in every space; a space's
owner and organisers act in their own space, and only there. Suspending from all of Groupket is
for Groupket's moderators. An appeal is decided by someone other than whoever made the decision.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from groupket.moderation.models import APPROVE, SUSPEND, Appeal, Decision
from groupket.spaces.models import Comment, Membership, Post, Space
from groupket.staff.permissions import allowed_actions
from groupket.staff.roles import MODERATE
from groupket.staff.selectors import active_role_slugs

APPEAL_DAYS = 20
APPEAL_DECISION_DAYS = 7


class ModerationDenied(PermissionDenied):
    """Not allowed; the message is for people and translated."""


ORGANISERS_ONLY = _("Only the space's organisers and Groupket's moderators can do this.")


def _deny(message: object) -> None:
    raise ModerationDenied(message)


def is_groupket_moderator(member_id: int | None) -> bool:
    return member_id is not None and MODERATE in allowed_actions(active_role_slugs(member_id))


@dataclass(frozen=True)
class Authority:
    """How a person moderates a space: as Groupket's moderator (staff) or as one of its organisers."""

    member_id: int
    by_staff: bool


def authority_in(space: Space, member_id: int, membership: Membership | None) -> Authority:
    """Raises unless the member may moderate this space."""
    if is_groupket_moderator(member_id):
        return Authority(member_id, by_staff=True)
    if membership is not None and membership.runs_space and membership.space_id == space.pk:
        return Authority(member_id, by_staff=False)
    _deny(ORGANISERS_ONLY)


def check_can_decide(authority: Authority, kind: str) -> None:
    if kind == SUSPEND and not authority.by_staff:
        _deny(_("Only Groupket's moderators can suspend a member from Groupket."))


def check_can_report(written: Post | Comment, reporter_id: int, *, already: bool) -> None:
    if written.author_id == reporter_id:
        _deny(_("You cannot report your own writing."))
    if already:
        _deny(_("You have already reported this. Moderators will review it."))


def check_can_appeal(decision: Decision, member_id: int, *, now: datetime, has_appeal: bool) -> None:
    if decision.subject_id != member_id:
        _deny(_("Only the member a decision is about can appeal it."))
    if decision.kind == APPROVE or decision.undone_at is not None:
        _deny(_("There is nothing to appeal in this decision."))
    if has_appeal:
        _deny(_("A decision can be appealed once, and this one already was."))
    if now > decision.created_at + timedelta(days=APPEAL_DAYS):
        _deny(_("The 20 days to appeal this decision have passed."))


def check_can_decide_appeal(appeal: Appeal, authority: Authority) -> None:
    if appeal.decided_at is not None:
        _deny(_("This appeal is already decided."))
    if appeal.decision.actor_ref == authority.member_id:
        _deny(_("An appeal is decided by a moderator other than the one who made the decision."))
    if appeal.decision.by_staff and not authority.by_staff:
        _deny(_("An appeal of a decision by Groupket's moderators is decided by Groupket's moderators."))
