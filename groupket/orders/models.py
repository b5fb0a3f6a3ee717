"""Group orders: an organiser's offer in a space, members' orders in it, their payments, refunds and deliveries.

A group order's own texts (item, description, pickup place) and its item photos are the space's, like
its name, and not a person's. What is about a buyer points at the buyer: the order lines, payments, refunds and
cancellations (records a law keeps 5 years, copied apart on Unregister, P8.2) and the delivery
details, sealed under the buyer's own data key (P8.5). Amounts are whole Korean won.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groupket.core.fields import EncryptedBytesField, EncryptedTextField
from groupket.core.models import DataKey
from groupket.spaces.models import Space

SHIPPING, PICKUP = "shipping", "pickup"
DELIVERY_METHOD_CHOICES = [(SHIPPING, _("Delivery by a shipping partner")), (PICKUP, _("Pickup from the organiser"))]


class GroupOrder(models.Model):
    OPEN, CLOSED, CONFIRMED, FAILED = "open", "closed", "confirmed", "failed"
    SHIPPED, COMPLETED, CANCELLED = "shipped", "completed", "cancelled"
    STATUS_CHOICES = [
        (OPEN, _("Open for orders")),
        (CLOSED, _("Closed")),
        (CONFIRMED, _("Confirmed")),
        (FAILED, _("Failed: the minimum was not reached")),
        (SHIPPED, _("Shipped")),
        (COMPLETED, _("Completed")),
        (CANCELLED, _("Cancelled by the organiser")),
    ]
    # Orders that members may still join, change or leave (until the deadline).
    TAKING_ORDERS = (OPEN, CLOSED)
    # All or nothing: once it failed or was cancelled, every payment is refunded.
    UNDONE = (FAILED, CANCELLED)

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="group_orders")
    # The member who opened it; an organiser's Unregister leaves the order to its buyers' records.
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="organised_orders"
    )
    item = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    unit_price = models.PositiveIntegerField(help_text="whole Korean won")
    min_total = models.PositiveIntegerField()
    max_total = models.PositiveIntegerField()
    min_per_member = models.PositiveIntegerField(default=1)
    max_per_member = models.PositiveIntegerField()
    order_deadline = models.DateTimeField()
    payment_deadline = models.DateTimeField()
    expected_delivery = models.DateField()
    shipping_partner = models.CharField(max_length=40, blank=True, help_text="slug; empty: no delivery offered")
    offers_pickup = models.BooleanField(default=False)
    pickup_place = models.CharField(max_length=200, blank=True)
    pickup_time = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=OPEN)
    # The sum of the active lines' quantities, kept in step under the order row's lock (no oversell).
    reserved_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["space", "-created_at"], name="orders_space"),
            models.Index(fields=["status", "order_deadline"], name="orders_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reserved_total__lte=models.F("max_total")), name="orders_no_oversell"
            )
        ]

    def __str__(self) -> str:
        return f"group order {self.pk}"

    @property
    def offers_shipping(self) -> bool:
        return bool(self.shipping_partner)

    @property
    def taking_orders(self) -> bool:
        return self.status in self.TAKING_ORDERS and timezone.now() < self.order_deadline

    @property
    def remaining(self) -> int:
        return self.max_total - self.reserved_total


class GroupOrderPhoto(models.Model):
    """A photo of the item (at most 4), added by the organiser: checked as an upload is and re-encoded without
    metadata (accounts.photos, P7.2), with a small copy for lists. The space's, like the item's name and
    description, not a person's: why, in inventory.NOT_PERSONAL."""

    order = models.ForeignKey(GroupOrder, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField()
    photo = models.BinaryField()
    thumbnail = models.BinaryField()
    content_type = models.CharField(max_length=20)
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="orders_photo_position")]

    def __str__(self) -> str:
        return f"photo {self.position} of group order {self.order_id}"


class TransferAccount(models.Model):
    """The organiser's bank account that buyers pay into, sealed under the organiser's own key."""

    order = models.OneToOneField(GroupOrder, on_delete=models.CASCADE, related_name="transfer_account")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    bank = models.CharField(max_length=40)
    account_number = EncryptedTextField()
    account_holder = EncryptedTextField()

    def __str__(self) -> str:
        return f"transfer account of group order {self.order_id}"


