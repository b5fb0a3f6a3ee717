"""Resetting a staff member's lost authenticator: a recorded action of the privacy officer (P7.7).

The staff member then enrols a new authenticator at their next console visit, as on their first.
Whoever knows the password could enrol next, so the officer confirms who is asking (in person or
by phone) before resetting, and the staff member is told by email at once.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from groupket.accounts.models import Member
from groupket.accounts.services.sessions import end_all_sign_ins
from groupket.core.actors import Actor, SystemActor, acting, actor_label, actor_ref
from groupket.core.tasks import enqueue
from groupket.staff import tasks
from groupket.staff.models import Authenticator, AuthenticatorReset, BackupCodes
from groupket.staff.selectors import is_staff
from groupket.staff.services.roles import check_can_grant

_REASON_LIMIT = 300


class AuthenticatorResetRefused(Exception):
    """The reset is not possible as asked; nothing was changed. The message is meant for people."""


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise AuthenticatorResetRefused(_("Say why the authenticator is reset."))
    if len(reason) > _REASON_LIMIT:
        raise AuthenticatorResetRefused(_("The reason is limited to 300 characters."))
    return reason


@acting("officer", system=True)
def reset_authenticator(*, officer: Actor, staff: Member, reason: str) -> AuthenticatorReset:
    """Remove the staff member's authenticator and backup codes, sign them out everywhere, and record why.

    The officer is another privacy officer, or the operator on the server (SystemActor, manage.py
    reset_authenticator) for an officer's own device.
    """
    check_can_grant(officer)
    if not isinstance(officer, SystemActor) and officer.pk == staff.pk:
        raise AuthenticatorResetRefused(
            _("Your own authenticator is reset by another privacy officer, or by the operator on the server.")
        )
    reason = _checked_reason(reason)
    with transaction.atomic():
        # Locking the member serialises a reset with an enrolment or a sign-in of the same account.
        list(Member.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True))
        if not is_staff(staff.pk):
            raise AuthenticatorResetRefused(_("That member holds no staff role. Nothing was changed."))
        removed = (
            Authenticator.objects.filter(user=staff).delete()[0] + BackupCodes.objects.filter(user=staff).delete()[0]
        )
        if not removed:
            raise AuthenticatorResetRefused(
                _("That staff member has no authenticator yet: they set one up at their next console visit.")
            )
        end_all_sign_ins(member=staff)
        reset = AuthenticatorReset.objects.create(
            member_ref=staff.pk, reset_by_ref=actor_ref(officer), reset_by_operator=actor_label(officer), reason=reason
        )
        transaction.on_commit(lambda: enqueue(tasks.send_authenticator_reset_notice, reset.pk))
    return reset
