"""`make run`: the site on its port (PORT=8100: that port, with the mail's links to it), with the sandbox payment
gateway and the sandbox shipping partner beside it, which stop when it stops."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from groupket.orders.management.commands.serve_with_sandboxes import Child, Command, _start_sandbox, _stop
from groupket.orders.partner.sandbox import DEFAULT_API_KEY
from tests.staff.imap_peer import free_port

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
# What would make the started site use another database, broker or peer than a laptop's own.
NOT_A_LAPTOP = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "GROUPKET_SITE_URL",
    "GROUPKET_PAYMENT_URL",
    "GROUPKET_SHIPPING_PARTNER_APIS",
    "GROUPKET_VAR_DIR",
)
START_SECONDS = 180  # migrations, the demo and runserver's checks on a fresh database, on a shared 2-core machine
GATEWAY_AUTH = ("test_sk_sandbox", "")
PARTNER_AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}


def planned_run(*args: str, **env: str) -> str:
    """The last command `make run` would run (make -n prints without running anything)."""
    environment = {key: value for key, value in os.environ.items() if key != "GROUPKET_SITE_URL"} | env
    done = subprocess.run(
        ["make", "-s", "-n", "run", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_make_run_serves_on_port_8000_with_links_to_it() -> None:
    assert planned_run().endswith(
        "GROUPKET_SITE_URL=http://127.0.0.1:8000 exec .venv/bin/python manage.py serve_with_sandboxes 127.0.0.1:8000 "
        "--gateway-port 8765 --partner-port 8766"
    )


def test_make_run_port_serves_on_that_port_with_links_to_it() -> None:
    planned = planned_run("PORT=8100", "GATEWAY_PORT=8200", "PARTNER_PORT=8300")
    assert planned.startswith("GROUPKET_SITE_URL=http://127.0.0.1:8100 ")
    assert planned.endswith("serve_with_sandboxes 127.0.0.1:8100 --gateway-port 8200 --partner-port 8300")


def test_a_site_url_of_ones_own_wins() -> None:
    assert planned_run("PORT=8100", GROUPKET_SITE_URL="https://dev.example").startswith(
        "GROUPKET_SITE_URL=https://dev.example "
    )


def answers(url: str, **options: object) -> bool:
    with contextlib.suppress(httpx.TransportError):
        httpx.get(url, timeout=2, **options)
        return True
    return False


def wait_for_site(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"make run exited with {process.returncode}:\n{log.read_text()[-3000:]}"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"make run did not serve {url} in {START_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, dict[str, str], Path]]:
    """`make run` on free ports with a fresh var folder; stopped like Ctrl-C at the end if the test did not."""
    ports = {"site": free_port(), "gateway": free_port(), "partner": free_port()}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {key: value for key, value in os.environ.items() if key not in NOT_A_LAPTOP}
    env["GROUPKET_VAR_DIR"] = str(tmp_path / "var")
    log = tmp_path / "make-run.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (make, with our Makefile)
            ["make", "-s", "run", f"PORT={ports['site']}", f"GATEWAY_PORT={ports['gateway']}"]
            + [f"PARTNER_PORT={ports['partner']}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_site(urls["site"] + "/", process, log)
        yield process, urls, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=30)


def test_make_run_serves_the_site_with_the_gateway_and_partner_beside_it_and_stops_them_with_it(
    make_run: tuple[subprocess.Popen, dict[str, str], Path],
) -> None:
    process, urls, log = make_run
    assert httpx.get(urls["site"] + "/accounts/login/", timeout=10).status_code == 200
    printed = log.read_text()
    assert f"the sandbox payment gateway at {urls['gateway']}" in printed
    assert f"the sandbox shipping partner at {urls['partner']}" in printed

    # The gateway answers, and the site is pointed at it: a payment webhook makes the site look the payment up there.
    assert httpx.get(urls["gateway"] + "/sandbox/stats", auth=GATEWAY_AUTH, timeout=10).json()["confirmRequests"] == 0
    webhook = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "tgk_make_run_check"}}
    assert httpx.post(urls["site"] + "/orders/payments/webhook/", json=webhook, timeout=30).status_code == 200
    lookups = httpx.get(urls["gateway"] + "/sandbox/requests", auth=GATEWAY_AUTH, timeout=10).json()["requests"]
    assert [(r["method"], r["path"]) for r in lookups] == [("GET", "/v1/payments/tgk_make_run_check")]

    # The partner answers, and the site knows it by its webhook secret: a signed delivery webhook is accepted (an
    # unknown partner would be 404, a wrong secret 400).
    assert httpx.get(urls["partner"] + "/sandbox/shipments", headers=PARTNER_AUTH, timeout=10).json() == {
        "shipments": []
    }
    shipment = {"reference": "GK-MAKE-RUN"}
    headers = {**PARTNER_AUTH, "Idempotency-Key": "GK-MAKE-RUN"}
    assert httpx.post(urls["partner"] + "/v1/shipments", json=shipment, headers=headers, timeout=10).status_code == 200
    delivered = httpx.post(urls["partner"] + "/sandbox/deliver", json=shipment, headers=PARTNER_AUTH, timeout=30)
    assert delivered.json()["status"] == 200

    # make stopped by a signal (as a terminal closing or a supervisor does): the site and both sandboxes go with it.
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(answers(url) for url in urls.values()):
        time.sleep(0.5)
    assert [name for name, url in urls.items() if answers(url)] == []


def test_a_taken_port_gives_the_sandbox_a_free_one() -> None:
    children: list[Child] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            url = _start_sandbox(
                children,
                "sandbox shipping partner",
                "groupket.orders.partner.sandbox",
                port=port,
                arguments=[],
                env=dict(os.environ),
            )
            assert url != f"http://127.0.0.1:{port}"
            assert httpx.get(url + "/sandbox/shipments", headers=PARTNER_AUTH, timeout=10).status_code == 200
        finally:
            _stop(children)
    assert children[0].process.returncode is not None


def test_a_gateway_of_ones_own_in_the_environment_is_used_and_no_sandbox_gateway_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GROUPKET_PAYMENT_URL", "https://api.tosspayments.com")
    monkeypatch.delenv("GROUPKET_SHIPPING_PARTNER_APIS", raising=False)
    children: list[Child] = []
    command = Command()
    try:
        env = command._start_sandboxes(
            children, site="http://127.0.0.1:8000", options={"gateway_port": free_port(), "partner_port": free_port()}
        )
    finally:
        _stop(children)
    assert [child.name for child in children] == ["sandbox shipping partner"]
    assert "GROUPKET_PAYMENT_URL" not in env  # runserver keeps the environment's own
    partner = settings.GROUPKET_SHIPPING_PARTNERS[0]["slug"]
    assert json.loads(env["GROUPKET_SHIPPING_PARTNER_APIS"])[partner]["url"] == children[0].url