class OrderLine(models.Model):
    """One member's order in a group order. The buyer comes first: it is whom the kept record is about."""

    ACTIVE, CANCELLED = "active", "cancelled"
    STATUS_CHOICES = [(ACTIVE, _("Ordered")), (CANCELLED, _("Cancelled"))]

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_lines")
    order = models.ForeignKey(GroupOrder, on_delete=models.CASCADE, related_name="lines")
    number = models.CharField(max_length=20, unique=True)
    # As agreed at checkout: the record of the contract, whatever the order says later.
    item = models.CharField(max_length=120)
    unit_price = models.PositiveIntegerField()
    quantity = models.PositiveIntegerField()
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=ACTIVE)
    delivery_method = models.CharField(max_length=10, choices=DELIVERY_METHOD_CHOICES)
    pickup_code = models.CharField(max_length=6, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "buyer"], condition=models.Q(status="active"), name="orders_one_active_line"
            ),
            # Checkout picks the code before it locks the order (services/lines.py): two buyers drawing the same
            # one at once clash here, and the second draws again.
            models.UniqueConstraint(
                fields=["order", "pickup_code"], condition=~models.Q(pickup_code=""), name="orders_one_pickup_code"
            ),
        ]
        indexes = [models.Index(fields=["buyer", "-created_at"], name="orders_line_buyer")]

    def __str__(self) -> str:
        return f"order line {self.number}"

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE


class Payment(models.Model):
    """What a buyer pays for a line. Bank transfers are marked received by the organiser; a card payment is
    confirmed through the gateway (services/cards.py), which fills the gateway fields: a random order reference per
    trip to the payment window, the Idempotency-Key of its one confirm, the gateway's payment key and status."""

    TRANSFER, CARD = "transfer", "card"
    METHOD_CHOICES = [(TRANSFER, _("Bank transfer")), (CARD, _("Card"))]
    PENDING, RECEIVED, VOID = "pending", "received", "void"
    STATUS_CHOICES = [(PENDING, _("Awaiting payment")), (RECEIVED, _("Paid")), (VOID, _("Not needed"))]

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_payments")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="payments")
    number = models.CharField(max_length=20, help_text="the line's order number, kept with the record")
    method = models.CharField(max_length=10, choices=METHOD_CHOICES)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    gateway_payment_key = models.CharField(max_length=200, null=True, blank=True)
    gateway_order_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    gateway_status = models.CharField(max_length=30, null=True, blank=True)
    gateway_confirm_key = models.CharField(
        max_length=64, null=True, blank=True, help_text="the confirm's Idempotency-Key"
    )
    gateway_cancel_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"payment {self.pk} for {self.number}"


class Refund(models.Model):
    """A payment given back: due when an order fails or is cancelled (or a paid line is cancelled), sent by the
    organiser, and confirmed received by the buyer."""

    DUE, SENT, CONFIRMED = "due", "sent", "confirmed"
    STATUS_CHOICES = [(DUE, _("Refund due")), (SENT, _("Refund sent")), (CONFIRMED, _("Refund received"))]

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_refunds")
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    number = models.CharField(max_length=20)
    amount = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=DUE)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    gateway_cancel_key = models.CharField(max_length=200, null=True, blank=True)
    gateway_idempotency_key = models.CharField(
        max_length=64, null=True, blank=True, help_text="the gateway cancel's Idempotency-Key, kept for its retries"
    )

    def __str__(self) -> str:
        return f"refund {self.pk} for {self.number}"


class Cancellation(models.Model):
    """The record of a line's cancellation: by the buyer, unpaid at the payment deadline, or its order undone."""

    BY_BUYER, UNPAID, ORDER_FAILED, ORDER_CANCELLED = "buyer", "unpaid", "order_failed", "order_cancelled"

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_cancellations")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="cancellations")
    number = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()
    amount = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"cancellation {self.pk} of {self.number}"


