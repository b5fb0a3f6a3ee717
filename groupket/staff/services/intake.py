"""Emails to the privacy officer become requests on the desk (P6.2).

`fetch_officer_mail` (hourly in GROUPKET_SCHEDULES, or `manage.py fetch_officer_mail`) reads
GROUPKET_OFFICER_MAILBOX: a Maildir ("maildir:/path") or an IMAP folder over TLS
("imaps://user:password@host/INBOX"). Messages are parsed by the standard library, never
rendered: the plain-text part is preferred, an HTML part is reduced to its text, and files
are size-limited, scanned when clamd is configured, and stored sealed. A Message-ID is filed
once. A message too large or unreadable is set aside in the "Unfiled" folder; one whose file
the scanner could not judge stays in the mailbox for the next run (fail closed). Groupket's
own mail, auto-replies and bounces are marked read and not filed, so no loop can start.
"""

import email.errors
import hashlib
import imaplib
import logging
import mailbox
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.crypto import salted_hmac

from groupket.accounts.models import Member
from groupket.core import antivirus
from groupket.staff.models import PrivacyRequest
from groupket.staff.services.intake_mailboxes import ImapSource, MaildirSource, Pending, open_mailbox
from groupket.staff.services.requests import DuplicateRequest, IncomingAttachment, NewRequest, file_request

logger = logging.getLogger(__name__)

BODY_LIMIT = 50_000
_PARSE_ERRORS = (
    email.errors.MessageError, ValueError, LookupError, UnicodeError, IndexError, TypeError, AttributeError,
    RecursionError,
)  # fmt: skip
# Words of a subject that name a kind of request (English by word start, Korean anywhere); first match wins.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    PrivacyRequest.DELETION: ("delete", "deletion", "erase", "erasure", "unregister", "삭제", "탈퇴", "파기"),
    PrivacyRequest.CORRECTION: ("correct", "rectif", "정정", "수정"),
    PrivacyRequest.STOP: ("stop processing", "stop using", "처리정지", "처리 정지"),
    PrivacyRequest.ACCESS: ("access", "copy of my", "열람"),
    PrivacyRequest.COMPLAINT: ("complain", "민원", "불만", "신고"),
}


class Malformed(Exception):
    """The message cannot be read as a request (no sender address, nothing in it, or unparseable)."""


class ScanDeferred(Exception):
    """The virus scanner gave no verdict on a file: the message waits in the mailbox for the next run."""


@dataclass
class IntakeReport:
    filed: int = 0
    duplicates: int = 0
    skipped: int = 0
    malformed: int = 0
    oversized: int = 0
    deferred: int = 0

    def summary(self) -> str:
        return ", ".join(f"{field.name} {getattr(self, field.name)}" for field in fields(self))


