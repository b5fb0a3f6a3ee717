"""The gateway's payment object, as far as Groupket reads it, and the reasons a payment may be cancelled.

Toss Payments answers confirm, lookup and cancel with one Payment object (`paymentKey`, `orderId`,
`orderName`, `status`, `totalAmount`, `balanceAmount`, `cancels`, ...). Only the fields billing needs are
kept here; the rest (masked card number, receipt links) is dropped on reading.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from groupket.orders.gateway.errors import GatewayUnavailable

# Toss Payments' payment statuses (v1, version 2022-11-16).
READY = "READY"
IN_PROGRESS = "IN_PROGRESS"
WAITING_FOR_DEPOSIT = "WAITING_FOR_DEPOSIT"
DONE = "DONE"
PARTIAL_CANCELED = "PARTIAL_CANCELED"
CANCELED = "CANCELED"
ABORTED = "ABORTED"
EXPIRED = "EXPIRED"

# How far along a payment is. Real transitions only move up this order (a payment is never un-cancelled),
# so a state fetched earlier than the one already stored is recognisably older (see `Payment.progress`).
_STATUS_RANK = {
    READY: 0,
    IN_PROGRESS: 1,
    WAITING_FOR_DEPOSIT: 1,
    DONE: 2,
    PARTIAL_CANCELED: 3,
    CANCELED: 4,
    ABORTED: 4,
    EXPIRED: 4,
}


class CancelReason(StrEnum):
    """Why a payment is cancelled. The text goes to the gateway as `cancelReason`.

    A fixed list, never free text: whatever a member or organiser typed could carry personal data, and only
    the items billing needs may reach the payment processor (P5.3).
    """

    ORDER_FAILED = "Group order did not reach its minimum quantity"
    ORDER_CANCELLED = "Group order cancelled by its organiser"
    BUYER_CANCELLED = "Order cancelled by the buyer"
    QUANTITY_REDUCED = "Order quantity reduced by the buyer"
    UNPAID_DEADLINE = "Payment deadline passed"
    DISPUTE_REFUND = "Refund agreed in a dispute"


def progress(*, status: str, cancel_count: int) -> tuple[int, int]:
    """A comparable measure of how far a payment has gone: (cancels made, status rank).

    Store `status` and the number of cancels with your payment row; a fetched Payment whose `progress` is
    not greater than `progress(status=stored_status, cancel_count=stored_cancels)` changes nothing.
    """
    if status not in _STATUS_RANK:
        raise ValueError(f"unknown payment status {status!r}")
    return (cancel_count, _STATUS_RANK[status])


@dataclass(frozen=True)
class Cancel:
    transaction_key: str
    amount: int
    reason: str
    canceled_at: str


@dataclass(frozen=True)
class Payment:
    """A payment as the gateway holds it: the only version of it Groupket acts on."""

    payment_key: str
    order_id: str
    order_name: str
    status: str
    total_amount: int
    balance_amount: int
    approved_at: str | None
    last_transaction_key: str | None
    cancels: tuple[Cancel, ...]
    failure_code: str | None

    @property
    def refunded_amount(self) -> int:
        return self.total_amount - self.balance_amount

    @property
    def is_paid(self) -> bool:
        """Confirmed, with at least part of the amount not refunded."""
        return self.status in (DONE, PARTIAL_CANCELED)

    @property
    def progress(self) -> tuple[int, int]:
        return progress(status=self.status, cancel_count=len(self.cancels))

    @classmethod
    def from_gateway(cls, data: Any, *, operation: str) -> "Payment":
        """Read the gateway's JSON; anything not shaped like a Payment object is BAD_RESPONSE."""
        try:
            cancels = tuple(
                Cancel(
                    transaction_key=_text(item["transactionKey"]),
                    amount=_amount(item["cancelAmount"]),
                    reason=_text(item["cancelReason"]),
                    canceled_at=_text(item["canceledAt"]),
                )
                for item in data.get("cancels") or ()
            )
            failure = data.get("failure") or {}
            payment = cls(
                payment_key=_text(data["paymentKey"]),
                order_id=_text(data["orderId"]),
                order_name=_text(data.get("orderName") or ""),
                status=_text(data["status"]),
                total_amount=_amount(data["totalAmount"]),
                balance_amount=_amount(data["balanceAmount"]),
                approved_at=_optional_text(data.get("approvedAt")),
                last_transaction_key=_optional_text(data.get("lastTransactionKey")),
                cancels=cancels,
                failure_code=_optional_text(failure.get("code")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise GatewayUnavailable("BAD_RESPONSE", operation=operation) from None
        if payment.status not in _STATUS_RANK:
            raise GatewayUnavailable("BAD_RESPONSE", operation=operation)
        return payment


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _amount(value: Any) -> int:
    # KRW has no minor unit: amounts are whole won; bool is an int in Python and never an amount.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("not an amount")
    return value
