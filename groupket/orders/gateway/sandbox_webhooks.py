"""The sandbox gateway's webhook sender: one thread POSTing events in order, or as told (twice, held, reversed).

Delivery is tried once per event (the real gateway retries failed deliveries for days; a test that needs
a retry sends the body again itself). Every try is logged with the answer's status, never a body.
"""

import json
import queue
import threading
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from groupket.orders.gateway.sandbox_ledger import ApiError

MODES = ("normal", "duplicate", "hold")
DELIVERY_TIMEOUT_SECONDS = 5.0


class WebhookSender:
    def __init__(self, *, url: str, mode: str) -> None:
        self._lock = threading.Lock()
        self._default_url, self._default_mode = url, mode
        self._queue: queue.Queue[dict | None] = queue.Queue()
        self.reset()
        self._thread = threading.Thread(target=self._deliver_forever, name="webhooks", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        with self._lock:
            self.url, self.mode = self._default_url, self._default_mode
            self._held: list[dict] = []
            self._log: list[dict] = []

    def configure(self, *, url: str | None, mode: str | None) -> None:
        if mode is not None and mode not in MODES:
            raise ApiError(400, "INVALID_REQUEST", f"mode must be one of {MODES}")
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ApiError(400, "INVALID_REQUEST", "the webhook URL is an http(s) URL")
        with self._lock:
            if url is not None:
                self.url = url
            if mode is not None:
                self.mode = mode

    def send(self, event: dict) -> None:
        with self._lock:
            if self.mode == "hold":
                self._held.append(event)
                return
            copies = 2 if self.mode == "duplicate" else 1
        for _ in range(copies):
            self._queue.put(event)

    def release(self, *, order: str) -> None:
        """Send the held events: as received, or newest first (out of order)."""
        with self._lock:
            held, self._held = self._held, []
            self.mode = "normal"
        for event in reversed(held) if order == "reverse" else held:
            self._queue.put(event)

    def deliveries(self) -> list[dict]:
        with self._lock:
            return list(self._log)

    def stop(self) -> None:
        self._queue.put(None)

    def _deliver_forever(self) -> None:
        while (event := self._queue.get()) is not None:
            with self._lock:
                url = self.url
            result = _post(url, event) if url else "no webhook URL"
            with self._lock:
                self._log.append(
                    {"paymentKey": event["data"]["paymentKey"], "status": event["data"]["status"], "result": result}
                )


def _post(url: str, event: dict) -> str:
    body = json.dumps(event, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (the configured webhook URL: http or https)
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:  # noqa: S310
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, OSError) as error:
        return type(error).__name__
