"""A sandbox payment gateway speaking Toss Payments' v1 API subset, in its own process.

    python -m groupket.orders.gateway.sandbox --port 8765 [--webhook-url URL] [--secret-key KEY]

The same paths, JSON and Basic authentication (the secret key and a colon) as the real gateway:

    POST /v1/payments/confirm   GET /v1/payments/{paymentKey}   GET /v1/payments/orders/{orderId}
    POST /v1/payments/{paymentKey}/cancel

with `Idempotency-Key` honoured as Toss does (the first answer is replayed for the same key, method and
path; 409 IDEMPOTENT_REQUEST_PROCESSING while the first is still running). Its own card page is
GET /checkout?orderId&amount&orderName&successUrl&failUrl. On each status change it POSTs a
PAYMENT_STATUS_CHANGED webhook to the configured URL. State lives in memory.

Control endpoints (same authentication; not part of Toss's API, for tests and for trying things by hand):

    POST /sandbox/faults   {"fault": "fail"|"timeout"|"decline", "operation": "confirm"|"cancel"|"lookup"|"any",
                            "times": 1, "delay": 3.0}
        fail: 500 FAILED_INTERNAL_SYSTEM_PROCESSING, nothing changes; timeout: the request is carried out and
        its answer held back `delay` seconds; decline: the next confirm is refused (403 REJECT_CARD_PAYMENT).
    POST /sandbox/webhooks {"url": ..., "mode": "normal"|"duplicate"|"hold"}
        duplicate: every webhook is sent twice; hold: webhooks wait for POST /sandbox/webhooks/release
        {"order": "reverse"|"received"}, reverse sending them newest first (out of order).
    GET  /sandbox/stats     counts: confirmRequests, approvals, cancelRequests, cancels
    GET  /sandbox/requests  every API request received (method, path, headers but Authorization, body)
    GET  /sandbox/webhooks  every webhook delivery tried (status sent, answer)
    POST /sandbox/reset     forget every payment, fault, request and webhook
"""

import argparse
import base64
import hmac
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from groupket.orders.gateway.sandbox_ledger import ApiError, Ledger, WindowError
from groupket.orders.gateway.sandbox_page import PAGE_HEADERS, card_page, problem_page
from groupket.orders.gateway.sandbox_webhooks import WebhookSender

DEFAULT_SECRET_KEY = "test_sk_sandbox"
BODY_MAX_BYTES = 64 * 1024
IDEMPOTENCY_KEY_MAX_CHARS = 300
_PAYMENT = re.compile(r"^/v1/payments/([^/]+)$")
_ORDER = re.compile(r"^/v1/payments/orders/([^/]+)$")
_CANCEL = re.compile(r"^/v1/payments/([^/]+)/cancel$")


class Sandbox:
    """The server's shared parts: the ledger, the webhook sender, idempotency records, the request log."""

    def __init__(
        self, *, secret_key: str, webhook_url: str = "", webhook_mode: str = "normal", state_file: Path | None = None
    ) -> None:
        token = base64.b64encode(f"{secret_key}:".encode()).decode("ascii")
        self.authorization = f"Basic {token}"
        self.webhooks = WebhookSender(url=webhook_url, mode=webhook_mode)
        self.ledger = Ledger(emit=self.webhooks.send, state_file=state_file)
        self.lock = threading.Lock()
        self._forget_requests()  # the ledger starts from its state file, if it has one

    def reset(self) -> None:
        self.ledger.reset()
        self.webhooks.reset()
        self._forget_requests()

    def _forget_requests(self) -> None:
        with self.lock:
            self.answers: dict[tuple[str, str, str], tuple[int, dict]] = {}
            self.running: set[tuple[str, str, str]] = set()
            self.requests: list[dict] = []

    def record(self, request: dict) -> None:
        with self.lock:
            self.requests.append(request)

    def idempotent(self, key: tuple[str, str, str], run: Any) -> tuple[int, dict]:
        """Toss's rule: the first answer for (key, method, path) is the answer to every repeat of it."""
        with self.lock:
            if key in self.answers:
                return self.answers[key]
            if key in self.running:
                return 409, {"code": "IDEMPOTENT_REQUEST_PROCESSING", "message": "이전 멱등 요청이 처리중입니다."}
            self.running.add(key)
        try:
            answer = run()
        finally:
            with self.lock:
                self.running.discard(key)
        if answer[0] < 500:
            with self.lock:
                self.answers[key] = answer
        return answer


