"""The sandbox gateway's books: payments, payment-window sessions, counters and the faults it was told of.

State kept in memory behind one lock, with Toss Payments' rules for what may happen to a payment (v1 API,
version 2022-11-16); given a state file, the payments are written there on every change and read back at start,
so that a restarted sandbox still knows the payments a site holds keys of, as the real gateway does (`make run`
keeps it in var/). `sandbox.py` puts HTTP in front of it. Standard library only: the sandbox
is another party and shares no code with the adapter beyond what any client of Toss would know.
"""

import json
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

SEOUL = timezone(timedelta(hours=9))
ORDER_ID = re.compile(r"[A-Za-z0-9_-]{6,64}")
ORDER_NAME_MAX_CHARS = 100
MINIMUM_CARD_AMOUNT = 100
CANCEL_REASON_MAX_CHARS = 200

# Test cards (any other number that passes the Luhn check is approved).
APPROVED_CARD = "4242424242424242"
DECLINED_AT_WINDOW_CARD = "4000000000000002"  # the issuer refuses in the window: back to failUrl
DECLINED_AT_CONFIRM_CARD = "4000000000009995"  # authorised in the window, refused at confirm (no funds)

OPERATIONS = ("confirm", "cancel", "lookup", "any")
FAULTS = ("fail", "timeout", "decline")


