"""The clamd INSTREAM client against a real clamd, started by the tests (tests/clamd_peer.py) (P7.2).

The cases where no verdict comes (clamd down, clamd refusing the stream, a reply that is no verdict) all
fail closed. The last of them uses a socket that answers something other than a verdict, because that
answer is the case under test; everything else talks to clamd itself.
"""

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from groupket.core import antivirus
from tests.clamd_peer import EICAR, EICAR_FOUND_AS, STREAM_MAX_BYTES, Clamd
from tests.staff.imap_peer import free_port


@pytest.mark.clause("P7.2")
def test_clean_bytes_of_several_chunks_pass(clamd_daemon: Clamd) -> None:
    data = os.urandom(3 * antivirus.CHUNK_BYTES + 123)
    with clamd_daemon.watch() as verdicts:
        assert antivirus.scan(data, address=clamd_daemon.address) == antivirus.Verdict(clean=True)
    assert verdicts == ["OK"]


@pytest.mark.clause("P7.2")
def test_eicar_is_found_and_named_even_across_a_chunk_boundary(clamd_daemon: Clamd) -> None:
    # The signature starts 10 bytes before the first chunk ends: found only if the chunks arrive whole, in order.
    data = b"x" * (antivirus.CHUNK_BYTES - 10) + EICAR + b" suffix"
    with clamd_daemon.watch() as verdicts:
        verdict = antivirus.scan(data, address=clamd_daemon.address)
    assert verdict == antivirus.Verdict(clean=False, signature=EICAR_FOUND_AS)
    assert verdicts == [f"{EICAR_FOUND_AS} FOUND"]


@pytest.mark.clause("P7.2")
def test_tcp_address_is_spoken_to_the_same_way(clamd_daemon: Clamd) -> None:
    assert antivirus.scan(EICAR, address=clamd_daemon.tcp_address).clean is False
    assert antivirus.scan(b"hello", address=clamd_daemon.tcp_address).clean is True


@pytest.mark.clause("P7.2")
def test_empty_stream_gets_a_verdict(clamd_daemon: Clamd) -> None:
    with clamd_daemon.watch() as verdicts:
        assert antivirus.scan(b"", address=clamd_daemon.address).clean is True
    assert verdicts == ["OK"]


@pytest.mark.clause("P7.2")
def test_a_stream_clamd_refuses_as_too_long_fails_closed(clamd_daemon: Clamd) -> None:
    with clamd_daemon.watch() as verdicts, pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(os.urandom(2 * STREAM_MAX_BYTES), address=clamd_daemon.address)
    assert verdicts == []


@pytest.mark.clause("P7.2")
@pytest.mark.parametrize("where", ["missing unix socket", "closed tcp port", "tcp without port"])
def test_unreachable_scanner_fails_closed(where: str, tmp_path: Path) -> None:
    address = {
        "missing unix socket": str(tmp_path / "no-clamd.sock"),
        "closed tcp port": f"tcp://127.0.0.1:{free_port()}",
        "tcp without port": "tcp://127.0.0.1",
    }[where]
    with pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(b"anything", address=address)


@contextlib.contextmanager
def socket_answering(reply: bytes) -> Iterator[str]:
    """A unix socket that reads one INSTREAM to its end and answers `reply`, which is not a verdict."""
    folder = tempfile.mkdtemp(prefix="gk-noverdict-")
    path = os.path.join(folder, "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                received = b""
                while not received.endswith(b"\0\0\0\0"):
                    received += conn.recv(65536)
                conn.sendall(reply)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        try:
            yield path
        finally:
            thread.join(timeout=5)
            os.unlink(path)
            os.rmdir(folder)


@pytest.mark.clause("P7.2")
@pytest.mark.parametrize("reply", [b"INSTREAM size limit exceeded. ERROR\0", b"", b"stream: maybe\0"])
def test_a_reply_without_a_verdict_fails_closed(reply: bytes) -> None:
    with socket_answering(reply) as address, pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(b"anything", address=address)


def test_scanning_is_on_only_when_clamd_socket_is_set(settings: pytest.FixtureRequest) -> None:
    settings.CLAMD_SOCKET = ""
    assert antivirus.is_configured() is False
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    assert antivirus.is_configured() is True
