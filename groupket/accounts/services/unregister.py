"""[Unregister]: end the membership and destroy the member's data (P6.3, P8.1, P8.5)."""

from django.db import transaction

from groupket.accounts.models import LoginRecord, Member, SignIn
from groupket.accounts.services.sessions import end_all_sign_ins
from groupket.core.keys import destroy_data_key
from groupket.privacy.models import ConsentEvent
from groupket.privacy.services import record_destruction

DESTRUCTION_METHOD = "member data key destroyed (crypto-shredding, AES-256-GCM) and rows deleted"
DESTRUCTION_BASIS = "withdrawal by the member (Unregister)"


class WrongPassword(Exception):
    """The password typed to confirm Unregister is not the member's."""


def unregister_member(*, member: Member, password: str) -> None:
    """Check the password, then destroy everything in one transaction; a failure leaves the member whole."""
    if not member.check_password(password):
        raise WrongPassword("the confirmation password did not match")
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        counts = {
            "member account": 1,
            "login records": LoginRecord.objects.filter(member=member).count(),
            "consent records": ConsentEvent.objects.filter(member=member).count(),
        }
        counts["signed-in sessions"] = end_all_sign_ins(member=member)
        SignIn.objects.filter(member=member).delete()
        destroy_data_key(member.data_key_id)
        for category, count in counts.items():
            if count:
                record_destruction(category=category, count=count, method=DESTRUCTION_METHOD, basis=DESTRUCTION_BASIS)
