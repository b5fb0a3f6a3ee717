"""The clamd INSTREAM client against a real protocol peer (P7.2).

ClamdPeer is a small threaded socket server that speaks INSTREAM as clamd does:
it answers FOUND when the stream contains the EICAR test string, OK otherwise.
The upload tests in tests/accounts/test_photo.py use it too.
"""

import os
import shutil
import socket
import socketserver
import struct
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from groupket.core import antivirus

# Built from two halves so that a real scanner does not flag this source file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Eicar-Test-Signature"


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        received = conn.recv(size - len(data))
        if not received:
            raise ConnectionError("client closed mid-stream")
        data += received
    return data


class _InstreamHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += _read_exact(self.request, 1)
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data, sizes = bytearray(), []
        while (size := struct.unpack(">I", _read_exact(self.request, 4))[0]) != 0:
            sizes.append(size)
            data += _read_exact(self.request, size)
        self.server.peer.streams.append(bytes(data))
        self.server.peer.chunk_sizes.append(sizes)
        self.request.sendall(self.server.peer.reply_for(bytes(data)))


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ClamdPeer:
    """A real INSTREAM peer on a unix socket (or TCP); `reply` overrides clamd's answer."""

    def __init__(self, *, tcp: bool = False, reply: bytes | None = None) -> None:
        self.streams: list[bytes] = []
        self.chunk_sizes: list[list[int]] = []
        self.reply = reply
        # Unix socket paths are limited to ~100 bytes, so not under pytest's long tmp_path.
        self._folder = tempfile.mkdtemp(prefix="clamd-")
        if tcp:
            self._server = _TcpServer(("127.0.0.1", 0), _InstreamHandler)
            self.address = f"tcp://127.0.0.1:{self._server.server_address[1]}"
        else:
            self.address = os.path.join(self._folder, "clamd.sock")
            self._server = _UnixServer(self.address, _InstreamHandler)
        self._server.peer = self

    def reply_for(self, data: bytes) -> bytes:
        if self.reply is not None:
            return self.reply
        return f"stream: {EICAR_SIGNATURE} FOUND\0".encode() if EICAR in data else b"stream: OK\0"

    def __enter__(self) -> "ClamdPeer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        shutil.rmtree(self._folder, ignore_errors=True)


@pytest.fixture
def clamd() -> Iterator[ClamdPeer]:
    with ClamdPeer() as peer:
        yield peer


@pytest.mark.clause("P7.2")
def test_clean_bytes_pass_and_arrive_whole_in_length_prefixed_chunks(clamd: ClamdPeer) -> None:
    data = os.urandom(3 * antivirus.CHUNK_BYTES + 123)
    verdict = antivirus.scan(data, address=clamd.address)
    assert verdict == antivirus.Verdict(clean=True)
    assert clamd.streams == [data]
    assert clamd.chunk_sizes == [[antivirus.CHUNK_BYTES] * 3 + [123]]


@pytest.mark.clause("P7.2")
def test_eicar_is_found_and_named(clamd: ClamdPeer) -> None:
    verdict = antivirus.scan(b"prefix " + EICAR + b" suffix", address=clamd.address)
    assert verdict == antivirus.Verdict(clean=False, signature=EICAR_SIGNATURE)


@pytest.mark.clause("P7.2")
def test_tcp_address_is_spoken_to_the_same_way() -> None:
    with ClamdPeer(tcp=True) as peer:
        assert antivirus.scan(EICAR, address=peer.address).clean is False
        assert antivirus.scan(b"hello", address=peer.address).clean is True
        assert peer.streams == [EICAR, b"hello"]


@pytest.mark.clause("P7.2")
def test_empty_stream_gets_a_verdict(clamd: ClamdPeer) -> None:
    assert antivirus.scan(b"", address=clamd.address).clean is True
    assert clamd.chunk_sizes == [[]]


def _closed_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.clause("P7.2")
@pytest.mark.parametrize("where", ["missing unix socket", "closed tcp port", "tcp without port"])
def test_unreachable_scanner_fails_closed(where: str, tmp_path: Path) -> None:
    address = {
        "missing unix socket": str(tmp_path / "no-clamd.sock"),
        "closed tcp port": f"tcp://127.0.0.1:{_closed_tcp_port()}",
        "tcp without port": "tcp://127.0.0.1",
    }[where]
    with pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(b"anything", address=address)


@pytest.mark.clause("P7.2")
@pytest.mark.parametrize("reply", [b"INSTREAM size limit exceeded. ERROR\0", b"", b"stream: maybe\0"])
def test_a_reply_without_a_verdict_fails_closed(reply: bytes) -> None:
    with ClamdPeer(reply=reply) as peer, pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(b"anything", address=peer.address)


def test_scanning_is_on_only_when_clamd_socket_is_set(settings: pytest.FixtureRequest) -> None:
    settings.CLAMD_SOCKET = ""
    assert antivirus.is_configured() is False
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    assert antivirus.is_configured() is True
