"""Mail of the privacy officer's request desk, sent by tasks given a request id, never personal data (P6.2).

Every message is bilingual (core.mail.send_bilingual) and marked Auto-Submitted, so the
intake of the officer's mailbox never files Groupket's own mail as a new request.
"""

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from groupket.accounts.models import Member
from groupket.core.mail import send_bilingual
from groupket.staff.models import AuthenticatorReset, PrivacyRequest

AUTO_HEADERS = {"Auto-Submitted": "auto-generated"}


def _both(template: str, context: dict[str, object]) -> tuple[str, str]:
    from groupket.staff.forms_desk import KIND_LABELS

    bodies = []
    for language in ("en", "ko"):
        with translation.override(language):
            kind = str(KIND_LABELS[context["request"].kind])
            bodies.append(render_to_string(template, {**context, "kind": kind}))
    return bodies[0], bodies[1]


def _send(*, to: str, subjects: tuple[str, str], template: str, context: dict[str, object]) -> None:
    body_en, body_ko = _both(template, context)
    send_bilingual(
        to=to, subject_en=subjects[0], subject_ko=subjects[1], body_en=body_en, body_ko=body_ko, headers=AUTO_HEADERS
    )


@shared_task
def send_request_acknowledgement(request_id: int) -> None:
    filed = PrivacyRequest.objects.filter(pk=request_id).first()
    if filed is None:
        return
    _send(
        to=filed.requester_email,
        subjects=(f"We received your request #{filed.pk}", f"요청 #{filed.pk} 접수 확인"),
        template="staff/requests_mail_acknowledgement.txt",
        context={"request": filed, "policy": settings.SITE_URL + reverse("privacy:policy")},
    )


@shared_task
def send_officer_notice(request_id: int) -> None:
    """Only the number, the due date and a link: the officer reads the request in the console."""
    filed = PrivacyRequest.objects.filter(pk=request_id).only("pk", "kind", "channel", "due_on").first()
    if filed is None:
        return
    _send(
        to=settings.GROUPKET_PRIVACY_OFFICER["email"],
        subjects=(f"Request #{filed.pk} received", f"요청 #{filed.pk} 접수"),
        template="staff/requests_mail_officer.txt",
        context={"request": filed, "link": settings.SITE_URL + reverse("staff:request", args=[filed.pk])},
    )


@shared_task
def send_verification_link(request_id: int) -> None:
    from groupket.staff.services.requests import make_verification_token

    filed = PrivacyRequest.objects.filter(pk=request_id).first()
    if filed is None:
        return
    link = settings.SITE_URL + reverse("privacy_contact_verify", args=[make_verification_token(filed)])
    _send(
        to=filed.requester_email,
        subjects=(f"Confirm your request #{filed.pk}", f"요청 #{filed.pk} 본인 확인"),
        template="staff/requests_mail_verify.txt",
        context={"request": filed, "link": link, "days": settings.GROUPKET_REQUEST_VERIFY_MAX_AGE // 86400},
    )


@shared_task
def send_request_answer(request_id: int) -> None:
    filed = PrivacyRequest.objects.filter(pk=request_id).first()
    if filed is None or filed.answer is None:
        return
    _send(
        to=filed.requester_email,
        subjects=(f"Answer to your request #{filed.pk}", f"요청 #{filed.pk} 답변"),
        template="staff/requests_mail_answer.txt",
        context={"request": filed, "officer": settings.GROUPKET_PRIVACY_OFFICER},
    )


@shared_task
def send_authenticator_reset_notice(reset_id: int) -> None:
    """Tell a staff member their authenticator was reset, so one they did not ask for is noticed at once."""
    reset = AuthenticatorReset.objects.filter(pk=reset_id).first()
    staff = Member.objects.filter(pk=reset.member_ref, is_active=True).first() if reset else None
    if staff is None:
        return
    context = {"when": reset.created_at, "console": settings.SITE_URL + reverse("staff:home")}
    bodies = []
    for language in ("en", "ko"):
        with translation.override(language):
            bodies.append(render_to_string("staff/authenticator_reset_mail.txt", context))
    send_bilingual(
        to=staff.email,
        subject_en="Your staff authenticator was reset",
        subject_ko="직원 인증 앱이 초기화되었습니다",
        body_en=bodies[0],
        body_ko=bodies[1],
        headers=AUTO_HEADERS,
    )
