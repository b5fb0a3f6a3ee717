"""Without SMTP, every outgoing message is written as one .eml file a person can open."""

import secrets
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


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
