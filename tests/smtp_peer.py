"""A real SMTP server for a test: aiosmtpd on a free port of 127.0.0.1, in a thread of the test process.

It speaks SMTP as a mail server does (EHLO, STARTTLS with a self-signed certificate made here, AUTH,
MAIL, RCPT, DATA) and keeps what it accepted; `refuse_recipients`, `refuse_data` and `accept_at_most`
make it answer with a reply code instead, as a server that does not want the message would. `smtp_peer` points
OpenSSL's SSL_CERT_FILE at its certificate, so Django's SMTP backend trusts it unchanged.
"""

import contextlib
import email
import email.policy
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.staff.imap_peer import free_port, make_certificate

USER = "groupket"
PASSWORD = "p@ss/w0rd %#"


@dataclass
class Sink:
    """The handler: what the server accepted, and how it answers."""

    refuse_recipients: str = ""
    refuse_data: str = ""
    # After this many messages the server takes no more, as one that is going away answers (421).
    accept_at_most: int | None = None
    # The first this many recipients get "try later" (451), quoting the address as many servers do.
    busy_for: int = 0
    attempts: int = 0  # recipients offered, refused ones included
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str], bool]] = field(default_factory=list)  # from, to, over TLS

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        self.attempts += 1
        if self.refuse_recipients:
            return self.refuse_recipients
        if self.busy_for:
            self.busy_for -= 1
            return f"451 4.3.0 <{address}> mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse_data:
            return self.refuse_data
        if self.accept_at_most is not None and len(self.messages) >= self.accept_at_most:
            return "421 4.3.2 Service shutting down"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        over_tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), over_tls))
        return "250 Message accepted for delivery"


def _check_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    given = auth_data if isinstance(auth_data, LoginPassword) else None
    ok = given is not None and (given.login, given.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpPeer:
    sink: Sink
    port: int
    cert_file: Path

    def url(self, *, scheme: str = "smtp", starttls: bool = False, password: str = PASSWORD, auth: bool = True) -> str:
        credentials = f"{quote(USER, safe='')}:{quote(password, safe='')}@" if auth else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.port}" + ("?starttls=1" if starttls else "")


def _trusted_context(root: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """The server's TLS context, with a self-signed certificate that this process is made to trust."""
    make_certificate(root / "cert.pem", root / "key.pem")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(root / "cert.pem", root / "key.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(root / "cert.pem"))
    return context


@contextlib.contextmanager
def running_server(root: Path, **smtp_parameters: object) -> Iterator[SmtpPeer]:
    sink = Sink()
    controller = Controller(
        sink, hostname="127.0.0.1", port=free_port(), authenticator=_check_password, **smtp_parameters
    )
    controller.start()
    try:
        yield SmtpPeer(sink=sink, port=controller.port, cert_file=root / "cert.pem")
    finally:
        controller.stop()


# Named apart from the fixture, so that a test module can import it without its parameter shadowing the import.
@pytest.fixture(name="smtp_peer")
def smtp_peer_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpPeer]:
    """A server that offers STARTTLS and AUTH after it, and takes plain mail without AUTH too."""
    tls = _trusted_context(tmp_path, monkeypatch)
    with running_server(tmp_path, tls_context=tls, auth_require_tls=True) as peer:
        yield peer


@pytest.fixture(name="smtps_peer")
def smtps_peer_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpPeer]:
    """A server speaking TLS from the first byte (smtps://, port 465 in production), with AUTH."""
    tls = _trusted_context(tmp_path, monkeypatch)
    # aiosmtpd's auth_require_tls asks for STARTTLS: this connection is TLS already.
    with running_server(tmp_path, ssl_context=tls, auth_require_tls=False) as peer:
        yield peer


def use_email_url(settings: pytest.FixtureRequest, url: str) -> None:
    """Configure Django's SMTP backend from an EMAIL_URL, exactly as settings.py does."""
    from groupket.environment import smtp_settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 10
    for name, value in smtp_settings(url).items():
        setattr(settings, name, value)


def recipients(peer: SmtpPeer) -> list[str]:
    """Every address the server took a message for, sorted."""
    return sorted(address for _, addresses, _ in peer.sink.envelopes for address in addresses)
