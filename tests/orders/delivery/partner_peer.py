"""The sandbox shipping partner as a real peer: its own process on a free port, started once per session."""

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from django.conf import settings

from tests.staff.imap_peer import free_port

API_KEY = "partner_key_groupket_tests"
WEBHOOK_SECRET = "partner_webhook_secret_groupket_tests"
START_TIMEOUT = 20.0


@dataclass
class PartnerPeer:
    base_url: str

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        response = httpx.request(method, self.base_url + path, json=body, headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.control("POST", "/sandbox/reset")

    def shipments(self) -> list[dict]:
        return self.control("GET", "/sandbox/shipments")["shipments"]

    def deliver(self, reference: str) -> dict:
        """The partner delivers: the signed webhook it made ({"body", "signature"})."""
        return self.control("POST", "/sandbox/deliver", {"reference": reference})

    def fail(self, times: int = 1) -> None:
        self.control("POST", "/sandbox/faults", {"times": times})


def _wait_until_listening(peer: PartnerPeer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox partner exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            peer.shipments()
            return
        time.sleep(0.1)
    raise RuntimeError("the sandbox partner did not start listening")


@contextlib.contextmanager
def running_partner(*, webhook_url: str = "") -> Iterator[PartnerPeer]:
    """`python -m groupket.orders.partner.sandbox` in a child process, as `make run` starts it; with `webhook_url`
    it POSTs each delivery webhook it makes there itself, as a real partner does."""
    port = free_port()
    command = [sys.executable, "-m", "groupket.orders.partner.sandbox", "--port", str(port), "--api-key", API_KEY]
    command += ["--webhook-secret", WEBHOOK_SECRET, *(["--webhook-url", webhook_url] if webhook_url else [])]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)  # noqa: S603 (our module)
    peer = PartnerPeer(base_url=f"http://127.0.0.1:{port}")
    try:
        _wait_until_listening(peer, process)
        yield peer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def sandbox_partner() -> Iterator[PartnerPeer]:
    """The sandbox partner, once per session; the tests hand its webhooks on themselves."""
    with running_partner() as peer:
        yield peer
