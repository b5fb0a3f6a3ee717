"""Sending mail: through the SMTP server of EMAIL_URL, or, without one, as .eml files a person can open.

A message the server does not take raises MailNotSent, which says whether trying again later may help
and names the server's reply code, never an address: task failures are logged, and smtplib's own
exceptions carry the refused recipients.

The .eml folder is a development outbox: its files hold names and addresses in plain text, so each is
readable by its owner only (0600) and the daily `delete_old_outbox_mail` job deletes those older than
GROUPKET_OUTBOX_KEEP_DAYS.
"""

import os
import secrets
import smtplib
import ssl
from collections.abc import Callable, Sequence
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac


class MailNotSent(smtplib.SMTPException):
    """The message did not go out. `temporary`: the server was unreachable or answered 4xx, so a later try may
    succeed; otherwise (5xx, an untrusted certificate, no STARTTLS) only a change of address or configuration helps.
    """

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.temporary = temporary


def _not_sent(error: OSError) -> MailNotSent:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        listed = ", ".join(str(code) for code in codes)
        return MailNotSent(f"the mail server refused the recipient ({listed})", temporary=all(c < 500 for c in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return MailNotSent(
            f"the mail server answered {error.smtp_code} ({type(error).__name__})", temporary=error.smtp_code < 500
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return MailNotSent("the mail server's certificate is not trusted", temporary=False)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return MailNotSent(
            "the mail server does not offer the STARTTLS or AUTH that EMAIL_URL asks for", temporary=False
        )
    return MailNotSent(f"the message was not sent ({type(error).__name__})", temporary=True)


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(settings.GROUPKET_MAIL_DIR)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            # Created 0600 (and never over another file): it holds the recipient's name and address.
            descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(message.message().as_bytes(linesep="\r\n"))
        return len(email_messages)


def delete_old_outbox_mail() -> int:
    """Delete outbox files older than GROUPKET_OUTBOX_KEEP_DAYS; how many (scheduled daily)."""
    folder = Path(settings.GROUPKET_MAIL_DIR)
    if not folder.is_dir():
        return 0
    cutoff = (timezone.now() - timedelta(days=settings.GROUPKET_OUTBOX_KEEP_DAYS)).timestamp()
    deleted = 0
    for path in folder.glob("*.eml"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def send_bilingual(
    *, to: str, subject_en: str, subject_ko: str, body_en: str, body_ko: str, headers: dict[str, str] | None = None
) -> None:
    """One message in English and Korean, since a member's language is not stored."""
    message = EmailMessage(
        subject=f"[Groupket] {subject_en} / {subject_ko}",
        body=f"{body_en.strip()}\n\n----------\n\n{body_ko.strip()}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    try:
        message.send()
    except OSError as error:  # smtplib's exceptions, refused connections, timeouts and TLS errors alike
        raise _not_sent(error) from None


def stable_message_id(kind: str, *ids: int) -> str:
    """The same Message-ID each time this mail (a kind and its ids) goes to this member, naming nobody: an HMAC.

    A mail whose sending is in doubt after a crash is sent again under it, and a mailbox holding both shows one.
    """
    mark = salted_hmac(f"groupket.mail.{kind}", ":".join(map(str, ids))).hexdigest()[:32]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "groupket.localhost"
    return f"<{kind}.{mark}@{domain}>"


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
