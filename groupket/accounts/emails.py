"""Emails to members. Each is sent after the transaction commits, by a task given only ids.

Messages carry both English and Korean, since a member's language is not stored.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from groupket.accounts.models import Member


def _render_bilingual(template: str, context: dict[str, object]) -> str:
    parts = []
    for language in ("en", "ko"):
        with translation.override(language):
            parts.append(render_to_string(template, context).strip())
    return "\n\n----------\n\n".join(parts)


def _subject(english: str, korean: str) -> str:
    return f"[Groupket] {english} / {korean}"


def _send(*, to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


def send_verification(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_verification_email

    send_verification_email.delay(member_id)


def deliver_verification(*, member_id: int) -> None:
    from groupket.accounts.services.registration import make_verification_token

    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    link = settings.SITE_URL + reverse("accounts:verify_email", args=[make_verification_token(member)])
    body = _render_bilingual("accounts/email/verify.txt", {"name": member.name, "link": link})
    _send(to=member.pending_email or member.email, subject=_subject("Confirm your email", "이메일 확인"), body=body)


def send_email_changed_notice(*, old_address: str, member_id: int) -> None:
    body = _render_bilingual("accounts/email/email_changed.txt", {"site": settings.SITE_URL})
    _send(to=old_address, subject=_subject("Your email address was changed", "이메일 주소가 변경되었습니다"), body=body)


def send_password_reset(*, member_id: int) -> None:
    from groupket.accounts.tasks import send_password_reset_email

    send_password_reset_email.delay(member_id)


def deliver_password_reset(*, member_id: int) -> None:
    from groupket.accounts.services.passwords import make_reset_token

    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    link = settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[make_reset_token(member)])
    body = _render_bilingual("accounts/email/password_reset.txt", {"name": member.name, "link": link})
    _send(to=member.email, subject=_subject("Set a new password", "새 비밀번호 설정"), body=body)
