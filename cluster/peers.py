"""The peers the harness starts or prepares: a private Redis, an SMTP sink, nginx with deploy/'s site, a RabbitMQ
vhost, a fresh PostgreSQL database and one keyring for every process."""

import base64
import email
import email.policy
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from aiosmtpd.controller import Controller

from cluster.processes import ClusterFailure, Process, Supervisor, wait_for
from tests.staff.imap_peer import make_certificate

NGINX = "/usr/sbin/nginx"
SITE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "groupket.conf"


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- Redis: private, on a free port, so restarting it touches nobody else's ------------------------------------
def start_redis(supervisor: Supervisor, *, port: int, folder: Path) -> Process:
    folder.mkdir(parents=True, exist_ok=True)
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = supervisor.start("redis", [*command, "--dir", str(folder)])
    wait_for("redis", lambda: port_open(port), timeout=20, process=process)
    return process


# --- SMTP sink: aiosmtpd in a thread of the harness, counting what it accepted -----------------------------------
@dataclass
class SmtpSink:
    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (recipient, subject, Message-ID)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.messages.append((recipient.lower(), str(parsed["Subject"]), str(parsed["Message-ID"])))
        return "250 OK"

    def count(self, subject_part: str) -> Counter:
        """Messages per recipient as a mailbox shows them: a copy that repeats a Message-ID is one message."""
        with self.lock:
            return Counter(to for to, _ in {(to, mid) for to, subject, mid in self.messages if subject_part in subject})

    def repeated(self, subject_part: str) -> int:
        """Copies that repeated a Message-ID the recipient already had (a mail in doubt, sent again on resume)."""
        with self.lock:
            copies = [(to, mid) for to, subject, mid in self.messages if subject_part in subject]
        return len(copies) - len(set(copies))


def start_smtp_sink(port: int) -> tuple[SmtpSink, Controller]:
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller


# --- TLS and nginx ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NginxPorts:
    http: int
    https: int
    node_a: int  # HTTPS pinned to node A alone, for the cross-node checks
    node_b: int


# The deploy site's lines the harness changes, each found by its "cluster-test:" mark: (mark, new directive).
def _site_changes(*, ports: NginxPorts, nodes: tuple[int, int], folder: Path, static: Path) -> dict[str, str]:
    return {
        "node A": f"server 127.0.0.1:{nodes[0]} max_fails=2 fail_timeout=10s;",
        "node B": f"server 127.0.0.1:{nodes[1]} max_fails=2 fail_timeout=10s;",
        "plain HTTP": f"listen 127.0.0.1:{ports.http};",
        "server name": "server_name 127.0.0.1 localhost;",
        "HTTPS": f"listen 127.0.0.1:{ports.https} ssl http2;",
        "certificate": f"ssl_certificate {folder / 'cert.pem'};",
        "certificate key": f"ssl_certificate_key {folder / 'key.pem'};",
        "static files": f"alias {static}/;",
        "access log": f"access_log {folder / 'access.log'} groupket;",
        "error log": f"error_log {folder / 'error.log'} crit;",
    }


def render_site(*, ports: NginxPorts, nodes: tuple[int, int], folder: Path, static: Path) -> str:
    """deploy/nginx/groupket.conf with the marked lines changed; every mark must be found exactly where expected."""
    text = SITE.read_text()
    for mark, directive in _site_changes(ports=ports, nodes=nodes, folder=folder, static=static).items():
        pattern = re.compile(rf"^(\s*)[^#\n]+;(\s*# cluster-test: {re.escape(mark)})$", re.MULTILINE)
        text, found = pattern.subn(lambda match, d=directive: f"{match.group(1)}{d}{match.group(2)}", text)
        if found == 0:
            raise ClusterFailure(f"deploy/nginx/groupket.conf has no line marked 'cluster-test: {mark}'")
    # One more HTTPS server per node, with the site's own proxy settings, so a check can pick its node.
    location = re.search(r"(    location / \{.*?\n    \})", text, re.DOTALL).group(1)
    for port, node in ((ports.node_a, nodes[0]), (ports.node_b, nodes[1])):
        pinned = location.replace("http://groupket_nodes", f"http://127.0.0.1:{node}")
        text += (
            f"\nserver {{\n    listen 127.0.0.1:{port} ssl;\n    server_name 127.0.0.1;\n"
            f"    access_log {folder / 'access.log'} groupket;\n    error_log {folder / 'error.log'} crit;\n"
            f"    ssl_certificate {folder / 'cert.pem'};\n    ssl_certificate_key {folder / 'key.pem'};\n{pinned}\n}}\n"
        )
    return text


def nginx_main_config(folder: Path) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log off;\n{temp}\n    include {folder / 'site.conf'};\n}}\n"
    )


def start_nginx(supervisor: Supervisor, *, ports: NginxPorts, nodes: tuple[int, int], folder: Path, static: Path):
    if not Path(NGINX).exists():
        raise ClusterFailure(f"{NGINX} is missing: apt-get install nginx")
    folder.mkdir(parents=True, exist_ok=True)
    make_certificate(folder / "cert.pem", folder / "key.pem")
    (folder / "site.conf").write_text(render_site(ports=ports, nodes=nodes, folder=folder, static=static))
    (folder / "nginx.conf").write_text(nginx_main_config(folder))
    command = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    supervisor.run([*command, "-t"])
    process = supervisor.start("nginx", command)
    wait_for("nginx", lambda: port_open(ports.https), timeout=20, process=process)
    return process


# --- RabbitMQ: a vhost of the run's own, removed at the end ---------------------------------------------------------
def rabbitmq_vhost(name: str, *, create: bool) -> None:
    if shutil.which("rabbitmqctl") is None:
        raise ClusterFailure("rabbitmqctl is missing: apt-get install rabbitmq-server (or set CLUSTER_BROKER_URL)")
    steps = (
        [["add_vhost", name], ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"]]
        if create
        else [["delete_vhost", name]]
    )
    for step in steps:
        result = subprocess.run(["rabbitmqctl", "-q", *step], capture_output=True, text=True, timeout=120)
        if result.returncode != 0 and create:
            raise ClusterFailure(f"rabbitmqctl {' '.join(step)} failed: {result.stderr.strip()}")


# --- PostgreSQL: the run's database, made afresh ---------------------------------------------------------------
def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ClusterFailure(f"the cluster database name {name!r} must be lower-case letters, digits and _")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


# --- One keyring for every process, as GROUPKET_KEYRING -------------------------------------------------------------
def keyring_json() -> str:
    now = datetime.now(UTC)
    key_id = f"mk-{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    secret = base64.b64encode(secrets.token_bytes(32)).decode()
    return (
        f'{{"current": "{key_id}", "keys": {{"{key_id}": '
        f'{{"secret": "{secret}", "created": "{now.isoformat()}", "retired": null}}}}}}'
    )
