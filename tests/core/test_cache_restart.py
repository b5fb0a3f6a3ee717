"""A restart of Redis (the cache and the throttling counters) is waited out: no request fails for it."""

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import caches

from tests.staff.imap_peer import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


def start_redis(port: int, folder: Path, started: list[subprocess.Popen]) -> None:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started.append(server)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG":
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)


def restart_cache(port: int, options: dict) -> dict:
    location = f"redis://127.0.0.1:{port}/0"
    return {"BACKEND": "groupket.core.cache.SharedClientRedisCache", "LOCATION": location, "OPTIONS": options}


def test_a_redis_restart_during_requests_costs_the_cached_values_not_an_error(settings, tmp_path: Path) -> None:
    port, started = free_port(), []
    start_redis(port, tmp_path, started)
    settings.CACHES = {**settings.CACHES, "restart": restart_cache(port, settings.GROUPKET_REDIS_CACHE_OPTIONS)}
    cache = caches["restart"]
    later = threading.Timer(1.5, start_redis, args=(port, tmp_path, started))
    try:
        cache.set("counter", 3)
        started[0].terminate()
        started[0].wait(timeout=10)
        later.start()
        assert cache.get("counter") is None  # waited for the new Redis, which holds nothing
        later.join()
        cache.set("counter", 1)
        assert cache.get("counter") == 1
    finally:
        if later.is_alive():
            later.join()
        for process in started:
            process.kill()
            process.wait(timeout=10)
