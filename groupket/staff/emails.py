"""Mail of the privacy officer's request desk, delivered by the tasks in staff.tasks given a request id,
never personal data (P6.2). This module imports only models and tokens, never a service or a task.

Every message is bilingual (core.mail.send_in_both_languages) and marked Auto-Submitted, so the
intake of the officer's mailbox never files Groupket's own mail as a new request.
"""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from groupket.accounts.models import Member
from groupket.core.mail import send_in_both_languages
from groupket.privacy.officer import privacy_officer
from groupket.staff.models import REQUEST_KIND_LABELS, AuthenticatorReset, PrivacyRequest
from groupket.staff.tokens import make_verification_token

AUTO_HEADERS = {"Auto-Submitted": "auto-generated"}


def _send(*, to: str, subject: Callable[[], str], template: str, context: dict[str, object]) -> None:
    kind = context["request"].kind
    send_in_both_languages(
        to=to,
        subject=subject,
        template=template,
        context={**context, "kind": REQUEST_KIND_LABELS[kind]},
        headers=AUTO_HEADERS,
    )


def deliver_request_acknowledgement(*, request_id: int) -> None:
    filed = PrivacyRequest.objects.filter(pk=request_id).first()
    if filed is None:
        return
    _send(
        to=filed.requester_email,
        subject=lambda: _("We received your request #%(number)s") % {"number": filed.pk},
        template="staff/requests_mail_acknowledgement.txt",
        context={"request": filed, "policy": settings.SITE_URL + reverse("privacy:policy")},
    )


def deliver_officer_notice(*, request_id: int) -> None:
    """Only the number, the due date and a link: the officer reads the request in the console."""
    filed = PrivacyRequest.objects.filter(pk=request_id).only("pk", "kind", "channel", "due_on").first()
    if filed is None:
        return
    _send(
        to=settings.GROUPKET_PRIVACY_OFFICER["email"],
        subject=lambda: _("Request #%(number)s received") % {"number": filed.pk},
        template="staff/requests_mail_officer.txt",
        context={"request": filed, "link": settings.SITE_URL + reverse("staff:request", args=[filed.pk])},
    )


def deliver_verification_link(*, request_id: int) -> None:
    filed = PrivacyRequest.objects.filter(pk=request_id).first()
    if filed is None:
        return
    link = settings.SITE_URL + reverse("privacy_contact_verify", args=[make_verification_token(filed)])
    _send(
        to=filed.requester_email,
        subject=lambda: _("Confirm your request #%(number)s") % {"number": filed.pk},
        template="staff/requests_mail_verify.txt",
        context={"request": filed, "link": link, "days": settings.GROUPKET_REQUEST_VERIFY_MAX_AGE // 86400},
    )


def deliver_request_answer(*, request_id: int) -> None:
    filed = PrivacyRequest.objects.filter(pk=request_id).first()
    if filed is None or filed.answer is None:
        return
    _send(
        to=filed.requester_email,
        subject=lambda: _("Answer to your request #%(number)s") % {"number": filed.pk},
        template="staff/requests_mail_answer.txt",
        context={"request": filed, "officer": privacy_officer()},
    )


def deliver_authenticator_reset_notice(*, reset_id: int) -> None:
    """Tell a staff member their authenticator was reset, so one they did not ask for is noticed at once."""
    reset = AuthenticatorReset.objects.filter(pk=reset_id).first()
    staff = Member.objects.filter(pk=reset.member_ref, is_active=True).first() if reset else None
    if staff is None:
        return
    send_in_both_languages(
        to=staff.email,
        subject=lambda: _("Your staff authenticator was reset"),
        template="staff/authenticator_reset_mail.txt",
        context={"when": reset.created_at, "console": settings.SITE_URL + reverse("staff:home")},
        headers=AUTO_HEADERS,
    )
