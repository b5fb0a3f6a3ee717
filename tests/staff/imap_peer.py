"""A private Dovecot IMAP server over TLS, started by a test as its child process (the officer's mailbox, P6.2).

Nothing of /etc/dovecot or of a system Dovecot is used: the instance reads only the config written
here (with its certificate, users and log, in tmp_path), listens on a free port of 127.0.0.1, and
is stopped with its children when the test ends. Its certificate is self-signed; `imap_peer` points
OpenSSL's SSL_CERT_FILE at it, so the product's `ssl.create_default_context()` trusts it unchanged.
Messages arrive as a local delivery agent leaves them: as files in the user's Maildir `new/`.
Where Debian's dovecot-imapd is not installed the tests are skipped with the reason.

Run by an ordinary user, every Dovecot process runs as that user. Run as root (as on CI), Dovecot
refuses root for two kinds of process: login processes ("must not be run as root") and mail
processes ("Mail access not allowed for root"); they run as dovenull and nobody. Those cannot enter
pytest's tmp_path (mode 0700), so the Maildir and the sockets are in a private directory of /tmp,
removed on exit; the socket paths are kept short there too (Unix sockets allow ~100 bytes).
"""

import contextlib
import datetime
import grp
import imaplib
import ipaddress
import mailbox
import os
import pwd
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOVECOT = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")
NO_DOVECOT = "dovecot not found: the IMAP tests run a real Dovecot (apt-get install dovecot-imapd)"
USER = "officer"
# Characters that must be percent-encoded in the URL, so the product's unquoting is exercised too.
PASSWORD = "p@ss/w0rd %#"
START_TIMEOUT = 20.0

CONFIG = """\
# A private test instance, written by tests/staff/imap_peer.py.
base_dir = {private}/run
state_dir = {root}/state
instance_name = groupket-test-{port}
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap

default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
last_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
last_valid_gid = {mail_gid}
mail_uid = {mail_uid}
mail_gid = {mail_gid}

ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain
# A wrong password is answered within half a second rather than after Dovecot's default 2 s.
auth_failure_delay = 0

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
# No uid or gid in the file: Dovecot refuses uid 0 there, and mail_uid and mail_gid give them.
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}

# No chroot: an ordinary user cannot make one, and the instance is private to the test anyway.
service anvil {{
  chroot =
  # Without this socket there is no growing penalty (2 s, 4 s, ...) on the logins after a wrong password.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


def make_certificate(cert_file: Path, key_file: Path) -> None:
    """A self-signed server certificate for 127.0.0.1 and localhost, acceptable as its own trust anchor."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Groupket test IMAP peer")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=False,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Accounts:
    """Who Dovecot's processes run as."""

    user: str
    group: str
    login_user: str
    mail_uid: int
    mail_gid: int

    @classmethod
    def for_this_process(cls) -> "Accounts":
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
        if os.getuid() != 0:
            return cls(me.pw_name, group, me.pw_name, me.pw_uid, os.getgid())
        try:
            mail = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("run as root, Dovecot needs an unprivileged account for its mail processes: nobody")
        try:
            login = pwd.getpwnam("dovenull")  # made by Dovecot's package for its login processes
        except KeyError:
            login = mail
        return cls(me.pw_name, group, login.pw_name, mail.pw_uid, mail.pw_gid)


