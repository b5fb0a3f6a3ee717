"""The signed tokens in emailed links: email verification and password reset.

They live beside the models, not in a service, so that the mail a task delivers (accounts.emails) can
make them without importing the services that enqueue it (the rule at the top of tests/test_architecture.py).
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from groupket.accounts.models import LoginRecord, Member
from groupket.accounts.normalise import normalise_email_key
from groupket.core import blind_index

VERIFY_SALT = "groupket.accounts.verify-email"


class _ResetTokens(PasswordResetTokenGenerator):
    key_salt = "groupket.accounts.password-reset"

    def _make_hash_value(self, user: Member, timestamp: int) -> str:
        # Django's covers the time of the latest sign-in, so that a link stops working once the member has signed
        # in; members keep no such time (accounts.models.Member), and the newest sign-in record names that sign-in.
        email = getattr(user, user.get_email_field_name(), "") or ""
        return f"{user.pk}{user.password}{latest_sign_in_record(user)}{timestamp}{email}"


reset_tokens = _ResetTokens()


def latest_sign_in_record(member: Member) -> int | None:
    """The number of the member's newest successful sign-in record, if one is still kept (3 months, P7.9)."""
    newest = LoginRecord.objects.filter(member_id=member.pk, succeeded=True).order_by("-pk")
    return newest.values_list("pk", flat=True).first()


def make_reset_token(member: Member) -> str:
    # base64 of the digits of a pk never contains "-", so the first "-" separates the two parts.
    return f"{urlsafe_base64_encode(force_bytes(member.pk))}-{reset_tokens.make_token(member)}"


def make_verification_token(member: Member) -> str:
    """A signed token naming the member and the address to verify (never the address itself)."""
    target = "pending" if member.pending_email else "email"
    return signing.dumps({"m": member.pk, "t": target, "i": target_index(member, target)[:16]}, salt=VERIFY_SALT)


def target_index(member: Member, target: str) -> str:
    address = member.pending_email if target == "pending" else member.email
    return blind_index.compute("email", normalise_email_key(address or ""))
