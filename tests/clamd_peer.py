"""A private ClamAV clamd, started once per test session as a child process (the upload scanner, P7.2).

Nothing of /etc/clamav, of the system's clamd or of freshclam's downloaded databases is used: the
instance reads only the config written here, loads one signature the session writes itself (the EICAR
test string as an `.ndb` body signature, which clamd reports as `Eicar-Test-Signature.UNOFFICIAL`),
listens on a unix socket in a private folder of /tmp (socket paths allow ~100 bytes, so not under
pytest's long tmp_path) and on a free TCP port of 127.0.0.1, and is stopped when the session ends.
Loading the one signature takes about two seconds and needs no network. Where Debian's clamav-daemon is
not installed, the tests that need it are skipped with the reason.

With LogClean on, clamd logs one line per stream it judged (`instream(local): OK`), so a test can see
that a file really reached the scanner and what it said, without a stand-in recording the bytes.
"""

import contextlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.staff.imap_peer import free_port

CLAMD = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/sbin")
NO_CLAMD = "clamd not found: the antivirus tests run a real clamd (apt-get install clamav-daemon)"
START_TIMEOUT = 60.0
# Built from two halves so that a real scanner does not flag this source file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_FOUND_AS = "Eicar-Test-Signature.UNOFFICIAL"
# Small, so that a test can reach clamd's own refusal of a stream that is too long.
STREAM_MAX_BYTES = 1024 * 1024
LOG_SETTLE_SECONDS = 0.25

CONFIG = """\
# A private test instance, written by tests/clamd_peer.py.
Foreground yes
LocalSocket {root}/clamd.sock
TCPSocket {port}
TCPAddr 127.0.0.1
DatabaseDirectory {root}/db
LogFile {root}/clamd.log
LogClean yes
LogTime no
StreamMaxLength {stream_max}
SelfCheck 0
"""
_VERDICT_LINE = re.compile(r"^instream\([^)]*\): (.+)$")


@dataclass(frozen=True)
class Clamd:
    root: Path
    port: int

    @property
    def address(self) -> str:
        """The unix socket, as CLAMD_SOCKET names it."""
        return str(self.root / "clamd.sock")

    @property
    def tcp_address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def verdicts(self) -> list[str]:
        """What clamd said of each stream so far, in order: "OK" or "<signature> FOUND"."""
        text = (self.root / "clamd.log").read_text(errors="replace")
        return [match.group(1) for line in text.splitlines() if (match := _VERDICT_LINE.match(line))]

    @contextlib.contextmanager
    def watch(self) -> Iterator[list[str]]:
        """The verdicts clamd gives inside the block, filled in when it ends.

        clamd logs a verdict just after it answers, so the log is read until it has been still for a moment, at the
        end and at the start too: a verdict of the scan before the block, logged late, is not counted in it.
        """
        before = len(self.settled_verdicts())
        seen: list[str] = []
        yield seen
        seen.extend(self.settled_verdicts()[before:])

    def settled_verdicts(self) -> list[str]:
        verdicts, still_since, deadline = self.verdicts(), time.monotonic(), time.monotonic() + 5
        while time.monotonic() - still_since < LOG_SETTLE_SECONDS and time.monotonic() < deadline:
            time.sleep(0.02)
            if len(latest := self.verdicts()) != len(verdicts):
                verdicts, still_since = latest, time.monotonic()
        return verdicts


def _answers_ping(path: Path) -> bool:
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(2)
        conn.connect(str(path))
        conn.sendall(b"zPING\0")
        return conn.recv(16).startswith(b"PONG")
    return False


def _diagnosis(root: Path) -> str:
    paths = [root / "clamd.stderr", root / "clamd.log"]
    return "\n".join(path.read_text(errors="replace").strip()[-2000:] for path in paths if path.exists())


@contextlib.contextmanager
def running_clamd() -> Iterator[Clamd]:
    if CLAMD is None:
        pytest.skip(NO_CLAMD)
    root = Path(tempfile.mkdtemp(prefix="gk-clamd-"))
    process = None
    try:
        (root / "db").mkdir()
        (root / "db" / "groupket-test.ndb").write_text(f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n")
        peer = Clamd(root=root, port=free_port())
        config = root / "clamd.conf"
        config.write_text(CONFIG.format(root=root, port=peer.port, stream_max=STREAM_MAX_BYTES))
        with (root / "clamd.stderr").open("ab") as stderr:
            process = subprocess.Popen(
                [CLAMD, "--config-file", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers_ping(root / "clamd.sock"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"clamd did not start:\n{_diagnosis(root)}")
            time.sleep(0.05)
        yield peer
    finally:
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def clamd_daemon() -> Iterator[Clamd]:
    """One real clamd for the whole session: starting it costs about two seconds."""
    with running_clamd() as peer:
        yield peer
