"""The payment-gateway adapter: Toss Payments' v1 API subset over httpx (P5.3).

    POST /v1/payments/confirm             {paymentKey, orderId, amount}   + Idempotency-Key
    GET  /v1/payments/{paymentKey}
    GET  /v1/payments/orders/{orderId}
    POST /v1/payments/{paymentKey}/cancel {cancelReason[, cancelAmount]}  + Idempotency-Key

Authorization is HTTP Basic with the secret key as the user name and no password (`secret:` in base64).
Errors come back as `{"code": ..., "message": ...}` and become the exceptions of `errors.py`. The same
code talks to the real gateway and to our sandbox (`sandbox.py`): only GROUPKET_PAYMENT_URL differs.

What is sent is exactly what billing needs: the gateway's own payment key, our order reference, the
amount, and a cancel reason from a fixed list. Nothing about the buyer (no name, email, phone, address).
"""

import base64
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from groupket.orders.gateway.errors import (
    GatewayTimeout,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentGatewayError,
    PaymentInvalid,
)
from groupket.orders.gateway.payment import CANCELED, DONE, PARTIAL_CANCELED, CancelReason, Payment

# Toss Payments' codes for a card, account or issuer that refused the payment (the buyer may try another).
DECLINE_CODES = frozenset(
    {
        "REJECT_CARD_PAYMENT",
        "REJECT_CARD_COMPANY",
        "REJECT_ACCOUNT_PAYMENT",
        "INVALID_REJECT_CARD",
        "INVALID_STOPPED_CARD",
        "INVALID_CARD_EXPIRATION",
        "INVALID_CARD_LOST_OR_STOLEN",
        "INVALID_CARD_NUMBER",
        "EXCEED_MAX_DAILY_PAYMENT_COUNT",
        "EXCEED_MAX_PAYMENT_AMOUNT",
        "NOT_AVAILABLE_PAYMENT",
    }
)
# 4xx codes that say "try again later", not "this request is wrong".
RETRY_LATER_CODES = frozenset({"PROVIDER_ERROR", "IDEMPOTENT_REQUEST_PROCESSING", "FORBIDDEN_CONSECUTIVE_REQUEST"})
NOT_FOUND_CODE = "NOT_FOUND_PAYMENT"
IDEMPOTENCY_KEY_MAX_CHARS = 300
CODE_MAX_CHARS = 64
DEFAULT_TIMEOUT_SECONDS = 30.0


