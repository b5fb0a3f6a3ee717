"""Changing and resetting a password, and the reminder to change an old one (P7.1, P7.9).

A reset link carries "<member pk in base64>-<Django reset token>" in one path segment.
The token hashes the current password hash and last sign-in, so it stops working as soon
as the password is set (single use) and after PASSWORD_RESET_TIMEOUT (one hour).

Apps below accounts add their own rules without accounts importing them: every callable named in
settings.GROUPKET_PASSWORD_POLICIES may refuse a new password, and every one named in
settings.GROUPKET_PASSWORD_CHANGE_RECORDERS hears of each change, in the same transaction (staff: P7.7).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.utils.module_loading import import_string

from groupket.accounts import tasks, throttle
from groupket.accounts.middleware import SIGN_IN_ID
from groupket.accounts.models import Member, PasswordResetRequest, SignIn
from groupket.accounts.normalise import normalise_email_key
from groupket.accounts.services.sessions import end_all_sign_ins
from groupket.accounts.services.sign_in import end_other_sign_ins
from groupket.accounts.tokens import reset_tokens
from groupket.core import blind_index
from groupket.core.tasks import enqueue


def member_for_reset_token(token: str) -> Member | None:
    """The member a valid, unexpired, unused token is for; None for anything else."""
    uidb64, _, django_token = token.partition("-")
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:  # beyond any database's integer: not a pk, and not worth a query
        return None
    member = Member.objects.filter(pk=pk, is_active=True).first()
    if member is None or not reset_tokens.check_token(member, django_token):
        return None
    return member


def request_password_reset(*, email: str, ip: str) -> None:
    """Record the request for the background lookup: the same work, and answer, for any address.

    Whether the address is a member's is found out only in the task (look_up_password_reset), so the
    request's time and queries say nothing about it. At most 3 mails per address and 20 requests per IP
    address within the hour: TooManyAttempts for the IP address; past the address's 3, nothing is sent.
    """
    throttle.count_mail_request(kind="reset", ip=ip)
    if not throttle.may_mail_address(kind="reset", email=email):
        return
    with transaction.atomic():
        reset = PasswordResetRequest.objects.create(
            email_indexes=" ".join(blind_index.candidates("email", normalise_email_key(email)))
        )
        transaction.on_commit(lambda: enqueue(tasks.look_up_password_reset, reset.pk))


class PasswordRefused(Exception):
    """A password policy refused the new password; nothing changed. `reasons` are translated, for the form."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(f"{len(reasons)} password policies refused the new password")
        self.reasons = reasons


def _refuse_by_policies(member: Member, new_password: str) -> None:
    reasons = [
        reason
        for path in settings.GROUPKET_PASSWORD_POLICIES
        for reason in import_string(path)(member=member, new_password=new_password)
    ]
    if reasons:
        raise PasswordRefused(reasons)


def _record_change(member: Member, old_password_hash: str) -> None:
    for path in settings.GROUPKET_PASSWORD_CHANGE_RECORDERS:
        import_string(path)(member=member, old_password_hash=old_password_hash)


def _set_password(member: Member, new_password: str) -> None:
    """Set the password on the locked member if every policy allows it; PasswordRefused otherwise."""
    _refuse_by_policies(member, new_password)
    old_password_hash = member.password
    member.set_password(new_password)
    member.password_changed_at = timezone.now()
    # A new password starts a new reminder period, so an old snooze no longer matters.
    member.password_reminder_snoozed_until = None
    member.save(update_fields=["password", "password_changed_at", "password_reminder_snoozed_until"])
    _record_change(member, old_password_hash)


def change_password(*, request: HttpRequest, member: Member, new_password: str) -> int:
    """Set the new password, keep this browser signed in, end every other session; how many ended.

    PasswordRefused, with nothing changed, when a policy refuses the new password.
    """
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        _set_password(member, new_password)
        ended = end_other_sign_ins(member=member, keep_sign_in_id=request.session.get(SIGN_IN_ID))
        # This session gets a new key and the new password's hash; its listing follows the new key.
        update_session_auth_hash(request, member)
        SignIn.objects.filter(pk=request.session.get(SIGN_IN_ID), member=member).update(
            session_key=request.session.session_key
        )
    return ended


def reset_password(*, member: Member, new_password: str) -> None:
    """Set the password from a reset link and end every session, this browser's included.

    PasswordRefused, with nothing changed, when a policy refuses the new password.
    """
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        _set_password(member, new_password)
        end_all_sign_ins(member=member)


def password_reminder_due(member: Member) -> bool:
    """Whether to remind the member that the password is older than the reminder period (P7.9)."""
    now = timezone.now()
    if member.password_reminder_snoozed_until and member.password_reminder_snoozed_until > now:
        return False
    return now - member.password_changed_at > timedelta(days=settings.GROUPKET_PASSWORD_REMINDER_DAYS)


def snooze_password_reminder(*, member: Member) -> None:
    """'Remind me later': no reminder for the snooze period (settings.GROUPKET_PASSWORD_SNOOZE_DAYS)."""
    with transaction.atomic():
        member.password_reminder_snoozed_until = timezone.now() + timedelta(days=settings.GROUPKET_PASSWORD_SNOOZE_DAYS)
        member.save(update_fields=["password_reminder_snoozed_until"])
