"""The buyer's trip through the gateway's payment window and back.

The buyer leaves our site by a top-level navigation to the gateway's own card page (no script, frame or
request of ours goes to it), carrying the order reference, amount, order name and where to come back to,
as Toss Payments' payment window takes them. The gateway sends the buyer back to

    successUrl?paymentKey=…&orderId=…&amount=…      (the card was authorised: now confirm it)
    failUrl?code=…&message=…&orderId=…              (cancelled by the buyer, or refused)

The query of the success URL comes from the browser, so it is only a claim: `read_success_return` checks
it against our stored order, and the confirm sends our stored amount, never the returned one.
"""

import re
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings

from groupket.orders.gateway.errors import PaymentInvalid

WINDOW_PATH = "/checkout"
# Toss Payments' orderId: 6 to 64 letters, digits, "-" or "_"; orderName at most 100 characters.
ORDER_ID = re.compile(r"[A-Za-z0-9_-]{6,64}")
ORDER_NAME_MAX_CHARS = 100
PAYMENT_KEY = re.compile(r"[A-Za-z0-9_-]{1,200}")


def check_order_reference(order_id: str) -> str:
    """An order reference the gateway takes. Make it random (e.g. secrets.token_urlsafe(18)): it travels in
    URLs and to the processor, so it must not be derived from the member (an id, a username, an email)."""
    if not isinstance(order_id, str) or not ORDER_ID.fullmatch(order_id):
        raise ValueError("an order reference has 6 to 64 letters, digits, '-' or '_'")
    return order_id


def payment_window_url(*, order_id: str, amount: int, order_name: str, success_url: str, fail_url: str) -> str:
    """Where to send the buyer (a redirect or a link, never a frame) to pay `amount` won for the order."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"an amount is a positive whole number of won, not {amount!r}")
    if not order_name.strip() or len(order_name) > ORDER_NAME_MAX_CHARS:
        raise ValueError(f"an order name has 1 to {ORDER_NAME_MAX_CHARS} characters")
    query = urlencode(
        {
            "orderId": check_order_reference(order_id),
            "amount": amount,
            "orderName": order_name,
            "successUrl": success_url,
            "failUrl": fail_url,
        }
    )
    return f"{settings.GROUPKET_PAYMENT_URL}{WINDOW_PATH}?{query}"


def read_success_return(query: Mapping[str, str], *, order_id: str, amount: int) -> str:
    """The payment key from the success URL's query, once its orderId and amount match our stored order.

    Raises PaymentInvalid with MISSING_PAYMENT_KEY, ORDER_MISMATCH or AMOUNT_MISMATCH (our codes: the
    gateway was not asked). On any of them, do not confirm.
    """
    payment_key = query.get("paymentKey", "")
    if not PAYMENT_KEY.fullmatch(payment_key):
        raise PaymentInvalid("MISSING_PAYMENT_KEY", operation="success return")
    if query.get("orderId") != order_id:
        raise PaymentInvalid("ORDER_MISMATCH", operation="success return")
    if query.get("amount") != str(amount):
        raise PaymentInvalid("AMOUNT_MISMATCH", operation="success return")
    return payment_key
