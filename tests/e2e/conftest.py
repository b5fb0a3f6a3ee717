"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live server.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium and
skip (with a reason, shown by `pytest -rs`) on a machine without it. Playwright is
imported inside the fixtures, so this file loads even where it is not installed.

One chromium serves the whole session (launching it costs about a second on a busy machine);
each test gets fresh browser contexts, so no cookie or storage passes from one test to the next.
"""

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    # A scrollbar would take 15 px of a 360 px phone; phones overlay theirs, so the layout tests hide them.
    "--hide-scrollbars",
]
NO_CHROMIUM = f"{CHROMIUM} not found: the browser tests drive Debian's chromium (apt-get install chromium)"
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class BrowserSession:
    """The session's chromium, and the asyncio loop of Playwright's sync API that drives it.

    While Playwright's sync API is open, it marks its asyncio loop as running in the test thread
    between calls (playwright/_impl/_greenlets.py, wait_for_future). Django then refuses ORM calls
    from that thread (SynchronousOnlyOperation), and asgiref hands the thread a second, context-local
    set of database connections, without the serialized contents that serialized_rollback restores.
    So the thread is handed to the browser only while a test uses it (`enter`), and handed back to
    Django (`leave`) before the test's database is flushed and before any other test runs. Between
    the two, nothing switches to Playwright's dispatcher, so its loop waits untouched.
    """

    browser: Any
    loop: asyncio.AbstractEventLoop
    inside: bool = field(default=False)

    def enter(self) -> None:
        if not self.inside:
            asyncio._set_running_loop(self.loop)
            self.inside = True

    def leave(self) -> None:
        if self.inside:
            asyncio._set_running_loop(None)
            self.inside = False


@pytest.fixture(scope="session")
def browser_session() -> Iterator[BrowserSession]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    manager = sync_api.sync_playwright()
    playwright = manager.start()
    session = BrowserSession(
        browser=playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS),
        loop=asyncio.get_running_loop(),
        inside=True,
    )
    session.leave()
    try:
        yield session
    finally:
        session.enter()
        session.browser.close()
        manager.__exit__()


@dataclass
class Recorded:
    """What the browser did in one test: every URL it asked for, error responses and console errors."""

    requested_urls: list[str] = field(default_factory=list)
    # (method, path, status) of every response with a 4xx or 5xx status.
    error_responses: list[tuple[str, str, int]] = field(default_factory=list)
    # Console errors (a CSP violation, a script error) and uncaught page errors. Chromium also logs
    # "Failed to load resource" for every 4xx/5xx response; those are left out, error_responses has them.
    console_errors: list[str] = field(default_factory=list)

    def response(self, response: Any) -> None:
        if response.status >= 400:
            self.error_responses.append((response.request.method, urlsplit(response.url).path, response.status))

    def console(self, message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource:"):
            self.console_errors.append(f"{message.text} (on {urlsplit(message.location.get('url', '')).path})")


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


class Tabs:
    """The tabs of one test, each in a fresh browser profile (no cookies), every request recorded.

    The test makes its ORM calls before the first `open()`, after `close()`, which closes every tab and hands
    the thread back to Django (see BrowserSession), or inside `with tabs.django():`, which keeps the tabs open.
    """

    def __init__(self, session: BrowserSession, recorded: Recorded) -> None:
        self.session, self.recorded = session, recorded
        self.contexts: list[Any] = []

    def open(self, *, locale: str = "en-US", viewport: dict[str, int] = DESKTOP) -> Any:
        """A new tab; `locale` sets both navigator.language and the Accept-Language header Django reads."""
        self.session.enter()
        context = self.session.browser.new_context(locale=locale, viewport=viewport)
        self.contexts.append(context)
        context.set_default_timeout(10_000)
        # On the context, not the page: requests from any tab or worker are recorded too.
        context.on("request", lambda request: self.recorded.requested_urls.append(request.url))
        context.on("response", self.recorded.response)
        tab = context.new_page()
        tab.on("console", self.recorded.console)
        tab.on("pageerror", lambda error: self.recorded.console_errors.append(str(error)))
        return tab

    @contextlib.contextmanager
    def django(self) -> Iterator[None]:
        """ORM calls between two steps of the open tabs (a job the clock would run): the thread is Django's inside,
        and the tabs, their cookies and pages, are there again after."""
        self.session.leave()
        try:
            yield
        finally:
            self.session.enter()

    def close(self) -> None:
        if self.contexts:
            self.session.enter()
            while self.contexts:
                self.contexts.pop().close()
        self.session.leave()


@pytest.fixture
def tabs(transactional_db: None, browser_session: BrowserSession, recorded: Recorded) -> Iterator[Tabs]:
    """Depends on `transactional_db`, so its tabs are closed before the database is flushed."""
    opened = Tabs(browser_session, recorded)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(tabs: Tabs) -> Any:
    """One English tab at a laptop's size."""
    return tabs.open()
