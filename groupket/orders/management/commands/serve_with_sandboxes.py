"""`make run`'s server: the site, with the sandbox payment gateway and the sandbox shipping partner beside it.

    manage.py serve_with_sandboxes [ADDR:PORT] [--gateway-port 8765] [--partner-port 8766]

Starts `python -m groupket.orders.gateway.sandbox` and `python -m groupket.orders.partner.sandbox`, each in its own
process on the port asked for (or, when that one is taken, on a free port the system gives), waits until each says
where it listens, then runs `manage.py runserver ADDR:PORT` with the settings pointing at them:
`GROUPKET_PAYMENT_URL` at the gateway, and `GROUPKET_SHIPPING_PARTNER_APIS` naming the sandbox partner as the API of
the first partner of `GROUPKET_SHIPPING_PARTNERS`. Each sandbox sends its webhooks to the site. So a member can pay
by card and an order's delivery lines are handed off over HTTP on a laptop with nothing else installed.

A `GROUPKET_PAYMENT_URL` or `GROUPKET_SHIPPING_PARTNER_APIS` of one's own in the environment wins: that sandbox is not
started. When the site stops (Ctrl-C, a signal to make, or runserver exiting) both sandboxes are stopped with it; each
child runs in a process group of its own so that runserver's autoreloader child goes too. Never in production.
"""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from groupket.orders.partner.sandbox import DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET

LISTENING = re.compile(r" on (http://\S+)")
STOP_SECONDS = 5.0


def gateway_state_file() -> Path:
    """Where the laptop's sandbox gateway keeps its payments, so that one started again still knows them."""
    return settings.VAR_DIR / "sandbox_gateway.json"


@dataclass
class Child:
    """A process started here, stopped here."""

    name: str
    process: subprocess.Popen
    url: str = ""


class Stopped(Exception):
    """A signal asked the whole of `make run` to stop."""


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the sandboxes' servers bind (allow_reuse_address), so a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start_sandbox(
    children: list[Child], name: str, module: str, *, port: int, arguments: list[str], env: dict[str, str]
) -> str:
    """The sandbox on `port`, or on a free one if that is taken, added to `children` at once (so that it is stopped
    whatever happens next); its address, from the line it prints first."""
    chosen = port if _port_is_free(port) else 0
    process = subprocess.Popen(  # noqa: S603 (our own module, our own arguments)
        [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(chosen), *arguments],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        process_group=0,
    )
    child = Child(name, process)
    children.append(child)
    # The sandbox prints this one line once it listens, and nothing more (its request log is off).
    listening = LISTENING.search(process.stdout.readline())
    if listening is None:
        raise CommandError(f"the {name} did not start (exit status {process.wait()})")
    child.url = listening.group(1)
    return child.url


def _stop(children: list[Child]) -> None:
    """SIGTERM to each child's process group, then SIGKILL to any still there after a few seconds."""
    for child in children:
        if child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


class Command(BaseCommand):
    help = "Serve the site with the sandbox payment gateway and shipping partner beside it (what `make run` runs)."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="where runserver listens")
        parser.add_argument("--gateway-port", type=int, default=8765, help="the sandbox gateway's port, if free")
        parser.add_argument("--partner-port", type=int, default=8766, help="the sandbox partner's port, if free")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("serve_with_sandboxes is for a laptop: GROUPKET_ENV is production.")
        addrport = options["addrport"]
        host, _, port = addrport.rpartition(":")
        site = f"http://{host or '127.0.0.1'}:{port}"
        children: list[Child] = []
        previous = {number: signal.signal(number, _raise_stopped) for number in (signal.SIGTERM, signal.SIGHUP)}
        try:
            env = self._start_sandboxes(children, site=site, options=options)
            self._print_how_to_run_jobs(env)
            server = subprocess.Popen(  # noqa: S603 (this project's manage.py)
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "runserver", addrport],
                env={**os.environ, **env},
                process_group=0,
            )
            children.insert(0, Child("site", server, site))
            self._wait(children)
        except (KeyboardInterrupt, Stopped):
            self.stdout.write("Stopping the site and the sandboxes.")
        finally:
            _stop(children)
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _start_sandboxes(self, children: list[Child], *, site: str, options: dict[str, Any]) -> dict[str, str]:
        """Start what the environment does not name already; the settings for runserver that point at them."""
        env: dict[str, str] = {}
        if "GROUPKET_PAYMENT_URL" not in os.environ:
            gateway_env = {**os.environ, "GROUPKET_PAYMENT_SECRET_KEY": settings.GROUPKET_PAYMENT_SECRET_KEY}
            webhook = site + reverse("orders:payment_webhook")
            gateway = _start_sandbox(
                children,
                "sandbox payment gateway",
                "groupket.orders.gateway.sandbox",
                port=options["gateway_port"],
                arguments=["--webhook-url", webhook, "--state-file", str(gateway_state_file())],
                env=gateway_env,
            )
            env["GROUPKET_PAYMENT_URL"] = gateway
            self.stdout.write(f"Card payments: the sandbox payment gateway at {gateway} (4242 4242 4242 4242 pays)")
        partners = settings.GROUPKET_SHIPPING_PARTNERS
        if "GROUPKET_SHIPPING_PARTNER_APIS" not in os.environ and partners:
            slug = partners[0]["slug"]
            webhook = site + reverse("orders:partner_webhook", args=[slug])
            partner = _start_sandbox(
                children,
                "sandbox shipping partner",
                "groupket.orders.partner.sandbox",
                port=options["partner_port"],
                arguments=["--webhook-url", webhook],
                env=dict(os.environ),
            )
            api = {"url": partner, "api_key": DEFAULT_API_KEY, "webhook_secret": DEFAULT_WEBHOOK_SECRET}
            env["GROUPKET_SHIPPING_PARTNER_APIS"] = json.dumps({slug: api})
            self.stdout.write(f"Hand-offs to {partners[0]['name_en']}: the sandbox shipping partner at {partner}")
        return env

    def _print_how_to_run_jobs(self, env: dict[str, str]) -> None:
        # Without a broker the hand-off runs in the process that confirms the order, so the scheduled jobs run from
        # another terminal need the same settings to reach the sandboxes.
        if env:
            settings_line = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
            command = f"{settings_line} {sys.executable} manage.py run_schedules --all"
            self.stdout.write(f"Scheduled jobs now (deadlines, hand-offs): {command}")

    def _wait(self, children: list[Child]) -> None:
        """Until the site exits; a sandbox that dies meanwhile is reported, and the site keeps serving."""
        site, sandboxes = children[0], children[1:]
        while site.process.poll() is None:
            for sandbox in list(sandboxes):
                if sandbox.process.poll() is not None:
                    self.stderr.write(f"The {sandbox.name} stopped (exit status {sandbox.process.returncode}).")
                    sandboxes.remove(sandbox)
            time.sleep(0.5)
        if site.process.returncode:
            raise CommandError(f"runserver exited with status {site.process.returncode}")
