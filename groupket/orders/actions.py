"""The actions a group order's history records (OrderEvent.action), beside the models: the history service writes
them and the mails read them, so neither imports the other."""

ORDER_OPENED = "order_opened"
ORDER_CLOSED = "order_closed"
ORDER_REOPENED = "order_reopened"
ORDER_CONFIRMED = "order_confirmed"
ORDER_FAILED = "order_failed"
ORDER_SHIPPED = "order_shipped"
ORDER_COMPLETED = "order_completed"
ORDER_CANCELLED = "order_cancelled"
ORDER_PHOTOS_CHANGED = "order_photos_changed"
LINE_PLACED = "line_placed"
LINE_CHANGED = "line_changed"
LINE_CANCELLED = "line_cancelled"
LINE_CANCELLED_UNPAID = "line_cancelled_unpaid"
PAYMENT_RECEIVED = "payment_received"
REFUND_DUE = "refund_due"
REFUND_SENT = "refund_sent"
REFUND_CONFIRMED = "refund_confirmed"
PICKED_UP = "picked_up"
DELIVERY_DESTROYED = "delivery_destroyed"

# The changes the buyers they concern are told of; the rest they made themselves or see on the page.
NOTIFIED = frozenset(
    {
        ORDER_CONFIRMED,
        ORDER_FAILED,
        ORDER_SHIPPED,
        ORDER_COMPLETED,
        ORDER_CANCELLED,
        LINE_PLACED,
        LINE_CANCELLED_UNPAID,
        PAYMENT_RECEIVED,
        REFUND_DUE,
        REFUND_SENT,
    }
)

# Hand-off, delivery and disputes (issue 12, sections 4 and 5).
HANDED_OFF = "handed_off"
HANDOFF_REFUSED = "handoff_refused"
HANDOFF_DOWNLOADED = "handoff_downloaded"
DELIVERED = "delivered"
RECEIPT_CONFIRMED = "receipt_confirmed"
DISPUTE_OPENED = "dispute_opened"
DISPUTE_ANSWERED = "dispute_answered"
