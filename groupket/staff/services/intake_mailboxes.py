"""The officer's mailbox for the intake (services.intake): a Maildir or an IMAP folder over TLS (P6.2).

Each source lists the messages not yet taken, reads one as bytes without parsing it, marks
a filed one as processed, and sets an unreadable or oversized one aside in the "Unfiled"
folder, copied as it is. IMAP is read with BODY.PEEK, so nothing is flagged Seen until filed.
"""

import imaplib
import mailbox
import os
import re
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils import timezone

ASIDE_FOLDER = "Unfiled"


@dataclass(frozen=True)
class Pending:
    key: str
    size: int
    received_at: datetime


class MaildirSource:
    """New messages, and messages in cur/ without the S flag; a processed one is moved to cur/ and flagged S."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.box = mailbox.Maildir(self.path, factory=None, create=False)

    def pending(self) -> list[Pending]:
        found = []
        for subdir in ("new", "cur"):
            with os.scandir(self.path / subdir) as entries:
                names = sorted((entry.name, entry.stat()) for entry in entries if not entry.name.startswith("."))
            for name, stat in names:
                key, _, info = name.partition(self.box.colon)
                if subdir == "cur" and "S" in info.partition(",")[2]:
                    continue
                found.append(Pending(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC)))
        return found

    def read(self, pending: Pending) -> bytes:
        with self.box.get_file(pending.key) as handle:
            return handle.read(settings.GROUPKET_OFFICER_MAIL_MAX_BYTES + 1)

    def mark_processed(self, key: str) -> None:
        message = self.box.get_message(key)
        message.set_subdir("cur")
        message.add_flag("S")
        self.box[key] = message

    def set_aside(self, key: str) -> None:
        try:
            folder = self.box.get_folder(ASIDE_FOLDER)
        except mailbox.NoSuchMailboxError:
            folder = self.box.add_folder(ASIDE_FOLDER)
        with self.box.get_file(key) as handle:
            folder.add(handle)  # copied line by line, never parsed
        self.box.remove(key)

    def close(self) -> None:
        self.box.close()


class ImapSource:
    """Unseen messages of one IMAP folder over TLS; read with BODY.PEEK, then flagged Seen or moved aside."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.conn = imaplib.IMAP4_SSL(
            parts.hostname or "", parts.port or 993, ssl_context=ssl.create_default_context(), timeout=60
        )
        try:
            self.conn.login(unquote(parts.username or ""), unquote(parts.password or ""))
            self._ok(self.conn.select(self._quoted(self.folder)))
        except Exception:
            # No source is returned, so close() will never run: the connection would stay open until collected.
            self.conn.shutdown()
            raise
        self.moved_aside = False

    @staticmethod
    def _quoted(name: str) -> str:
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    @staticmethod
    def _ok(reply: tuple[str, list]) -> list:
        if reply[0] != "OK":
            raise imaplib.IMAP4.error(f"IMAP server answered {reply[0]}")
        return reply[1]

    def pending(self) -> list[Pending]:
        uids = self._ok(self.conn.uid("SEARCH", None, "UNSEEN"))[0].split()
        found = []
        for uid in uids:
            meta = self._ok(self.conn.uid("FETCH", uid, "(RFC822.SIZE INTERNALDATE)"))[0]
            if meta is None:  # expunged by another client since the search: nothing left to take
                continue
            meta = meta if isinstance(meta, bytes) else meta[0]
            size = int(re.search(rb"RFC822\.SIZE (\d+)", meta).group(1))
            moment = imaplib.Internaldate2tuple(meta)
            received = datetime(*moment[:6]).astimezone(UTC) if moment else timezone.now()
            found.append(Pending(uid.decode(), size, received))
        return found

    def read(self, pending: Pending) -> bytes:
        data = self._ok(self.conn.uid("FETCH", pending.key, "(BODY.PEEK[])"))
        return next(item[1] for item in data if isinstance(item, tuple))

    def mark_processed(self, key: str) -> None:
        self._ok(self.conn.uid("STORE", key, "+FLAGS", r"(\Seen)"))

    def set_aside(self, key: str) -> None:
        self.conn.create(self._quoted(ASIDE_FOLDER))  # fails harmlessly when it exists
        self._ok(self.conn.uid("COPY", key, self._quoted(ASIDE_FOLDER)))
        self._ok(self.conn.uid("STORE", key, "+FLAGS", r"(\Deleted)"))
        self.moved_aside = True

    def close(self) -> None:
        if self.moved_aside:
            self.conn.expunge()
        self.conn.logout()


def open_mailbox(address: str) -> MaildirSource | ImapSource:
    if address.startswith("maildir:"):
        return MaildirSource(address.removeprefix("maildir:"))
    if address.startswith("imaps://"):
        return ImapSource(address)
    raise ValueError("the officer mailbox must start with maildir: or imaps://")