class ApiError(Exception):
    """An answer in Toss Payments' error format: HTTP status and {"code", "message"}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.body = {"code": code, "message": message}


class WindowError(Exception):
    """The payment window cannot open or go on; the message is shown on the card page."""


@dataclass
class Fault:
    kind: str
    operation: str
    remaining: int
    delay: float


def now_text() -> str:
    return datetime.now(SEOUL).isoformat(timespec="seconds")


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 13 <= len(number) <= 19:
        return False
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(number)):
        doubled = digit * 2 if position % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def with_query(url: str, params: dict[str, Any]) -> str:
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"


class Ledger:
    def __init__(self, *, emit: Callable[[dict], None], state_file: Path | None = None) -> None:
        self.lock = threading.RLock()
        self._emit = emit
        self.state_file = state_file
        self._clear()
        if state_file is not None and state_file.exists():
            state = json.loads(state_file.read_text())
            self.payments, self.by_order = state["payments"], state["by_order"]

    def reset(self) -> None:
        with self.lock:
            self._clear()
            self._save()

    def _clear(self) -> None:
        with self.lock:
            self.payments: dict[str, dict] = {}
            self.by_order: dict[str, str] = {}
            self.sessions: dict[str, dict] = {}
            self.declining_payments: set[str] = set()
            self.faults: list[Fault] = []
            self.stats = {"confirmRequests": 0, "approvals": 0, "cancelRequests": 0, "cancels": 0}

    # --- faults ------------------------------------------------------------------------------------
    def add_fault(self, *, kind: str, operation: str, times: int, delay: float) -> None:
        if kind not in FAULTS or operation not in OPERATIONS or times < 1 or delay < 0:
            raise ApiError(400, "INVALID_REQUEST", f"fault must be one of {FAULTS}, operation one of {OPERATIONS}")
        with self.lock:
            self.faults.append(Fault(kind=kind, operation=operation, remaining=times, delay=delay))

    def take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.operation in (operation, "any"):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # --- the payment window -----------------------------------------------------------------------
    def open_window(self, params: dict[str, str]) -> str:
        """A window session for these parameters; its id is all the card form carries."""
        order_id = params.get("orderId", "")
        problems = []
        if not ORDER_ID.fullmatch(order_id):
            problems.append("orderId: 6 to 64 letters, digits, '-' or '_'")
        amount = params.get("amount", "")
        if not amount.isdigit() or int(amount) < MINIMUM_CARD_AMOUNT:
            problems.append(f"amount: a whole number of won, at least {MINIMUM_CARD_AMOUNT}")
        if not 0 < len(params.get("orderName", "").strip()) <= ORDER_NAME_MAX_CHARS:
            problems.append(f"orderName: 1 to {ORDER_NAME_MAX_CHARS} characters")
        for name in ("successUrl", "failUrl"):
            parts = urlsplit(params.get(name, ""))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"{name}: an absolute http(s) URL")
        if problems:
            raise WindowError("; ".join(problems))
        session = {name: params[name] for name in ("orderId", "orderName", "successUrl", "failUrl")}
        session["amount"] = int(amount)
        session_id = secrets.token_urlsafe(16)
        with self.lock:
            self.sessions[session_id] = session
        return session_id

    def session(self, session_id: str) -> dict:
        with self.lock:
            session = self.sessions.get(session_id)
        if session is None:
            raise WindowError("This payment window has expired. Go back to the shop and start again.")
        return session

    def abandon(self, session_id: str) -> str:
        session = self._close_session(session_id)
        return _fail_url(session, "PAY_PROCESS_CANCELED", "사용자에 의해 결제가 취소되었습니다.")

    def pay(self, session_id: str, card_number: str) -> str:
        """Authorise the card: the URL to send the buyer back to (success or fail)."""
        number = re.sub(r"[\s-]", "", card_number)
        self.session(session_id)
        if not luhn_ok(number):
            raise WindowError("카드 번호를 다시 확인해주세요. (Check the card number.)")
        session = self._close_session(session_id)
        if number == DECLINED_AT_WINDOW_CARD:
            return _fail_url(session, "REJECT_CARD_COMPANY", "카드사에서 결제를 거절했습니다.")
        with self.lock:
            known = self.payments.get(self.by_order.get(session["orderId"], ""))
            if known and known["status"] in ("DONE", "PARTIAL_CANCELED", "CANCELED"):
                message = "이미 승인 및 취소가 진행된 중복된 주문번호 입니다."
                return _fail_url(session, "DUPLICATED_ORDER_ID", message)
            if known and known["status"] == "IN_PROGRESS":
                known["status"] = "EXPIRED"  # a second window for the order replaces the unconfirmed first
            payment = _new_payment(session, number)
            self.payments[payment["paymentKey"]] = payment
            self.by_order[session["orderId"]] = payment["paymentKey"]
            if number == DECLINED_AT_CONFIRM_CARD:
                self.declining_payments.add(payment["paymentKey"])
            self._save()
        query = {"paymentKey": payment["paymentKey"], "orderId": session["orderId"], "amount": session["amount"]}
        return with_query(session["successUrl"], query)

    def _close_session(self, session_id: str) -> dict:
        with self.lock:
            session = self.sessions.pop(session_id, None)
        if session is None:
            raise WindowError("This payment window has expired. Go back to the shop and start again.")
        return session

    # --- the API ------------------------------------------------------------------------------------
    def count(self, name: str) -> None:
        with self.lock:
            self.stats[name] += 1

    def lookup(self, payment_key: str) -> dict:
        with self.lock:
            payment = self.payments.get(payment_key)
            if payment is None:
                raise ApiError(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
            return _copy(payment)

    def lookup_order(self, order_id: str) -> dict:
        with self.lock:
            return self.lookup(self.by_order.get(order_id, ""))

    def confirm(self, body: Any, *, decline: bool) -> dict:
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        payment_key, order_id, amount = body.get("paymentKey"), body.get("orderId"), body.get("amount")
        if not (isinstance(payment_key, str) and isinstance(order_id, str) and _is_amount(amount)):
            raise ApiError(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        with self.lock:
            payment = self.payments.get(payment_key)
            if payment is None or payment["orderId"] != order_id or payment["status"] in ("EXPIRED", "ABORTED"):
                message = "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."
                raise ApiError(404, "NOT_FOUND_PAYMENT_SESSION", message)
            if payment["status"] != "IN_PROGRESS":
                raise ApiError(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
            if amount != payment["totalAmount"]:
                # The amount must be the one the window was opened with (a tampered success URL ends here).
                raise ApiError(400, "INVALID_REQUEST", "결제 금액이 일치하지 않습니다.")
            if decline or payment_key in self.declining_payments:
                message = "한도초과 혹은 잔액부족으로 결제에 실패했습니다."
                payment.update(status="ABORTED", failure={"code": "REJECT_CARD_PAYMENT", "message": message})
                self._changed(payment)
                raise ApiError(403, "REJECT_CARD_PAYMENT", message)
            payment.update(status="DONE", approvedAt=now_text(), lastTransactionKey=_transaction_key())
            payment["card"]["approveNo"] = f"{secrets.randbelow(10**8):08d}"
            self.stats["approvals"] += 1
            self._changed(payment)
            return _copy(payment)

    def cancel(self, payment_key: str, body: Any) -> dict:
        reason = body.get("cancelReason") if isinstance(body, dict) else None
        amount = body.get("cancelAmount") if isinstance(body, dict) else None
        if not isinstance(reason, str) or not 0 < len(reason) <= CANCEL_REASON_MAX_CHARS:
            raise ApiError(400, "INVALID_REQUEST", "취소 사유를 입력해주세요.")
        if amount is not None and not _is_amount(amount):
            raise ApiError(400, "INVALID_REQUEST", "잘못된 요청입니다.")
        with self.lock:
            payment = self.payments.get(payment_key)
            if payment is None:
                raise ApiError(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
            if payment["status"] == "CANCELED":
                raise ApiError(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
            if payment["status"] not in ("DONE", "PARTIAL_CANCELED"):
                raise ApiError(403, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.")
            balance = payment["balanceAmount"]
            amount = balance if amount is None else amount
            if amount > balance:
                raise ApiError(403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
            transaction_key = _transaction_key()
            entry = _cancel_entry(transaction_key, reason=reason, amount=amount, refundable=balance - amount)
            payment["cancels"] = [*(payment["cancels"] or []), entry]
            payment.update(
                balanceAmount=balance - amount,
                status="CANCELED" if amount == balance else "PARTIAL_CANCELED",
                lastTransactionKey=transaction_key,
            )
            self.stats["cancels"] += 1
            self._changed(payment)
            return _copy(payment)

    def _save(self) -> None:
        """Write the payments to the state file, whole, readable by this user only, replacing it in one step."""
        if self.state_file is None:
            return
        written = self.state_file.with_name(f".{self.state_file.name}.{os.getpid()}")
        descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump({"payments": self.payments, "by_order": self.by_order}, file)
        os.replace(written, self.state_file)

    def _changed(self, payment: dict) -> None:
        self._save()
        created = datetime.now(SEOUL).replace(tzinfo=None).isoformat(timespec="microseconds")
        self._emit({"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": created, "data": _copy(payment)})


def _is_amount(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _fail_url(session: dict, code: str, message: str) -> str:
    return with_query(session["failUrl"], {"code": code, "message": message, "orderId": session["orderId"]})


def _transaction_key() -> str:
    return secrets.token_hex(16).upper()


def _copy(payment: dict) -> dict:
    copied = dict(payment)
    copied["card"] = dict(payment["card"])
    copied["cancels"] = [dict(entry) for entry in payment["cancels"]] if payment["cancels"] else None
    return copied


def _cancel_entry(transaction_key: str, *, reason: str, amount: int, refundable: int) -> dict:
    return {
        "transactionKey": transaction_key,
        "cancelReason": reason,
        "taxExemptionAmount": 0,
        "canceledAt": now_text(),
        "easyPayDiscountAmount": 0,
        "receiptKey": None,
        "cancelStatus": "DONE",
        "cancelRequestId": None,
        "cancelAmount": amount,
        "taxFreeAmount": 0,
        "refundableAmount": refundable,
    }


# Fields of Toss's Payment object that a card payment leaves empty.
_EMPTY_FIELDS = (
    "virtualAccount", "transfer", "mobilePhone", "giftCertificate", "cashReceipt", "cashReceipts", "discount",
    "cancels", "secret", "easyPay", "failure", "receipt", "checkout", "metadata", "approvedAt", "lastTransactionKey",
)  # fmt: skip


def _new_payment(session: dict, card_number: str) -> dict:
    amount = session["amount"]
    supplied = round(amount / 1.1)
    card = {
        "issuerCode": "61",
        "acquirerCode": "31",
        "number": f"{card_number[:6]}******{card_number[-4:-1]}*",
        "installmentPlanMonths": 0,
        "isInterestFree": False,
        "interestPayer": None,
        "approveNo": "00000000",
        "useCardPoint": False,
        "cardType": "신용",
        "ownerType": "개인",
        "acquireStatus": "READY",
        "amount": amount,
    }
    return {
        **dict.fromkeys(_EMPTY_FIELDS),
        "mId": "groupket_sandbox",
        "version": "2022-11-16",
        "paymentKey": "sbx_" + secrets.token_urlsafe(24),
        "type": "NORMAL",
        "orderId": session["orderId"],
        "orderName": session["orderName"],
        "currency": "KRW",
        "method": "카드",
        "totalAmount": amount,
        "balanceAmount": amount,
        "suppliedAmount": supplied,
        "vat": amount - supplied,
        "taxFreeAmount": 0,
        "taxExemptionAmount": 0,
        "status": "IN_PROGRESS",
        "requestedAt": now_text(),
        "useEscrow": False,
        "cultureExpense": False,
        "isPartialCancelable": True,
        "country": "KR",
        "card": card,
    }
