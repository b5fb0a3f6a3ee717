"""`make run PORT=8100` serves on that port, and the links in the development mail lead there."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def planned_run(*args: str, **env: str) -> str:
    """The last command `make run` would run (make -n prints without running anything)."""
    environment = {key: value for key, value in os.environ.items() if key != "GROUPKET_SITE_URL"} | env
    done = subprocess.run(
        ["make", "-s", "-n", "run", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_make_run_serves_on_port_8000_with_links_to_it() -> None:
    assert planned_run().endswith(
        "GROUPKET_SITE_URL=http://127.0.0.1:8000 .venv/bin/python manage.py runserver 127.0.0.1:8000"
    )


def test_make_run_port_serves_on_that_port_with_links_to_it() -> None:
    assert planned_run("PORT=8100").endswith(
        "GROUPKET_SITE_URL=http://127.0.0.1:8100 .venv/bin/python manage.py runserver 127.0.0.1:8100"
    )


def test_a_site_url_of_ones_own_wins() -> None:
    assert planned_run("PORT=8100", GROUPKET_SITE_URL="https://dev.example").startswith(
        "GROUPKET_SITE_URL=https://dev.example "
    )
