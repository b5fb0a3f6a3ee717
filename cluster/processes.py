"""The harness's processes: each in its own process group, logged to a file, all stopped at the end."""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


class ClusterFailure(Exception):
    """Something the cluster test checks did not hold; the message says what."""


@dataclass
class Process:
    name: str
    command: list[str]
    log: Path
    popen: subprocess.Popen | None = None

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group: a gunicorn arbiter and its workers, a Celery worker and its pool."""
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Supervisor:
    environment: dict[str, str]
    logs: Path
    cwd: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, command: list[str], **extra_environment: str) -> Process:
        self.logs.mkdir(parents=True, exist_ok=True)
        process = Process(name=name, command=command, log=self.logs / f"{name}.log")
        with process.log.open("ab") as log:
            process.popen = subprocess.Popen(
                command,
                cwd=self.cwd,
                env={**self.environment, **extra_environment},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def restart(self, process: Process) -> Process:
        process.kill(signal.SIGKILL)
        if process.popen is not None:
            process.popen.wait(timeout=30)
        self.processes.remove(process)
        return self.start(process.name, process.command)

    def stop_all(self) -> None:
        """SIGTERM to every group, then SIGKILL to what is left after 15 s."""
        for process in self.processes:
            process.kill(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill(signal.SIGKILL)
                process.popen.wait(timeout=10)
        self.processes.clear()

    def run(self, command: list[str], *, timeout: float = 300, stdin: str = "", **extra_environment: str) -> str:
        """A one-off command (migrate, collectstatic, a probe); its output, or ClusterFailure naming it."""
        result = subprocess.run(
            command,
            cwd=self.cwd,
            env={**self.environment, **extra_environment},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise ClusterFailure(f"{' '.join(command[:4])} failed ({result.returncode}):\n{result.stderr[-3000:]}")
        return result.stdout


def wait_for(what: str, ready: Callable[[], bool], *, timeout: float, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive:
            raise ClusterFailure(f"{process.name} exited while waiting for {what}:\n{process.tail()}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    tail = f":\n{process.tail()}" if process is not None else ""
    raise ClusterFailure(f"timed out after {timeout:.0f} s waiting for {what}{tail}")
