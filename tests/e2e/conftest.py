"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live server.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium and
skip (with a reason, shown by `pytest -rs`) on a machine without it. Playwright is
imported inside the fixtures, so this file loads even where it is not installed.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = f"{CHROMIUM} not found: the browser tests drive Debian's chromium (apt-get install chromium)"


@pytest.fixture
def browser(transactional_db: None) -> Iterator[Any]:
    """Chromium, started after the test database is ready and closed before it is flushed.

    While Playwright's sync API is open, an asyncio loop runs in the test thread. Django then
    refuses ORM calls from that thread (SynchronousOnlyOperation), and asgiref hands the thread a
    second, context-local set of database connections, without the serialized contents that
    serialized_rollback restores. So the browser lives strictly inside the database's set-up and
    tear-down (hence `transactional_db` above), and the test makes no ORM call while it is open.
    """
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def requested_urls() -> list[str]:
    """Every URL the browser asked for during the test, in order."""
    return []


@pytest.fixture
def error_responses() -> list[tuple[str, str, int]]:
    """(method, path, status) of every response with a 4xx or 5xx status."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors (a CSP violation, a script error) and uncaught page errors.

    Chromium also logs "Failed to load resource" for every 4xx/5xx response; those are
    left out here, since error_responses holds them with their method and path.
    """
    return []


def _record_error_response(response: Any, error_responses: list[tuple[str, str, int]]) -> None:
    if response.status >= 400:
        error_responses.append((response.request.method, urlsplit(response.url).path, response.status))


def _record_console_error(message: Any, console_errors: list[str]) -> None:
    if message.type == "error" and not message.text.startswith("Failed to load resource:"):
        console_errors.append(message.text)


@pytest.fixture
def page(
    browser: Any,
    requested_urls: list[str],
    error_responses: list[tuple[str, str, int]],
    console_errors: list[str],
) -> Iterator[Any]:
    """A fresh browser profile (no cookies) with one tab; every request it makes is recorded."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # On the context, not the page: requests from any tab or worker are recorded too.
    context.on("request", lambda request: requested_urls.append(request.url))
    context.on("response", lambda response: _record_error_response(response, error_responses))
    tab = context.new_page()
    tab.on("console", lambda message: _record_console_error(message, console_errors))
    tab.on("pageerror", lambda error: console_errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
