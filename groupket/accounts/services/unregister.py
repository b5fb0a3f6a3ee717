"""[Unregister]: end the membership and destroy the member's data (P6.3, P8.1, P8.5)."""

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from groupket.accounts.models import LoginRecord, Member, SignIn
from groupket.accounts.services.sessions import end_all_sign_ins
from groupket.core.actors import acting
from groupket.core.keys import destroy_data_key
from groupket.privacy.models import ConsentEvent
from groupket.privacy.services import record_destruction
from groupket.privacy.services.retention import retain_records_for_withdrawal

DESTRUCTION_METHOD = "member data key destroyed (crypto-shredding, AES-256-GCM) and rows deleted"
DESTRUCTION_BASIS = "withdrawal by the member (Unregister)"


class WrongPassword(Exception):
    """The password typed to confirm Unregister is not the member's."""


def unregister_member(*, member: Member, password: str, keep_writing: bool = False) -> None:
    """Check the password, then destroy everything in one transaction; a failure leaves the member whole.

    keep_writing: the member's choice to leave their posts and comments under "Withdrawn member",
    unlinked from them, rather than destroy them with their key (the default).
    core.throttling.TooManyAttempts, with nothing checked or changed, while the member's ID is paused.
    """
    if not member.check_current_password(password):
        raise WrongPassword("the confirmation password did not match")
    _destroy_membership(member=member, basis=DESTRUCTION_BASIS, caused_by=None, keep_writing=keep_writing)


@acting("officer")
def unregister_member_by_officer(*, officer: Member, member: Member, basis: str) -> None:
    """The same destruction without the password, for the privacy officer's desk only (P6.2).

    The desk calls it for a request whose requester proved control of the member's address;
    `basis` names that request in the destruction log (never any personal item), and every
    destruction-log row names the officer.
    """
    _destroy_membership(member=member, basis=basis, caused_by=officer)


def _destroy_membership(*, member: Member, basis: str, caused_by: Member | None, keep_writing: bool = False) -> None:
    """caused_by: the officer of the desk; None for the member's own Unregister, which the basis names."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        # What a law keeps is copied apart first, while the member's key can still open it (P8.2).
        kept = retain_records_for_withdrawal(member=member)
        counts = {
            "member account": 1,
            "login records": LoginRecord.objects.filter(member=member).count(),
            "consent records": ConsentEvent.objects.filter(member=member).count(),
        }
        for category, count in kept.items():
            if category in counts:
                counts[category] -= count
        # Apps below accounts (spaces: posts, comments) destroy their rows here, while the key still opens them.
        for path in settings.GROUPKET_WITHDRAWAL_STEPS:
            counts.update(import_string(path)(member=member, keep_writing=keep_writing))
        counts["signed-in sessions"] = end_all_sign_ins(member=member)
        SignIn.objects.filter(member=member).delete()
        destroy_data_key(member.data_key_id)
        for category, count in counts.items():
            if count:
                record_destruction(
                    category=category, count=count, method=DESTRUCTION_METHOD, basis=basis, caused_by=caused_by
                )
