"""Emails to members. Each is sent after the transaction commits, by a task given only ids.

Messages carry both English and Korean, since a member's language is not stored.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.accounts.models import Member
from groupket.core.mail import send_in_both_languages


def send_verification(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_verification_email

    send_verification_email.delay(member_id)


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


def send_email_changed_notice(*, old_address: str, member_id: int) -> None:
    send_in_both_languages(
        to=old_address,
        subject=lambda: _("Your email address was changed"),
        template="accounts/email/email_changed.txt",
        context={"site": settings.SITE_URL},
    )


def send_password_reset(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_password_reset_email

    send_password_reset_email.delay(member_id)


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