class Handler(BaseHTTPRequestHandler):
    server_version = "GroupketSandboxGateway/1"
    sandbox: Sandbox  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        return  # quiet: the request log is /sandbox/requests

    # --- plumbing -----------------------------------------------------------------------------------
    def _body(self) -> bytes:
        length_text = self.headers.get("Content-Length") or "0"
        length = int(length_text) if length_text.isdigit() else BODY_MAX_BYTES + 1
        if length > BODY_MAX_BYTES:
            raise ApiError(400, "INVALID_REQUEST", "요청 본문이 너무 큽니다.")
        return self.rfile.read(length) if length else b""

    def _json_body(self, raw: bytes) -> Any:
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(400, "INVALID_REQUEST", "잘못된 요청입니다.") from None

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout it was told to expect)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _redirect(self, url: str) -> None:
        self._send(303, b"", "text/plain", {"Location": url, "Cache-Control": "no-store"})

    def _html(self, status: int, page: bytes) -> None:
        self._send(status, page, "text/html; charset=utf-8", PAGE_HEADERS)

    def _authorised(self) -> bool:
        return hmac.compare_digest(self.headers.get("Authorization", ""), self.sandbox.authorization)

    # --- dispatch -----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/checkout":
            params = dict(parse_qsl(parts.query))
            self.sandbox.record({"method": "GET", "path": parts.path, "headers": {}, "body": params})
            return self._open_window(params)
        self._api("GET", parts.path, b"")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            raw = self._body()
        except ApiError as error:
            return self._json(error.status, error.body)
        if path == "/checkout":
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
            shown = {name: "****" if name == "cardNumber" else value for name, value in form.items()}
            self.sandbox.record({"method": "POST", "path": path, "headers": {}, "body": shown})
            return self._submit_window(form)
        self._api("POST", path, raw)

    def _api(self, method: str, path: str, raw: bytes) -> None:
        if not path.startswith("/sandbox/"):
            self.sandbox.record(self._described(method, path, raw))
        if not self._authorised():
            message = "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."
            return self._json(401, {"code": "UNAUTHORIZED_KEY", "message": message})
        try:
            if path.startswith("/sandbox/"):
                return self._json(200, self._control(method, path, self._json_body(raw)))
            self._payments_api(method, path, raw)
        except ApiError as error:
            self._json(error.status, error.body)

    def _described(self, method: str, path: str, raw: bytes) -> dict:
        headers = {name: value for name, value in self.headers.items() if name.lower() != "authorization"}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        return {"method": method, "path": path, "headers": headers, "body": body}

    def _payments_api(self, method: str, path: str, raw: bytes) -> None:
        operation, run = self._route(method, path, raw)
        fault = self.sandbox.ledger.take_fault(operation)
        if fault and fault.kind == "fail":
            message = "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요."
            return self._json(500, {"code": "FAILED_INTERNAL_SYSTEM_PROCESSING", "message": message})
        decline = bool(fault and fault.kind == "decline")
        key = self.headers.get("Idempotency-Key")
        if method == "POST" and key is not None:
            if not 0 < len(key) <= IDEMPOTENCY_KEY_MAX_CHARS:
                return self._json(
                    400, {"code": "INVALID_IDEMPOTENCY_KEY", "message": "멱등키는 300자 이하여야 합니다."}
                )
            status, data = self.sandbox.idempotent((key, method, path), lambda: _answer(run, decline))
        else:
            status, data = _answer(run, decline)
        if fault and fault.kind == "timeout":
            time.sleep(fault.delay)  # done, but the answer is late: the client's timeout fires first
        self._json(status, data)

    def _route(self, method: str, path: str, raw: bytes) -> tuple[str, Any]:
        ledger = self.sandbox.ledger
        if method == "POST" and path == "/v1/payments/confirm":
            ledger.count("confirmRequests")
            body = self._json_body(raw)
            return "confirm", lambda decline: ledger.confirm(body, decline=decline)
        if method == "POST" and (match := _CANCEL.match(path)):
            ledger.count("cancelRequests")
            body = self._json_body(raw)
            return "cancel", lambda decline: ledger.cancel(unquote(match[1]), body)
        if method == "GET" and (match := _ORDER.match(path)):
            return "lookup", lambda decline: ledger.lookup_order(unquote(match[1]))
        if method == "GET" and (match := _PAYMENT.match(path)):
            return "lookup", lambda decline: ledger.lookup(unquote(match[1]))
        raise ApiError(404, "NOT_FOUND", "존재하지 않는 정보 입니다.")

    def _control(self, method: str, path: str, body: Any) -> dict:
        sandbox, body = self.sandbox, body if isinstance(body, dict) else {}
        if (method, path) == ("POST", "/sandbox/reset"):
            sandbox.reset()
        elif (method, path) == ("POST", "/sandbox/faults"):
            kind = body.get("fault", "")
            operation = body.get("operation", "confirm" if kind == "decline" else "any")
            times, delay = body.get("times", 1), body.get("delay", 3.0)
            if not isinstance(times, int) or not isinstance(delay, int | float):
                raise ApiError(400, "INVALID_REQUEST", "times is a whole number, delay a number of seconds")
            sandbox.ledger.add_fault(kind=kind, operation=operation, times=times, delay=float(delay))
        elif (method, path) == ("POST", "/sandbox/webhooks"):
            sandbox.webhooks.configure(url=body.get("url"), mode=body.get("mode"))
        elif (method, path) == ("POST", "/sandbox/webhooks/release"):
            sandbox.webhooks.release(order=body.get("order", "received"))
        elif (method, path) == ("GET", "/sandbox/stats"):
            with sandbox.ledger.lock:
                return dict(sandbox.ledger.stats)
        elif (method, path) == ("GET", "/sandbox/requests"):
            with sandbox.lock:
                return {"requests": list(sandbox.requests)}
        elif (method, path) == ("GET", "/sandbox/webhooks"):
            return {"deliveries": sandbox.webhooks.deliveries()}
        else:
            raise ApiError(404, "NOT_FOUND", "존재하지 않는 정보 입니다.")
        return {"ok": True}

    # --- the card page ----------------------------------------------------------------------------
    def _open_window(self, params: dict[str, str]) -> None:
        ledger = self.sandbox.ledger
        try:
            session_id = ledger.open_window(params)
        except WindowError as error:
            return self._html(400, problem_page(str(error)))
        self._html(200, card_page(session_id=session_id, session=ledger.session(session_id)))

    def _submit_window(self, form: dict[str, str]) -> None:
        ledger, session_id = self.sandbox.ledger, form.get("session", "")
        try:
            if form.get("action") == "cancel":
                return self._redirect(ledger.abandon(session_id))
            return self._redirect(ledger.pay(session_id, form.get("cardNumber", "")))
        except WindowError as error:
            try:
                session = ledger.session(session_id)
            except WindowError:
                return self._html(400, problem_page(str(error)))
            self._html(400, card_page(session_id=session_id, session=session, error=str(error)))


