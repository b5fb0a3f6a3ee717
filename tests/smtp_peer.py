"""A real SMTP server on a free port of 127.0.0.1 (aiosmtpd), for tests of mail leaving over SMTP."""

import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class SmtpSink:
    """Accepts every message, after answering "try later" to the first `busy_for` recipients it is offered."""

    busy_for: int = 0
    attempts: int = 0
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: ANN001
        self.attempts += 1
        if self.busy_for:
            self.busy_for -= 1
            # Like many servers, the refusal quotes the address: Groupket must not pass it on to its logs.
            return f"451 4.3.0 <{address}> mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class SmtpPeer:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.controller = Controller(sink, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    def __enter__(self) -> "SmtpPeer":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def free_port() -> int:
    """A port nothing listens on (once this returns): a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, port: int) -> None:  # noqa: ANN001
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
