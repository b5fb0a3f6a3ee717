"""Emails to members. Each is sent after the transaction commits, by a task given only ids.

Messages carry both English and Korean, since a member's language is not stored.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.accounts.models import EmailChangeNotice, Member
from groupket.core.mail import send_in_both_languages
from groupket.core.tasks import enqueue


def send_verification(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_verification_email

    enqueue(send_verification_email, member_id)


def deliver_verification(*, member_id: int) -> None:
    from groupket.accounts.services.registration import make_verification_token

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


def send_email_changed_notice(*, notice_id: int) -> None:
    from groupket.accounts.tasks import send_email_changed_notice as task

    enqueue(task, notice_id)


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


def send_password_reset(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_password_reset_email

    enqueue(send_password_reset_email, member_id)


def deliver_password_reset(*, member_id: int) -> None:
    from groupket.accounts.services.passwords import make_reset_token

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


def send_signup_attempt_notice(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_signup_attempt_email

    enqueue(send_signup_attempt_email, member_id)


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
