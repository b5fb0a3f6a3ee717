"""Emails to members, delivered by the tasks in accounts.tasks, given only ids.

Services enqueue those tasks after the transaction commits; this module imports only models and
tokens, never a service or a task, so that no cycle runs through it (tests/test_architecture.py).

Messages carry both English and Korean, since a member's language is not stored.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.accounts.models import EmailChangeNotice, Member, PasswordResetRequest
from groupket.accounts.tokens import make_reset_token, make_verification_token
from groupket.core.mail import send_in_both_languages


def deliver_verification(*, member_id: int) -> None:
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    if member.email_confirmed and not member.pending_email:
        # Confirmed before the mail went out (the demo members are, at once): there is nothing to confirm.
        return
    link = settings.SITE_URL + reverse("accounts:verify_email", args=[make_verification_token(member)])
    send_in_both_languages(
        to=member.pending_email or member.email,
        subject=lambda: _("Confirm your email address"),
        template="accounts/email/verify.txt",
        context={"name": member.name, "link": link},
    )


def deliver_email_changed_notice(*, notice_id: int) -> None:
    """Tell the address a member left that it was replaced, then destroy the sealed copy of it."""
    notice = EmailChangeNotice.objects.filter(pk=notice_id).first()
    if notice is None:  # already sent, or destroyed with the member's key
        return
    send_in_both_languages(
        to=notice.old_email,
        subject=lambda: _("Your email address was changed"),
        template="accounts/email/email_changed.txt",
        context={"site": settings.SITE_URL},
    )
    with transaction.atomic():
        EmailChangeNotice.objects.filter(pk=notice_id).delete()


def take_password_reset_request(*, request_id: int) -> int | None:
    """Find the member a reset request names, if any, and delete the request: the member's id, or None."""
    with transaction.atomic():
        reset = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
        if reset is None:
            return None  # already handled, or purged after an hour
        indexes = reset.email_indexes.split()
        reset.delete()
        member = Member.objects.filter(email_index__in=indexes, is_active=True).only("pk").first()
    return None if member is None else member.pk


def deliver_password_reset(*, member_id: int) -> None:
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    link = settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[make_reset_token(member)])
    send_in_both_languages(
        to=member.email,
        subject=lambda: _("Set a new password"),
        template="accounts/email/password_reset.txt",
        context={"name": member.name, "link": link},
    )


def deliver_signup_attempt_notice(*, member_id: int) -> None:
    """Tell the owner of an address that someone tried to sign up with it (no account was made)."""
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    send_in_both_languages(
        to=member.email,
        subject=lambda: _("Someone tried to sign up with your email address"),
        template="accounts/email/signup_attempt.txt",
        context={"name": member.name, "site": settings.SITE_URL},
    )
