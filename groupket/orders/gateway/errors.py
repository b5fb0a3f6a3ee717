"""What can go wrong talking to the payment gateway, as exceptions a caller can tell apart.

Each carries the gateway's own error code (Toss Payments' `{"code": ..., "message": ...}`, e.g.
`REJECT_CARD_PAYMENT`) or, where the gateway gave none, one of ours (`TIMEOUT`, `UNREACHABLE`,
`BAD_RESPONSE`, `AMOUNT_MISMATCH`, ...), the operation and the HTTP status. Never the gateway's message
text, and never anything about the buyer: these end up in logs (Habit 9).
"""


class PaymentGatewayError(Exception):
    """The gateway did not do what was asked. `code` says why."""

    def __init__(self, code: str, *, operation: str, status: int | None = None) -> None:
        self.code = code
        self.operation = operation
        self.status = status
        where = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"payment gateway {operation}: {code}{where}")


class PaymentDeclined(PaymentGatewayError):
    """The card or its issuer refused the payment: the buyer may pay with another card."""


class PaymentInvalid(PaymentGatewayError):
    """The gateway refused the request itself (wrong amount, unknown or already processed payment, a cancel
    above the balance, a bad key): sending it again will not help."""


class GatewayUnavailable(PaymentGatewayError):
    """The gateway is down, answered with a server error, or answered something unreadable.

    Nothing is known to have changed; the same request, with the same Idempotency-Key, may be tried later.
    """


class GatewayTimeout(GatewayUnavailable):
    """No answer in time: the gateway may or may not have done it. Reconcile by lookup before anything else."""