def _answer(run: Any, decline: bool) -> tuple[int, dict]:
    try:
        return 200, run(decline)
    except ApiError as error:
        return error.status, error.body


def make_server(*, host: str, port: int, sandbox: Sandbox) -> ThreadingHTTPServer:
    handler = type("SandboxHandler", (Handler,), {"sandbox": sandbox})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Groupket's sandbox payment gateway (Toss Payments v1 subset)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--secret-key",
        default=os.environ.get("GROUPKET_PAYMENT_SECRET_KEY") or DEFAULT_SECRET_KEY,
        help="the secret key clients must present (default: $GROUPKET_PAYMENT_SECRET_KEY, else test_sk_sandbox)",
    )
    parser.add_argument("--webhook-url", default="", help="where PAYMENT_STATUS_CHANGED webhooks are POSTed")
    parser.add_argument("--webhook-mode", choices=("normal", "duplicate", "hold"), default="normal")
    parser.add_argument("--state-file", type=Path, help="keep the payments in this file, across restarts")
    args = parser.parse_args(argv)
    sandbox = Sandbox(
        secret_key=args.secret_key,
        webhook_url=args.webhook_url,
        webhook_mode=args.webhook_mode,
        state_file=args.state_file,
    )
    server = make_server(host=args.host, port=args.port, sandbox=sandbox)
    print(f"sandbox payment gateway on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sandbox.webhooks.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
