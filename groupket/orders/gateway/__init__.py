"""Card payments through a payment gateway speaking Toss Payments' v1 API subset (P5.3).

Modules: `client` (the adapter: confirm, lookup, cancel), `checkout` (the trip through the gateway's
payment window), `webhooks` (webhooks acted on only after a lookup), `payment` (the payment object and
cancel reasons), `errors`; `sandbox` is our own gateway for tests and `make run`, in its own process.
Nothing here touches the database: the orders app owns payment rows, logs and disclosures.

How the orders app uses it
--------------------------
1. Checkout. Give the order a random reference (`checkout.check_order_reference`; never derived from the
   member) and an Idempotency-Key for its confirm (a uuid4, stored with the payment row). Redirect the
   buyer to `checkout.payment_window_url(order_id=, amount=, order_name=, success_url=, fail_url=)` with the
   stored amount. Record the disclosure (below) in the same transaction as the payment row.
2. Success return. `key = checkout.read_success_return(request.GET, order_id=, amount=<stored>)`; then
   `PaymentGateway.from_settings().confirm_or_reconcile(payment_key=key, order_id=, amount=<stored>,
   idempotency_key=<stored>)`. Call it outside the database transaction (a slow gateway must not hold a
   row lock), then record the answer in one transaction with the row locked. On GatewayTimeout or
   GatewayUnavailable the outcome is unknown or not reached: keep the payment pending and reconcile later
   with `find_payment_for_order(order_id=)` (a task given the payment row's id), or retry the confirm with
   the SAME idempotency key; never a new key for the same order, never a second confirm "to be sure".
   PaymentDeclined: tell the buyer the card was refused (they may pay again through a new window).
   PaymentInvalid: the return was tampered with or is stale; change nothing.
3. Refunds. `cancel(payment_key=, reason=CancelReason.X, idempotency_key=<a new uuid4 stored with the
   refund row before calling>, amount=None|part)`. A retry of the same refund reuses its key.
4. Webhooks. In the view (CSRF-exempt, POST only): `payment = webhooks.fetch_webhook_payment(request.body,
   gateway=PaymentGateway.from_settings())`. WebhookIgnored: answer 200, do nothing. GatewayUnavailable:
   answer 503 (the gateway sends it again later). Otherwise, in one transaction: find the payment row by
   `payment.order_id` AND `payment.payment_key` (none: answer 200, do nothing), lock it
   (`select_for_update`), and apply the fetched state only if
   `payment.progress > payment_module.progress(status=row.status, cancel_count=row.cancel_count)`:
   set the row's status, balance and cancels from `payment` as absolute values (never add to them), with
   its log row. A replay, a duplicate or an out-of-order event fetches the current state, which is then
   equal to the stored one or older than it, and changes nothing. Never read status or amounts from the
   body: `fetch_webhook_payment` does not even return them.

Disclosures the orders app must record (privacy.services.disclosures.record_disclosure, basis "billing")
-------------------------------------------------------------------------------------------------------
Recipient: the payment processor as the inventory names it. Items: the order reference, the amount and the
order name (the inventory keys the orders app declares for them). Reference: the order reference.
- one per payment attempt, written when the buyer is sent to the payment window (the browser carries
  orderId, amount and orderName to the processor); it covers that attempt's confirm, which sends a subset
  of the same items (order reference, amount) under the same reference to the same recipient;
- one per refund, written with the refund row before `cancel` is called (the payment key, the amount
  refunded and a fixed reason go to the processor).
Lookups send only the processor's own payment key or our order reference, which it already holds: no
record. Nothing else is ever sent: no name,
email, phone or address (tests/orders/gateway/test_only_billing_items.py inspects every request).
"""
