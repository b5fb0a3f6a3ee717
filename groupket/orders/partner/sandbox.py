"""A sandbox shipping partner in its own process, speaking the partner adapter's protocol (P5.4).

    python -m groupket.orders.partner.sandbox --port 8766 [--api-key KEY] [--webhook-secret SECRET]
                                              [--webhook-url URL]

The protocol (groupket.orders.partner.client speaks it; a real partner's API is put behind the same shape):

    POST /v1/shipments   Authorization: Bearer KEY, Idempotency-Key: the order number
        {"reference", "item", "quantity", "recipient", "postalCode", "roadAddress", "addressDetail", "phone"}
        -> 200 {"shipmentId", "reference", "status": "ACCEPTED"}; the same key again answers the first answer.

A delivery webhook is POSTed to the webhook URL as JSON {"eventId", "shipmentId", "reference", "status",
"trackingNumber", "deliveredAt"} with `X-Partner-Signature: sha256=<hex HMAC-SHA256 of the body>` under
the webhook secret. State lives in memory.

Control endpoints (same authentication; for tests and for trying things by hand):

    POST /sandbox/deliver {"reference"}   the shipment is delivered: a DELIVERED webhook is made and sent
    POST /sandbox/faults  {"times": 1}     the next shipment requests answer 500 and change nothing
    GET  /sandbox/shipments                every shipment received, with every field it was sent
    GET  /sandbox/webhooks                 every webhook made: {"body", "signature", "status"}
    POST /sandbox/reset                    forget everything
"""

import argparse
import hashlib
import hmac
import json
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.request import Request, urlopen

DEFAULT_API_KEY = "partner_sandbox_key"
DEFAULT_WEBHOOK_SECRET = "partner_sandbox_webhook_secret"
BODY_MAX_BYTES = 64 * 1024
FIELDS = ("reference", "item", "quantity", "recipient", "postalCode", "roadAddress", "addressDetail", "phone")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Partner:
    def __init__(self, *, api_key: str, webhook_secret: str, webhook_url: str) -> None:
        self.api_key, self.webhook_secret, self.webhook_url = api_key, webhook_secret, webhook_url
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.shipments: dict[str, dict] = {}  # by reference (the Idempotency-Key)
            self.webhooks: list[dict] = []
            self.faults = 0

    def accept(self, key: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            if self.faults:
                self.faults -= 1
                return 500, {"code": "PARTNER_UNAVAILABLE"}
            if key in self.shipments:
                shipment = self.shipments[key]
            else:
                shipment = {**{name: body.get(name) for name in FIELDS}, "shipmentId": "shp_" + secrets.token_hex(8)}
                shipment["trackingNumber"] = str(600_000_000_000 + len(self.shipments))
                shipment["received"] = sorted(body)
                self.shipments[key] = shipment
        return 200, {"shipmentId": shipment["shipmentId"], "reference": shipment["reference"], "status": "ACCEPTED"}

    def deliver(self, reference: str) -> tuple[int, dict]:
        with self.lock:
            shipment = self.shipments.get(reference)
        if shipment is None:
            return 404, {"code": "NOT_FOUND_SHIPMENT"}
        event = {
            "eventId": "evt_" + secrets.token_hex(8),
            "shipmentId": shipment["shipmentId"],
            "reference": reference,
            "status": "DELIVERED",
            "trackingNumber": shipment["trackingNumber"],
            "deliveredAt": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        body = json.dumps(event).encode()
        webhook = {"body": body.decode(), "signature": sign(self.webhook_secret, body), "status": None}
        if self.webhook_url:
            webhook["status"] = self._post(body, webhook["signature"])
        with self.lock:
            self.webhooks.append(webhook)
        return 200, webhook

    def _post(self, body: bytes, signature: str) -> int | None:
        request = Request(  # noqa: S310 (the configured webhook URL)
            self.webhook_url, data=body, headers={"Content-Type": "application/json", "X-Partner-Signature": signature}
        )
        try:
            with urlopen(request, timeout=5) as answer:  # noqa: S310
                return answer.status
        except OSError:
            return None


class Handler(BaseHTTPRequestHandler):
    server_version = "GroupketSandboxPartner/1"
    partner: Partner

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Any:
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > BODY_MAX_BYTES:
            return None
        try:
            body = json.loads(self.rfile.read(int(length)) or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _authorised(self) -> bool:
        return hmac.compare_digest(self.headers.get("Authorization", ""), f"Bearer {self.partner.api_key}")

    def do_GET(self) -> None:
        if not self._authorised():
            return self._json(401, {"code": "UNAUTHORIZED_KEY"})
        with self.partner.lock:
            if self.path == "/sandbox/shipments":
                return self._json(200, {"shipments": list(self.partner.shipments.values())})
            if self.path == "/sandbox/webhooks":
                return self._json(200, {"webhooks": list(self.partner.webhooks)})
        return self._json(404, {"code": "NOT_FOUND"})

    def do_POST(self) -> None:
        if not self._authorised():
            return self._json(401, {"code": "UNAUTHORIZED_KEY"})
        body = self._body()
        if body is None:
            return self._json(400, {"code": "INVALID_REQUEST"})
        if self.path == "/v1/shipments":
            key = self.headers.get("Idempotency-Key", "")
            if not key or not isinstance(body.get("reference"), str):
                return self._json(400, {"code": "INVALID_REQUEST"})
            return self._json(*self.partner.accept(key, body))
        if self.path == "/sandbox/deliver":
            return self._json(*self.partner.deliver(str(body.get("reference", ""))))
        if self.path == "/sandbox/faults":
            with self.partner.lock:
                self.partner.faults = int(body.get("times", 1))
            return self._json(200, {})
        if self.path == "/sandbox/reset":
            self.partner.reset()
            return self._json(200, {})
        return self._json(404, {"code": "NOT_FOUND"})


def make_server(*, host: str, port: int, partner: Partner) -> ThreadingHTTPServer:
    handler = type("PartnerHandler", (Handler,), {"partner": partner})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Groupket's sandbox shipping partner")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET)
    parser.add_argument("--webhook-url", default="")
    args = parser.parse_args(argv)
    partner = Partner(api_key=args.api_key, webhook_secret=args.webhook_secret, webhook_url=args.webhook_url)
    server = make_server(host=args.host, port=args.port, partner=partner)
    print(f"sandbox shipping partner on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
