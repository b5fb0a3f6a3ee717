"""The production files of deploy/: the environment template names every variable of the README, is read by the
settings as they are, and the nginx site is valid for Debian's nginx (README, "Running in production")."""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection, HTTPSConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cluster.peers import NGINX, NginxPorts, nginx_main_config, render_site
from tests.staff.imap_peer import make_certificate

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = BASE_DIR / "deploy" / "groupket.env.example"


def readme_variables() -> set[str]:
    section = (BASE_DIR / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", section, re.MULTILINE))


def template_lines() -> dict[str, str]:
    """Every KEY=value of the template, commented out or not."""
    found = {}
    for line in TEMPLATE.read_text().splitlines():
        match = re.fullmatch(r"#?([A-Z0-9_]+)=(.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_the_environment_template_lists_every_variable_of_the_configuration_table() -> None:
    variables = readme_variables()
    assert "GROUPKET_ARGON2_MEMORY_COST" in variables
    assert variables - set(template_lines()) == set()


def test_the_environment_template_as_written_passes_check_deploy(tmp_path: Path) -> None:
    values = {key: value for key, value in template_lines().items() if not value.startswith("{")}
    active = {key: value for key, value in values.items() if f"\n{key}=" in "\n" + TEMPLATE.read_text()}
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GROUPKET_", "EMAIL_", "CLAMD_", "CELERY_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    environment = {
        **inherited,
        **active,
        "GROUPKET_VAR_DIR": str(tmp_path),
        "GROUPKET_SECRET_KEY": secrets.token_urlsafe(50),
    }
    environment["GROUPKET_ACCESS_LOG_KEYS_FILE"] = str(tmp_path / "access_log_keys.json")
    environment["GROUPKET_ACCESS_LOG_CHECKPOINT_FILE"] = str(tmp_path / "access_log_checkpoint.json")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not Path(NGINX).exists(), reason="Debian's nginx is not installed")
def test_the_nginx_site_is_valid_for_debians_nginx(tmp_path: Path) -> None:
    make_certificate(tmp_path / "cert.pem", tmp_path / "key.pem")
    ports = NginxPorts(http=8080, https=8443, node_a=8444, node_b=8445)
    site = render_site(ports=ports, nodes=(8001, 8002), folder=tmp_path, static=tmp_path)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "non_idempotent" not in site.split("proxy_next_upstream", 1)[1].split(";", 1)[0]
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(nginx_main_config(tmp_path))
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir()
    command = [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_the_site_file_sets_the_upload_limit_django_enforces() -> None:
    from django.conf import settings

    site = (BASE_DIR / "deploy" / "nginx" / "groupket.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert megabytes * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_each_unit_runs_a_program_of_the_virtualenv() -> None:
    for unit in (BASE_DIR / "deploy" / "systemd").glob("*.service"):
        start = re.search(r"^ExecStart=(\S+)", unit.read_text(), re.MULTILINE).group(1)
        assert Path(start).name in ("gunicorn", "celery"), unit.name
        assert shutil.which(Path(start).name, path=str(Path(sys.executable).parent)), unit.name


class _Node(BaseHTTPRequestHandler):
    """A stand-in for a gunicorn node behind the real nginx: it answers every GET 200."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not Path(NGINX).exists(), reason="Debian's nginx is not installed")
def test_nginx_logs_each_request_without_the_visitors_address_browser_query_or_emailed_token(tmp_path: Path) -> None:
    node = ThreadingHTTPServer(("127.0.0.1", 0), _Node)
    threading.Thread(target=node.serve_forever, daemon=True).start()
    ports = NginxPorts(http=_free_port(), https=_free_port(), node_a=_free_port(), node_b=_free_port())
    make_certificate(tmp_path / "cert.pem", tmp_path / "key.pem")
    nodes = (node.server_address[1], node.server_address[1])
    (tmp_path / "site.conf").write_text(render_site(ports=ports, nodes=nodes, folder=tmp_path, static=tmp_path))
    (tmp_path / "nginx.conf").write_text(nginx_main_config(tmp_path))
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir()
    command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")]
    nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    token = secrets.token_urlsafe(24)
    visitor = {"User-Agent": "Private-Browser/9.9", "X-Forwarded-For": "198.51.100.7", "Host": "127.0.0.1"}
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", ports.https), timeout=1):
                break
            time.sleep(0.05)
        secure = HTTPSConnection("127.0.0.1", ports.https, context=ssl._create_unverified_context(), timeout=10)  # noqa: S323
        for path in (
            f"/accounts/password-reset/{token}/?next=/me/",
            "/accounts/password-reset/set-password/",
            f"/news/unsubscribe/{token}/",
            "/s/garden/?q=private+words",
            f"/notifications/off/{token}/",
            f"/privacy/contact/verify/{token}/",
            "/privacy/contact/verify/confirm/",
            f"/s/hidden-garden/invite/{token}/",
            "/accounts/verify/confirm/",
        ):
            secure.request("GET", path, headers=visitor)
            assert secure.getresponse().read() == b"ok"
        plain = HTTPConnection("127.0.0.1", ports.http, timeout=10)
        plain.request("GET", f"/accounts/verify/{token}/", headers=visitor)
        assert plain.getresponse().status == 301
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)
        node.shutdown()
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert len(lines) == 10, lines
    assert [line.split(" ")[2] for line in lines] == [
        '"/accounts/password-reset/<token>/"',
        '"/accounts/password-reset/set-password/"',
        '"/news/unsubscribe/<token>/"',
        '"/s/garden/"',
        '"/notifications/off/<token>/"',
        '"/privacy/contact/verify/<token>/"',
        '"/privacy/contact/verify/confirm/"',
        '"/s/hidden-garden/invite/<token>/"',
        '"/accounts/verify/confirm/"',
        '"/accounts/verify/<token>/"',
    ]
    assert lines[0].split(" ")[3] == "200" and lines[-1].split(" ")[3] == "301"
    errors = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
    assert token not in errors and "198.51.100.7" not in errors
    for secret in (token, "Private-Browser", "198.51.100.7", "127.0.0.1", "next=", "private"):
        assert secret not in "\n".join(lines)