@dataclass
class ImapPeer:
    root: Path
    private: Path
    port: int
    accounts: Accounts
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD

    @property
    def cert_file(self) -> Path:
        return self.root / "cert.pem"

    @property
    def home(self) -> Path:
        return self.private / "home" / self.user

    @property
    def maildir(self) -> Path:
        return self.home / "Maildir"

    def log(self) -> str:
        return (self.root / "dovecot.log").read_text(errors="replace")

    def url(self, folder: str = "INBOX", *, password: str | None = None) -> str:
        secret = quote(self.password if password is None else password, safe="")
        return f"imaps://{quote(self.user, safe='')}:{secret}@{self.host}:{self.port}/{quote(folder)}"

    def add(self, raw: bytes, *, received_at: datetime.datetime | None = None) -> str:
        """Leave one message in INBOX's new/, as a delivery agent does; its file time becomes the INTERNALDATE.

        Named like mailbox.Maildir.add, so the Maildir tests' message builders deliver here unchanged.
        """
        key = mailbox.Maildir(self.maildir, factory=None, create=False).add(raw)
        path = self.maildir / "new" / key
        # Owned by the mail user, as a delivery agent running as that user leaves it, not by root.
        os.chown(path, self.accounts.mail_uid, self.accounts.mail_gid)
        if received_at is not None:
            os.utime(path, (received_at.timestamp(), received_at.timestamp()))
        return key

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """A second IMAP client, trusting the peer's certificate explicitly, to look at what the product left."""
        context = ssl.create_default_context(cafile=str(self.cert_file))
        conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=30)
        try:
            conn.login(self.user, self.password)
            yield conn
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()

    def messages(self, folder: str = "INBOX") -> list[tuple[set[str], bytes]]:
        """(flags, raw bytes) of each message in the folder in UID order, read without changing a flag.

        \\Recent is left out: it says only which session saw a message first. A folder that does not
        exist has no messages.
        """
        with self.client() as conn:
            status, _ = conn.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            status, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        assert status == "OK", data
        return [
            ({flag.decode() for flag in imaplib.ParseFlags(item[0])} - {"\\Recent"}, item[1])
            for item in data
            if isinstance(item, tuple)
        ]


def _start(peer: ImapPeer) -> subprocess.Popen:
    accounts = peer.accounts
    config = peer.root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=peer.root,
            private=peer.private,
            port=peer.port,
            user=accounts.user,
            group=accounts.group,
            login_user=accounts.login_user,
            mail_uid=accounts.mail_uid,
            mail_gid=accounts.mail_gid,
        )
    )
    with (peer.root / "dovecot.stderr").open("ab") as stderr:
        return subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own process group, so that every child of it can be stopped
        )


def _wait_until_listening(process: subprocess.Popen, port: int) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        time.sleep(0.02)
    return False


def _stop(process: subprocess.Popen) -> None:
    """Kill the master and every process it started at once; nothing of the instance is kept anyway.

    Signalled alone, the master takes a second to shut down and its children linger after it; sent
    SIGTERM together, the master restarts the children it needs for logging and waits for them for
    seconds. Only this process group, which the peer made, is signalled.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _diagnosis(root: Path) -> str:
    """The end of what Dovecot said, for the failure message."""
    paths = [root / "dovecot.stderr", root / "dovecot.log"]
    return "\n".join(path.read_text(errors="replace").strip()[-2000:] for path in paths if path.exists())


@contextlib.contextmanager
def dovecot(root: Path) -> Iterator[ImapPeer]:
    """A running Dovecot with one user and an empty INBOX, stopped (with its children) on exit."""
    if DOVECOT is None:
        pytest.skip(NO_DOVECOT)
    accounts = Accounts.for_this_process()
    (root / "state").mkdir(parents=True, exist_ok=True)
    make_certificate(root / "cert.pem", root / "key.pem")
    private = Path(tempfile.mkdtemp(prefix="gk-dovecot-"))
    process = None
    try:
        # Others may pass through to the mail home (owned by the mail user), but not list what is here.
        private.chmod(stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH)
        peer = ImapPeer(root=root, private=private, port=0, accounts=accounts)
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::{peer.home}::\n")
        peer.home.mkdir(parents=True)
        mailbox.Maildir(peer.maildir, create=True)
        for folder in (peer.home, peer.maildir, *peer.maildir.iterdir()):
            os.chown(folder, accounts.mail_uid, accounts.mail_gid)
        # The port is free when chosen but could be taken before Dovecot binds it: another try then.
        for _ in range(3):
            peer.port = free_port()
            process = _start(peer)
            if _wait_until_listening(process, peer.port):
                break
            _stop(process)
        else:
            pytest.fail(f"Dovecot did not start listening:\n{_diagnosis(root)}")
        yield peer
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(private, ignore_errors=True)


# Named apart from the fixture, so that a test module can import it without its parameter shadowing the import.
@pytest.fixture(name="imap_peer")
def imap_peer_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapPeer]:
    """A Dovecot for this test, whose certificate the process trusts through OpenSSL's SSL_CERT_FILE."""
    with dovecot(tmp_path / "dovecot") as peer:
        monkeypatch.setenv("SSL_CERT_FILE", str(peer.cert_file))
        yield peer