class PaymentGateway:
    """One merchant account at one gateway. Thread-safe; close it (or use `with`) when done."""

    def __init__(
        self, *, base_url: str, secret_key: str, timeout: float = DEFAULT_TIMEOUT_SECONDS, connect_timeout: float = 5.0
    ) -> None:
        if not secret_key:
            raise ImproperlyConfigured("GROUPKET_PAYMENT_SECRET_KEY is not set: card payments cannot be made")
        token = base64.b64encode(f"{secret_key}:".encode()).decode("ascii")
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Basic {token}"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
        )

    @classmethod
    def from_settings(cls, **options: float) -> "PaymentGateway":
        return cls(base_url=settings.GROUPKET_PAYMENT_URL, secret_key=settings.GROUPKET_PAYMENT_SECRET_KEY, **options)

    def __enter__(self) -> "PaymentGateway":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def confirm(self, *, payment_key: str, order_id: str, amount: int, idempotency_key: str) -> Payment:
        """Confirm (approve) the payment the buyer authorised in the payment window.

        `amount` is our stored order's amount, never the one in the success URL: the gateway refuses the
        confirm when it differs from what the window was opened with. Raises PaymentDeclined,
        PaymentInvalid, GatewayUnavailable, or GatewayTimeout (outcome unknown: see `confirm_or_reconcile`).
        """
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": _checked_amount(amount)}
        data = self._send("confirm", "POST", "/v1/payments/confirm", json=body, idempotency_key=idempotency_key)
        return Payment.from_gateway(data, operation="confirm")

    def confirm_or_reconcile(self, *, payment_key: str, order_id: str, amount: int, idempotency_key: str) -> Payment:
        """Confirm once; if the answer is lost (timeout) or the gateway says it is already processed or still
        processing, look the order up instead of confirming again.

        Returns the payment when the gateway holds it as confirmed for this payment key and amount;
        otherwise re-raises what the confirm raised (for a timeout whose lookup also fails: GatewayTimeout,
        and the caller reconciles later with `find_payment_for_order`, never with a new confirm key).
        """
        try:
            return self.confirm(
                payment_key=payment_key, order_id=order_id, amount=amount, idempotency_key=idempotency_key
            )
        except PaymentGatewayError as error:
            if not _outcome_may_be_confirmed(error):
                raise
            try:
                found = self.find_payment_for_order(order_id=order_id)
            except GatewayUnavailable:
                raise error from None
            if found and _is_this_confirmation(found, payment_key=payment_key, amount=amount):
                return found
            raise

    def get_payment(self, *, payment_key: str) -> Payment:
        """The payment as the gateway holds it now. Unknown key: PaymentInvalid("NOT_FOUND_PAYMENT")."""
        data = self._send("lookup", "GET", f"/v1/payments/{_segment(payment_key)}")
        return Payment.from_gateway(data, operation="lookup")

    def find_payment_for_order(self, *, order_id: str) -> Payment | None:
        """The payment made for our order reference, or None when the gateway has none."""
        try:
            data = self._send("lookup", "GET", f"/v1/payments/orders/{_segment(order_id)}")
        except PaymentInvalid as error:
            if error.code == NOT_FOUND_CODE:
                return None
            raise
        return Payment.from_gateway(data, operation="lookup")

    def cancel(
        self, *, payment_key: str, reason: CancelReason, idempotency_key: str, amount: int | None = None
    ) -> Payment:
        """Refund the whole balance (amount=None) or part of it. A retry with the same Idempotency-Key
        cancels nothing more: the gateway answers with the first cancel's result."""
        if not isinstance(reason, CancelReason):
            raise TypeError("reason must be a CancelReason: free text never goes to the payment processor")
        body: dict[str, Any] = {"cancelReason": reason.value}
        if amount is not None:
            body["cancelAmount"] = _checked_amount(amount)
        path = f"/v1/payments/{_segment(payment_key)}/cancel"
        data = self._send("cancel", "POST", path, json=body, idempotency_key=idempotency_key)
        return Payment.from_gateway(data, operation="cancel")

    def _send(
        self, operation: str, method: str, path: str, *, json: dict | None = None, idempotency_key: str | None = None
    ) -> Any:
        headers = {}
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX_CHARS:
                raise ValueError(f"an Idempotency-Key has 1 to {IDEMPOTENCY_KEY_MAX_CHARS} characters")
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self._http.request(method, path, json=json, headers=headers)
        except httpx.TimeoutException:
            raise GatewayTimeout("TIMEOUT", operation=operation) from None
        except httpx.TransportError:
            raise GatewayUnavailable("UNREACHABLE", operation=operation) from None
        return _read(response, operation=operation)


def _read(response: httpx.Response, *, operation: str) -> Any:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.is_success:
        if not isinstance(data, dict):
            raise GatewayUnavailable("BAD_RESPONSE", operation=operation, status=response.status_code)
        return data
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code.isidentifier() or len(code) > CODE_MAX_CHARS:
        code = f"HTTP_{response.status_code}"
    raise _error_class(code, response.status_code)(code, operation=operation, status=response.status_code)


def _error_class(code: str, status: int) -> type[PaymentGatewayError]:
    if status >= 500 or code in RETRY_LATER_CODES or status == 429:
        return GatewayUnavailable
    if code in DECLINE_CODES:
        return PaymentDeclined
    return PaymentInvalid


def _outcome_may_be_confirmed(error: PaymentGatewayError) -> bool:
    # A lost answer, an earlier confirm still running, or one that already went through.
    return isinstance(error, GatewayTimeout) or error.code in (
        "IDEMPOTENT_REQUEST_PROCESSING",
        "ALREADY_PROCESSED_PAYMENT",
    )


def _is_this_confirmation(payment: Payment, *, payment_key: str, amount: int) -> bool:
    # Confirmed at some point: a refund made since then does not undo the confirmation.
    confirmed = payment.status in (DONE, PARTIAL_CANCELED, CANCELED)
    return confirmed and payment.payment_key == payment_key and payment.total_amount == amount


def _checked_amount(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"an amount is a positive whole number of won, not {amount!r}")
    return amount


def _segment(value: str) -> str:
    """A path segment: keys and order references are quoted, so none can reach another path."""
    if not value:
        raise ValueError("a payment key or order reference cannot be empty")
    return quote(value, safe="")