class Delivery(models.Model):
    """Where one line is delivered: asked at checkout for delivery only, sealed under the buyer's key (P1.1, P8.5).

    Handed to the partner only under the order's own consent (consent_document, P5.4); destroyed once the order
    is completed and its dispute period has passed.
    """

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="delivery")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    partner = models.CharField(max_length=40)
    consent_document = models.CharField(max_length=60)
    recipient = EncryptedTextField()
    postal_code = EncryptedTextField()
    road_address = EncryptedTextField()
    address_detail = EncryptedTextField()
    phone = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"delivery of line {self.line_id}"


class OrderEvent(models.Model):
    """One change in a group order's history: who did what, by ids and codes only, never a person's items."""

    order = models.ForeignKey(GroupOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True, help_text="a scheduled job, when no member acted")
    line = models.ForeignKey(OrderLine, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # How far the event's mails have gone, so that a retried task goes on where the last one stopped.
    mailed_through_line = models.PositiveBigIntegerField(
        default=0, help_text="the last line, by id, whose buyer was mailed this event"
    )
    organiser_mailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["order", "-created_at"], name="orders_event_order")]

    def __str__(self) -> str:
        return f"order event {self.pk}"


class SubmittedForm(models.Model):
    """The idempotency key of a checkout form already acted on: the same form sent twice changes nothing."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"submitted form {self.pk}"


class Shipment(models.Model):
    """One line's hand-off to its shipping partner and the confirmation of its delivery (P5.4, P8.2).

    The record of the supply of goods: kept as long as its order record, also after the buyer unregisters
    (copied into a retained record); it holds no delivery detail, only the partner's numbers and the dates.
    """

    API, CSV = "api", "csv"
    METHOD_CHOICES = [(API, _("Sent to the partner")), (CSV, _("Downloaded for the partner's portal"))]
    QUEUED, HANDED_OFF, DELIVERED, RECEIVED = "queued", "handed_off", "delivered", "received"
    STATUS_CHOICES = [
        (QUEUED, _("Being handed to the shipping partner")),
        (HANDED_OFF, _("With the shipping partner")),
        (DELIVERED, _("Delivered")),
        (RECEIVED, _("Receipt confirmed")),
    ]
    BY_PARTNER, BY_ORGANISER = "partner", "organiser"

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_shipments")
    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="shipment")
    number = models.CharField(max_length=20, help_text="the line's order number, kept with the record")
    partner = models.CharField(max_length=40)
    method = models.CharField(max_length=4, choices=METHOD_CHOICES)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=QUEUED)
    partner_shipment_id = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    confirmed_by = models.CharField(max_length=10, blank=True, help_text="who said it was delivered")
    created_at = models.DateTimeField(default=timezone.now)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "delivered_at"], name="orders_shipment_due")]

    def __str__(self) -> str:
        return f"shipment of {self.number}"


class PartnerWebhook(models.Model):
    """A partner's delivery webhook already acted on, by its event id: a replay changes nothing."""

    partner = models.CharField(max_length=40)
    event_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "event_id"], name="orders_webhook_once")]

    def __str__(self) -> str:
        return f"partner webhook {self.pk}"


class Dispute(models.Model):
    """A buyer's complaint about an order line, sealed under the buyer's key; kept 3 years (P8.2)."""

    OPEN, ANSWERED = "open", "answered"
    STATUS_CHOICES = [(OPEN, _("Awaiting an answer")), (ANSWERED, _("Answered"))]

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_disputes")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="disputes")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20, help_text="the line's order number, kept with the record")
    text = EncryptedTextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"dispute {self.pk} on {self.number}"


class DisputeImage(models.Model):
    """A photo sent with a dispute (at most 3), checked as an upload and sealed under the buyer's key."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="images")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    content = EncryptedBytesField()
    content_type = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"image {self.pk} of dispute {self.dispute_id}"


class DisputeAnswer(models.Model):
    """The organiser's or a billing handler's answer to a dispute: part of the buyer's dispute record."""

    ORGANISER, BILLING = "organiser", "billing"
    ROLE_CHOICES = [(ORGANISER, _("Organiser")), (BILLING, _("Billing handler"))]

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    text = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"answer {self.pk} to dispute {self.dispute_id}"
