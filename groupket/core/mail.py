"""Without SMTP, every outgoing message is written as one .eml file a person can open."""

import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone, translation


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(settings.GROUPKET_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            (folder / name).write_bytes(message.message().as_bytes(linesep="\r\n"))
        return len(email_messages)


def send_bilingual(
    *, to: str, subject_en: str, subject_ko: str, body_en: str, body_ko: str, headers: dict[str, str] | None = None
) -> None:
    """One message in English and Korean, since a member's language is not stored."""
    EmailMessage(
        subject=f"[Groupket] {subject_en} / {subject_ko}",
        body=f"{body_en.strip()}\n\n----------\n\n{body_ko.strip()}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    ).send()


def send_in_both_languages(
    *,
    to: str,
    subject: Callable[[], str],
    template: str,
    context: dict[str, object],
    headers: dict[str, str] | None = None,
) -> None:
    """Render the subject and the template once in English and once in Korean, from the catalogue, and send both.

    `subject` is called under each language, so it may format a translated text with numbers or dates.
    """
    subjects, bodies = [], []
    for language in ("en", "ko"):
        with translation.override(language):
            subjects.append(subject())
            bodies.append(render_to_string(template, context))
    send_bilingual(
        to=to, subject_en=subjects[0], subject_ko=subjects[1], body_en=bodies[0], body_ko=bodies[1], headers=headers
    )
