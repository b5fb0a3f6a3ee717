"""Payment webhooks: never trusted, only a hint to look the payment up.

Toss Payments does not sign PAYMENT_STATUS_CHANGED webhooks, so anyone can post one. Its body
(`{"eventType": ..., "createdAt": ..., "data": {payment}}`) is read for one thing only, the payment key;
the payment is then fetched back from the gateway with our secret key, and that answer is what the caller
acts on. A forged, replayed or late body therefore leads to the same fetched state as a genuine fresh one.
See the package docstring for what the caller does with it.
"""

import json

from groupket.orders.gateway.checkout import PAYMENT_KEY
from groupket.orders.gateway.client import NOT_FOUND_CODE, PaymentGateway
from groupket.orders.gateway.errors import PaymentInvalid
from groupket.orders.gateway.payment import Payment

PAYMENT_EVENT = "PAYMENT_STATUS_CHANGED"
BODY_MAX_BYTES = 64 * 1024


class WebhookIgnored(Exception):
    """Nothing to act on: not a payment event, unreadable, or naming a payment the gateway does not have.

    Answer 200 all the same (a retry would not change it). `reason` is a code, never the body.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"payment webhook ignored: {reason}")


def webhook_payment_key(body: bytes) -> str:
    """The payment key a webhook body names, and nothing else from it. Raises WebhookIgnored."""
    if len(body) > BODY_MAX_BYTES:
        raise WebhookIgnored("TOO_LARGE")
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookIgnored("NOT_JSON") from None
    if not isinstance(event, dict) or event.get("eventType") != PAYMENT_EVENT:
        raise WebhookIgnored("NOT_A_PAYMENT_EVENT")
    data = event.get("data")
    payment_key = data.get("paymentKey") if isinstance(data, dict) else None
    if not isinstance(payment_key, str) or not PAYMENT_KEY.fullmatch(payment_key):
        raise WebhookIgnored("NO_PAYMENT_KEY")
    return payment_key


def fetch_webhook_payment(body: bytes, *, gateway: PaymentGateway) -> Payment:
    """The authoritative payment a webhook body points at, fetched from the gateway now.

    Raises WebhookIgnored (answer 200, do nothing) or GatewayUnavailable (answer 503 so the gateway sends
    the webhook again later). Other PaymentInvalid codes (a refused secret key) propagate: a setup error.
    """
    payment_key = webhook_payment_key(body)
    try:
        return gateway.get_payment(payment_key=payment_key)
    except PaymentInvalid as error:
        if error.code == NOT_FOUND_CODE:
            raise WebhookIgnored("UNKNOWN_PAYMENT") from None
        raise
