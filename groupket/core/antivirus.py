"""Scanning uploaded bytes with ClamAV's clamd over its INSTREAM protocol (P7.2).

The `clamd` package on PyPI is unmaintained and the protocol is small: send
"zINSTREAM\\0", then the data in chunks, each prefixed by its length as 4 bytes
big-endian, then a zero length; clamd answers "stream: OK" or
"stream: <signature> FOUND", terminated by a NUL byte.

CLAMD_SOCKET is either a unix socket path or "tcp://host:port". Any failure to get a
verdict raises ScannerUnavailable, so callers refuse the file (fail closed).
"""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK_BYTES = 64 * 1024
TIMEOUT_SECONDS = 15.0
_REPLY_LIMIT = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or gave no verdict; the file must be refused."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def is_configured() -> bool:
    return bool(settings.CLAMD_SOCKET)


def scan(data: bytes, *, address: str = "") -> Verdict:
    """Send the bytes to clamd and return its verdict."""
    address = address or settings.CLAMD_SOCKET
    view = memoryview(data)
    try:
        with _connect(address) as conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(view), CHUNK_BYTES):
                chunk = view[start : start + CHUNK_BYTES]
                conn.sendall(struct.pack(">I", len(chunk)))
                conn.sendall(chunk)
            conn.sendall(struct.pack(">I", 0))
            reply = _read_reply(conn)
    except OSError as error:
        raise ScannerUnavailable(f"clamd at {address!r} gave no verdict: {error}") from error
    return _verdict(reply)


def _connect(address: str) -> socket.socket:
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        if not parts.hostname or not parts.port:
            raise ScannerUnavailable(f"CLAMD_SOCKET {address!r} needs the form tcp://host:port")
        return socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT_SECONDS)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(TIMEOUT_SECONDS)
    try:
        conn.connect(address)
    except OSError:
        conn.close()
        raise
    return conn


def _read_reply(conn: socket.socket) -> bytes:
    reply = b""
    while b"\0" not in reply and len(reply) < _REPLY_LIMIT:
        received = conn.recv(_REPLY_LIMIT)
        if not received:
            break
        reply += received
    return reply.split(b"\0", 1)[0]


def _verdict(reply: bytes) -> Verdict:
    text = reply.decode("utf-8", "replace").strip()
    if text == "stream: OK":
        return Verdict(clean=True)
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        return Verdict(clean=False, signature=text.removeprefix("stream: ").removesuffix(" FOUND"))
    # e.g. "INSTREAM size limit exceeded. ERROR": no verdict means no pass.
    raise ScannerUnavailable(f"clamd gave no verdict: {text!r}")
