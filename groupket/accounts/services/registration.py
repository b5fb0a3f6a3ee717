"""Signing up with consent, and verifying the email address (P1.1, P2.1, P3.1)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from groupket.accounts import tasks, throttle
from groupket.accounts.models import EmailChangeNotice, Member
from groupket.accounts.normalise import normalise_email, normalise_email_key, normalise_username_key
from groupket.accounts.tokens import VERIFY_SALT, target_index
from groupket.core import blind_index
from groupket.core.keys import create_data_key
from groupket.core.tasks import enqueue
from groupket.privacy.models import ConsentEvent, PolicyDocument
from groupket.privacy.selectors import current_document
from groupket.privacy.services import record_consent


class AgreementRequired(Exception):
    """Signup reached the service without both agreements; nothing is stored."""


@dataclass(frozen=True)
class Signup:
    username: str
    name: str
    email: str
    password: str
    agree_terms: bool
    agree_privacy: bool
    marketing_opt_in: bool


def sign_up(*, signup: Signup) -> Member | None:
    """Register a new member; or, when the email address already belongs to an account, store nothing.

    The visitor is answered the same either way ("check your email", OWASP's advice against account
    enumeration): the address's owner is told that someone tried (at most 3 notices an hour), and the
    password is hashed all the same, so the slowest step costs the same. None when nothing was made.
    """
    if not (signup.agree_terms and signup.agree_privacy):
        raise AgreementRequired("both the Terms of Use and the Privacy Policy must be agreed to")
    with transaction.atomic():
        owner = Member.objects.with_email(signup.email).only("pk", "is_active").first()
        if owner is None:
            return register_member(signup=signup)
        make_password(signup.password)
        if owner.is_active and throttle.may_mail_address(kind="signup-notice", email=signup.email):
            transaction.on_commit(lambda: enqueue(tasks.send_signup_attempt_email, owner.pk))
    return None


def register_member(*, signup: Signup, channel: str = "web") -> Member:
    """Create the member with their own data key and record each agreement with its version."""
    if not (signup.agree_terms and signup.agree_privacy):
        raise AgreementRequired("both the Terms of Use and the Privacy Policy must be agreed to")
    with transaction.atomic():
        terms = current_document(PolicyDocument.TERMS)
        privacy = current_document(PolicyDocument.PRIVACY)
        data_key = create_data_key()
        member = Member(
            data_key=data_key,
            username=signup.username.strip(),
            username_index=blind_index.compute("username", normalise_username_key(signup.username)),
            name=signup.name.strip(),
            email=normalise_email(signup.email),
            email_index=blind_index.compute("email", normalise_email_key(signup.email)),
        )
        member.set_password(signup.password)
        member.save()
        for document in (terms, privacy):
            record_consent(
                member=member, document=document.kind, version=document.version, granted=True, channel=channel
            )
        if signup.marketing_opt_in:
            record_consent(member=member, document=ConsentEvent.MARKETING, version=None, granted=True, channel=channel)
        transaction.on_commit(lambda: enqueue(tasks.send_verification_email, member.pk))
    return member


class InvalidVerification(Exception):
    """The link is expired, altered, already used, or for an address no longer asked for."""


class EmailTaken(InvalidVerification):
    """Another member verified the same new address first; this member keeps their current one."""


def _verification_payload(token: str) -> dict:
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=settings.GROUPKET_VERIFICATION_MAX_AGE)
    except signing.BadSignature:
        raise InvalidVerification("bad or expired token") from None
    if not isinstance(payload, dict):
        raise InvalidVerification("not a verification token")
    return payload


def is_verification_token(token: str) -> bool:
    """Whether the token is one of ours and unexpired (what it names is checked when it is used)."""
    try:
        _verification_payload(token)
    except InvalidVerification:
        return False
    return True


def verify_email(*, token: str) -> Member:
    """Mark the address in the token as verified; a pending new address replaces the old one."""
    payload = _verification_payload(token)
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(pk=payload.get("m"), is_active=True).first()
        if member is None or payload.get("t") not in ("email", "pending"):
            raise InvalidVerification("no such member")
        if target_index(member, payload["t"])[:16] != payload.get("i"):
            raise InvalidVerification("the address has changed since the link was sent")
        if payload["t"] == "pending":
            _replace_email(member)
        elif member.email_verified_at is None:
            member.email_verified_at = timezone.now()
            member.save(update_fields=["email_verified_at"])
    return member


def _replace_email(member: Member) -> None:
    if Member.objects.with_email(member.pending_email).exclude(pk=member.pk).exists():
        raise EmailTaken("the new address now belongs to another member")
    # The old address is told of the change by a task that reads it from this sealed row, never from its arguments.
    notice = EmailChangeNotice.objects.create(member=member, data_key_id=member.data_key_id, old_email=member.email)
    member.email = member.pending_email
    member.email_index = blind_index.compute("email", normalise_email_key(member.pending_email))
    member.pending_email = None
    member.email_verified_at = timezone.now()
    try:
        with transaction.atomic():
            member.save(update_fields=["email", "email_index", "pending_email", "email_verified_at"])
    except IntegrityError:
        # Another member's verification of the same address committed between the check and the save.
        raise EmailTaken("the new address now belongs to another member") from None
    transaction.on_commit(lambda: enqueue(tasks.send_email_changed_notice, notice.pk))


def resend_verification(*, member: Member) -> None:
    if member.email_confirmed and not member.pending_email:
        return
    transaction.on_commit(lambda: enqueue(tasks.send_verification_email, member.pk))
