"""What counting a page costs: the same page with analytics off, rejected and accepted, in one run (target <= 1.1).

"Off" is the site without the analytics middleware at all; "rejected" has it, with the visitor's Reject
(nothing is recorded); "accepted" records one page view per request. Each request goes through Django's
WSGI handler as a server drives it: the visitor's wait ends when the response and its body are ready; the
server then closes the response, which is when the page view is inserted. Both are timed: the wait, on
which the target is judged, and the worker's whole time, insert included, which is reported beside it.
The modes take turns, one request each, so that a busy machine slows all three alike; medians are compared.
Database connections are kept between requests, as GROUPKET_ENV=production keeps them.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write_result  # noqa: E402

PAGES = ("/", "/privacy/")
REQUESTS = 600
WARM_UP = 20
TARGET = 1.1
MIDDLEWARE = "groupket.analytics.middleware.CookieChoiceMiddleware"


class Browser:
    """A WSGI handler of its own (so its own middleware) and the cookies a browser would keep."""

    def __init__(self, middleware: list[str] | None = None) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import override_settings

        with override_settings(**({"MIDDLEWARE": middleware} if middleware is not None else {})):
            self.handler = WSGIHandler()  # loads the middleware now
        self.cookies: dict[str, str] = {}

    def request(self, path: str, *, method: str = "GET", body: bytes = b"") -> tuple[float, float, int]:
        """(seconds until the response was ready, seconds until it was closed, status)."""
        import io

        from django.test import RequestFactory

        environ = RequestFactory(HTTP_HOST="127.0.0.1", HTTP_COOKIE=self._cookie_header()).generic(method, path).environ
        if body:
            environ.update(
                {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))},
                CONTENT_TYPE="application/x-www-form-urlencoded",
            )
        statuses: list[str] = []
        started = time.perf_counter()
        response = self.handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        ready = time.perf_counter()
        response.close()
        closed = time.perf_counter()
        for name, morsel in response.cookies.items():
            self.cookies[name] = morsel.value
        return ready - started, closed - started, int(statuses[0].split()[0])

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items() if value)


def browser_for(mode: str) -> Browser:
    from django.conf import settings

    if mode == "off":
        return Browser([name for name in settings.MIDDLEWARE if name != MIDDLEWARE])
    browser = Browser()
    browser.request("/cookies/")  # the CSRF cookie, as the banner's form has it
    token = browser.cookies["csrftoken"]
    answer = "accept" if mode == "accepted" else "reject"
    form = f"csrfmiddlewaretoken={token}&choice={answer}&next=/".encode()
    assert browser.request("/cookies/", method="POST", body=form)[2] == 302
    return browser


def measure(path: str) -> dict[str, dict]:
    from groupket.analytics.models import PageView

    browsers = {mode: browser_for(mode) for mode in ("off", "rejected", "accepted")}
    for browser in browsers.values():
        for _ in range(WARM_UP):  # imports, templates, SQLite's cache
            browser.request(path)
    views_before = PageView.objects.count()
    waits: dict[str, list[float]] = {mode: [] for mode in browsers}
    totals: dict[str, list[float]] = {mode: [] for mode in browsers}
    for _ in range(REQUESTS):
        for mode, browser in browsers.items():
            wait, total, status = browser.request(path)
            assert status == 200, (path, mode, status)
            waits[mode].append(wait)
            totals[mode].append(total)
    recorded = PageView.objects.count() - views_before
    assert recorded == REQUESTS, f"accepted should record one view per request, recorded {recorded}"
    return {
        mode: {
            "wait_median_ms": statistics.median(waits[mode]) * 1000,
            "worker_median_ms": statistics.median(totals[mode]) * 1000,
        }
        for mode in browsers
    }


def keep_connections() -> None:
    """As with CONN_MAX_AGE in production: a request does not close the database connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def ratio(results: dict[str, dict], mode: str, key: str) -> float:
    return results[mode][key] / results["off"][key]


def main() -> int:
    setup_django()
    keep_connections()
    results = {path: measure(path) for path in PAGES}
    waits = {path: ratio(result, "accepted", "wait_median_ms") for path, result in results.items()}
    workers = {path: ratio(result, "accepted", "worker_median_ms") for path, result in results.items()}
    passed = all(value <= TARGET for value in waits.values())
    result = {
        "pages": list(PAGES),
        "requests_per_mode": REQUESTS,
        "per_request": results,
        "wait_ratio_accepted_to_off": {path: round(value, 3) for path, value in waits.items()},
        "worker_ratio_accepted_to_off": {path: round(value, 3) for path, value in workers.items()},
        "wait_ratio_rejected_to_off": {
            path: round(ratio(result, "rejected", "wait_median_ms"), 3) for path, result in results.items()
        },
        "target": f"accepted / off <= {TARGET} for the visitor's wait on every page (median request)",
        "passed": passed,
    }

    def line(path: str) -> str:
        wait = {mode: results[path][mode]["wait_median_ms"] for mode in ("off", "rejected", "accepted")}
        return (
            f"{path} wait off {wait['off']:.2f} / rejected {wait['rejected']:.2f} / accepted {wait['accepted']:.2f} ms,"
            f" ratio {waits[path]:.3f}; worker time with the insert, ratio {workers[path]:.3f}"
        )

    summary = "; ".join(line(path) for path in PAGES)
    write_result("analytics_cost", result, f"{summary} (target <= {TARGET} on the wait)")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