# --- Reading one message ---------------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """The text of an HTML part; nothing of it is rendered, fetched or run."""

    _SKIPPED = {"script", "style", "head", "template", "noscript", "svg"}
    _BLOCKS = {"p", "div", "br", "li", "tr", "table", "ul", "ol", "blockquote", "pre", "hr", "section", "article"}
    _BLOCKS |= {f"h{level}" for level in range(1, 7)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_of(part: EmailMessage) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset: read it as UTF-8, replacing what fails
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return html_to_text(text) if part.get_content_subtype() == "html" else text.strip()


def guess_kind(subject: str) -> str:
    lowered = subject.lower()
    for kind, words in KIND_WORDS.items():
        if any(re.search(rf"(?<![a-z]){re.escape(word)}", lowered) for word in words):
            return kind
    return PrivacyRequest.OTHER


def _requester(parsed: EmailMessage) -> tuple[str, str]:
    header = parsed["From"]
    for address in getattr(header, "addresses", ()):
        try:
            validate_email(address.addr_spec)
        except ValidationError:
            continue
        return (address.display_name or address.addr_spec.split("@")[0])[:100], address.addr_spec
    raise Malformed("no usable From address")


def is_auto_generated(parsed: EmailMessage) -> bool:
    """Groupket's own notices, auto-replies and bounces (RFC 3834, RFC 6522) are never requests."""
    if str(parsed.get("Auto-Submitted", "no")).strip().lower() != "no":
        return True
    if str(parsed.get("Precedence", "")).strip().lower() in ("bulk", "junk", "auto_reply"):
        return True
    ours = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    sender = parseaddr(str(parsed.get("From", "")))[1].lower()
    return parsed.get_content_type() == "multipart/report" or (bool(ours) and sender == ours)


def message_id_hash(parsed: EmailMessage, raw: bytes) -> str:
    """Keyed, so the column says nothing about the Message-ID; a message without one is known by its bytes."""
    message_id = str(parsed.get("Message-ID", "")).strip()
    basis = f"id\0{message_id}" if message_id else f"raw\0{hashlib.sha256(raw).hexdigest()}"
    return salted_hmac("groupket.staff.officer-mail", basis, algorithm="sha256").hexdigest()


def _leaves(part: EmailMessage) -> Iterator[EmailMessage]:
    # An attached message is one file, not parts of this one.
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for sub in part.iter_parts():
        yield from _leaves(sub)


def _is_attachment(part: EmailMessage) -> bool:
    return (
        part.get_content_disposition() == "attachment"
        or part.get_filename() is not None
        or part.get_content_maintype() not in ("text", "multipart")
    )


def _safe_filename(raw: str | None, content_type: str) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")[:200]
    return name or ("message.eml" if content_type == "message/rfc822" else "attachment")


def _content_of(part: EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822":
        return b"".join(bytes(inner) for inner in part.get_payload())
    return part.get_payload(decode=True) or b""


def _check_file(content: bytes, refused: Counter) -> bool:
    """Whether a file may be kept; why not is counted. ScanDeferred when clamd gives no verdict."""
    if len(content) > settings.GROUPKET_REQUEST_ATTACHMENT_MAX_BYTES:
        refused["larger than the size limit"] += 1
        return False
    if antivirus.is_configured():
        try:
            verdict = antivirus.scan(content)
        except antivirus.ScannerUnavailable:
            raise ScanDeferred("virus scanner gave no verdict") from None
        if not verdict.clean:
            logger.warning("officer mail: attachment refused, virus scanner found %s", verdict.signature)
            refused["found harmful by the virus scanner"] += 1
            return False
    return True


def _contents(parsed: EmailMessage) -> tuple[str, list[IncomingAttachment], Counter]:
    body_part = parsed.get_body(preferencelist=("plain", "html"))
    texts = [_text_of(body_part)] if body_part is not None else []
    kept: list[IncomingAttachment] = []
    refused: Counter = Counter()
    for part in _leaves(parsed):
        if part is body_part:
            continue
        if not _is_attachment(part):
            if part.get_content_type() == "text/plain":  # a body split around an inline image
                texts.append(_text_of(part))
            continue
        if len(kept) >= settings.GROUPKET_REQUEST_ATTACHMENTS_MAX:
            refused["over the limit of files per message"] += 1
            continue
        content_type = part.get_content_type()
        content = _content_of(part)
        if _check_file(content, refused):
            kept.append(IncomingAttachment(_safe_filename(part.get_filename(), content_type), content_type, content))
    return "\n\n".join(text for text in texts if text), kept, refused


def _body(subject: str, text: str) -> str:
    body = f"{subject}\n\n{text}".strip() if subject else text
    return body if len(body) <= BODY_LIMIT else body[:BODY_LIMIT] + "\n[…]"


def file_message(raw: bytes, *, received_at: datetime) -> str:
    """File one raw message; the outcome: "filed", "duplicate" or "skipped". Malformed or ScanDeferred otherwise."""
    try:
        parsed = BytesParser(policy=default_policy).parsebytes(raw)
        if is_auto_generated(parsed):
            return "skipped"
        digest = message_id_hash(parsed, raw)
        if PrivacyRequest.objects.filter(message_id_hash=digest).exists():
            return "duplicate"
        name, address = _requester(parsed)
        subject = " ".join(str(parsed.get("Subject", "")).split())[:300]
        text, attachments, refused = _contents(parsed)
    except _PARSE_ERRORS as error:
        raise Malformed(f"unreadable message: {type(error).__name__}") from None
    if not (subject or text or attachments):
        raise Malformed("nothing in the message")
    member_id = Member.objects.with_email(address).filter(is_active=True).values_list("pk", flat=True).first()
    new = NewRequest(
        kind=guess_kind(subject),
        channel="email",
        name=name,
        email=address,
        body=_body(subject, text),
        received_at=received_at,
        member_id=member_id,
        message_id_hash=digest,
    )
    note = "; ".join(f"{count} {why}" for why, count in sorted(refused.items()))
    try:
        file_request(new=new, attachments=attachments, acknowledge=False, refused_attachments=note)
    except DuplicateRequest:
        return "duplicate"
    return "filed"


# --- The run -----------------------------------------------------------------------------------------------------


def _take(source: MaildirSource | ImapSource, pending: Pending) -> str:
    limit = settings.GROUPKET_OFFICER_MAIL_MAX_BYTES
    raw = b"" if pending.size > limit else source.read(pending)
    if pending.size > limit or len(raw) > limit:
        logger.warning("officer mail: message %s set aside, larger than %d bytes", pending.key, limit)
        source.set_aside(pending.key)
        return "oversized"
    try:
        outcome = file_message(raw, received_at=min(pending.received_at, timezone.now()))
    except ScanDeferred:
        logger.warning("officer mail: message %s left for the next run, virus scanner gave no verdict", pending.key)
        return "deferred"
    except Malformed as error:
        logger.warning("officer mail: message %s set aside, %s", pending.key, error)
        source.set_aside(pending.key)
        return "malformed"
    source.mark_processed(pending.key)
    return outcome


def fetch_mailbox(address: str) -> IntakeReport:
    report = IntakeReport()
    plural = {"filed": "filed", "duplicate": "duplicates", "skipped": "skipped"}
    source = open_mailbox(address)
    try:
        for pending in source.pending():
            outcome = _take(source, pending)
            name = plural.get(outcome, outcome)
            setattr(report, name, getattr(report, name) + 1)
    finally:
        source.close()
    logger.info("officer mail: %s", report.summary())
    return report


# What an unreachable or misconfigured mailbox raises.
MAILBOX_ERRORS = (OSError, imaplib.IMAP4.error, mailbox.Error)
# An IMAP response code (RFC 5530) in a refusal, such as [AUTHENTICATIONFAILED]: a fixed word, never data.
_IMAP_RESPONSE_CODE = re.compile(r"\[([A-Z][A-Z0-9-]*)[\] ]")


def failure_kind(error: BaseException) -> str:
    """What went wrong reading the mailbox, fit for a log: the exception's class and any IMAP response code.

    Never the exception's text: it may hold the server's words, a path or the address with its password.
    """
    kind = type(error).__name__
    if isinstance(error, imaplib.IMAP4.error):
        kind = f"IMAP {kind}"
        if code := _IMAP_RESPONSE_CODE.search(str(error)):
            kind = f"{kind} {code.group(1)}"
    return kind


def fetch_officer_mail() -> int:
    """The scheduled job: how many requests were filed; nothing at all when no mailbox is configured.

    A mailbox that cannot be read is logged, not raised, so the jobs after this one still run.
    """
    if not settings.GROUPKET_OFFICER_MAILBOX:
        return 0
    try:
        return fetch_mailbox(settings.GROUPKET_OFFICER_MAILBOX).filed
    except MAILBOX_ERRORS as error:
        logger.error("officer mail: the mailbox could not be read (%s)", failure_kind(error))
        return 0
