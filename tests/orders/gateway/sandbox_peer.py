"""The sandbox payment gateway as a real peer: its own process on a free port, started once per session.

`SandboxPeer` talks to its control endpoints (faults, webhook modes, counters, the log of every request
it received). `Shop` is a tiny HTTP server standing in for our site's end of the conversation: it takes
the gateway's webhooks and serves the success and fail pages the buyer is sent back to. `pay_in_window`
walks the card page over plain HTTP, as a browser without script would.
"""

import contextlib
import html.parser
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from django.conf import settings

from groupket.orders.gateway.checkout import payment_window_url
from tests.staff.imap_peer import free_port

SECRET_KEY = "test_sk_groupket_tests"
START_TIMEOUT = 20.0
APPROVED_CARD = "4242 4242 4242 4242"


@dataclass
class SandboxPeer:
    base_url: str
    process: subprocess.Popen

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        response = httpx.request(method, self.base_url + path, json=body, auth=(SECRET_KEY, ""), timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.control("POST", "/sandbox/reset")

    def fault(self, fault: str, **options: object) -> None:
        self.control("POST", "/sandbox/faults", {"fault": fault, **options})

    def webhooks(self, **options: str) -> None:
        self.control("POST", "/sandbox/webhooks", options)

    def release_webhooks(self, order: str) -> None:
        self.control("POST", "/sandbox/webhooks/release", {"order": order})

    def stats(self) -> dict:
        return self.control("GET", "/sandbox/stats")

    def received(self) -> list[dict]:
        """Every request the gateway received (API calls and card-page visits), Authorization left out."""
        return self.control("GET", "/sandbox/requests")["requests"]


def _wait_until_listening(base_url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox gateway exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(base_url + "/sandbox/stats", auth=(SECRET_KEY, ""), timeout=1).raise_for_status()
            return
        time.sleep(0.1)
    raise RuntimeError("the sandbox gateway did not start listening")


@contextlib.contextmanager
def running_sandbox(*arguments: str) -> Iterator[SandboxPeer]:
    """`python -m groupket.orders.gateway.sandbox` in a child process on a free port, as `make run` starts it."""
    port = free_port()
    command = [sys.executable, "-m", "groupket.orders.gateway.sandbox", "--port", str(port), *arguments]
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [*command, "--secret-key", SECRET_KEY], cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_listening(base_url, process)
        yield SandboxPeer(base_url=base_url, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def sandbox_gateway() -> Iterator[SandboxPeer]:
    with running_sandbox() as peer:
        yield peer


@dataclass
class Shop:
    """Our end: receives webhooks (POST /webhooks/payments) and serves the pages the buyer comes back to."""

    base_url: str
    webhook_bodies: list[bytes] = field(default_factory=list)
    visits: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def webhook_url(self) -> str:
        return self.base_url + "/webhooks/payments"

    def wait_for_webhooks(self, count: int, timeout: float = 10.0) -> list[bytes]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.webhook_bodies) >= count, timeout=timeout):
                raise AssertionError(f"{len(self.webhook_bodies)} webhooks arrived, not {count}")
            return list(self.webhook_bodies)


def _shop_handler(shop: Shop) -> type[BaseHTTPRequestHandler]:
    class ShopHandler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with shop.arrived:
                shop.webhook_bodies.append(body)
                shop.arrived.notify_all()
            self._answer(b"ok")

        def do_GET(self) -> None:
            shop.visits.append(self.path)
            self._answer(b"<!DOCTYPE html><html lang='en'><title>Back at the shop</title><h1>Back at the shop</h1>")

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return ShopHandler


@pytest.fixture
def shop() -> Iterator[Shop]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    shop = Shop(base_url=f"http://127.0.0.1:{server.server_port}")
    server.RequestHandlerClass = _shop_handler(shop)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield shop
    finally:
        server.shutdown()
        server.server_close()


class _SessionField(html.parser.HTMLParser):
    session = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "session":
            self.session = values.get("value") or ""


def pay_in_window(
    *,
    order_id: str,
    amount: int,
    order_name: str = "Jeju tangerines 5 kg",
    card: str = APPROVED_CARD,
    action: str = "pay",
    shop_url: str = "http://127.0.0.1:9/shop",
) -> dict[str, str]:
    """Open the gateway's card page for the order, submit it, and return the query the buyer is sent back
    with (plus "to": "success" or "fail")."""
    window = payment_window_url(
        order_id=order_id,
        amount=amount,
        order_name=order_name,
        success_url=f"{shop_url}/success",
        fail_url=f"{shop_url}/fail",
    )
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        page = browser.get(window)
        assert page.status_code == 200, page.text
        parser = _SessionField()
        parser.feed(page.text)
        form = {"session": parser.session, "cardNumber": card, "action": action}
        answer = browser.post(urljoin(window, "/checkout"), data=form)
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["Location"])
    return {**dict(parse_qsl(location.query)), "to": location.path.rsplit("/", 1)[-1]}


def as_json(requests: list[dict]) -> str:
    return json.dumps(requests, ensure_ascii=False)
