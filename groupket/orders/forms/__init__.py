"""The forms of group orders: every limit a clear, translated error (never a 500), and no amount ever read from
the browser. Each checkout form carries its own idempotency key (`submission`)."""

import re
import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groupket.accounts.forms.profile import phone_number
from groupket.accounts.services.profile import DeliveryDetails
from groupket.orders.forms.photos import ItemPhotosMixin, item_photos_field
from groupket.orders.models import PICKUP, SHIPPING, GroupOrder, Payment
from groupket.orders.partners import shipping_partners
from groupket.orders.services.cards import card_payments_offered
from groupket.orders.services.group_orders import BankAccount, OrderTerms
from groupket.orders.services.lines import Checkout

MAX_UNIT_PRICE = 10_000_000
MAX_QUANTITY = 10_000
POSTAL_CODE = re.compile(r"^\d{5}$")
SUBMISSION = re.compile(r"^[0-9a-f]{32}$")
ACCOUNT_NUMBER = re.compile(r"^[0-9][0-9-]{5,28}[0-9]$")
PICKUP_CODE = re.compile(r"^\d{6}$")
WHOLE_WON = {"invalid": _("Enter a whole number of won, without commas or decimals.")}
WHOLE_NUMBER = {"invalid": _("Enter a whole number.")}


def new_submission_key() -> str:
    return secrets.token_hex(16)


class TextField(forms.CharField):
    def to_python(self, value: object) -> str:
        return super().to_python(value).replace("\r\n", "\n")


def _quantity(label: object, **kwargs: object) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_QUANTITY, error_messages=WHOLE_NUMBER, **kwargs)


def _moment(label: object, **kwargs: object) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, widget=widget, **kwargs)


def partner_choices() -> list[tuple[str, str]]:
    return [("", _("No delivery: pickup only"))] + [(p.slug, p.name) for p in shipping_partners().values()]


class GroupOrderForm(ItemPhotosMixin, forms.Form):
    item = forms.CharField(label=_("Item"), max_length=120)
    description = TextField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = item_photos_field(_("Photos of the item"))
    unit_price = forms.IntegerField(
        label=_("Unit price (KRW)"), min_value=1, max_value=MAX_UNIT_PRICE, error_messages=WHOLE_WON
    )
    min_total = _quantity(_("Minimum total quantity"), help_text=_("Below this by the deadline, nobody buys."))
    max_total = _quantity(_("Maximum total quantity"))
    min_per_member = _quantity(_("Minimum per member"), initial=1)
    max_per_member = _quantity(_("Maximum per member"))
    order_deadline = _moment(_("Order deadline"))
    payment_deadline = _moment(
        _("Payment deadline for bank transfers"), help_text=_("Orders still unpaid then are cancelled.")
    )
    expected_delivery = forms.DateField(label=_("Expected delivery"), widget=forms.DateInput(attrs={"type": "date"}))
    shipping_partner = forms.ChoiceField(
        label=_("Delivery by a shipping partner"), choices=partner_choices, required=False
    )
    offers_pickup = forms.BooleanField(label=_("Buyers may pick up from me"), required=False)
    pickup_place = forms.CharField(label=_("Pickup place"), max_length=200, required=False)
    pickup_time = _moment(_("Pickup time"), required=False)
    bank = forms.CharField(label=_("Bank"), max_length=40)
    account_number = forms.CharField(label=_("Account number"), max_length=30)
    account_holder = forms.CharField(label=_("Account holder"), max_length=100)

    def clean_account_number(self) -> str:
        number = self.cleaned_data["account_number"].strip()
        if not ACCOUNT_NUMBER.match(number):
            raise forms.ValidationError(_("Enter the account number in digits and hyphens."), code="account_invalid")
        return number

    def clean(self) -> dict:
        data = super().clean()
        self._check_quantities(data)
        self._check_dates(data)
        if not data.get("shipping_partner") and not data.get("offers_pickup"):
            self.add_error("offers_pickup", _("Offer delivery by a shipping partner, pickup, or both."))
        if data.get("offers_pickup") and not (data.get("pickup_place") and data.get("pickup_time")):
            self.add_error("pickup_place", _("Pickup needs a place and a time."))
        return data

    def _check_quantities(self, data: dict) -> None:
        low, high = data.get("min_per_member"), data.get("max_per_member")
        if low and high and low > high:
            self.add_error("max_per_member", _("The maximum per member cannot be below the minimum per member."))
        if data.get("min_total") and data.get("max_total") and data["min_total"] > data["max_total"]:
            self.add_error("max_total", _("The maximum total cannot be below the minimum total."))
        if high and data.get("max_total") and high > data["max_total"]:
            self.add_error("max_per_member", _("The maximum per member cannot be above the maximum total."))

    def _check_dates(self, data: dict) -> None:
        deadline, payment = data.get("order_deadline"), data.get("payment_deadline")
        if deadline and deadline <= timezone.now():
            self.add_error("order_deadline", _("The order deadline must be in the future."))
        if deadline and payment and payment < deadline:
            self.add_error("payment_deadline", _("The payment deadline cannot be before the order deadline."))
        delivery = data.get("expected_delivery")
        if deadline and delivery and delivery < timezone.localdate(deadline):
            self.add_error("expected_delivery", _("Expected delivery cannot be before the order deadline."))

    def terms(self) -> OrderTerms:
        data = self.cleaned_data
        pickup = data["offers_pickup"]
        return OrderTerms(
            item=data["item"],
            description=data["description"],
            unit_price=data["unit_price"],
            min_total=data["min_total"],
            max_total=data["max_total"],
            min_per_member=data["min_per_member"],
            max_per_member=data["max_per_member"],
            order_deadline=data["order_deadline"],
            payment_deadline=data["payment_deadline"],
            expected_delivery=data["expected_delivery"],
            shipping_partner=data["shipping_partner"],
            offers_pickup=pickup,
            pickup_place=data["pickup_place"] if pickup else "",
            pickup_time=data["pickup_time"] if pickup else None,
        )

    def account(self) -> BankAccount:
        data = self.cleaned_data
        return BankAccount(
            bank=data["bank"], account_number=data["account_number"], account_holder=data["account_holder"]
        )


class SubmissionForm(forms.Form):
    """A form acted on once: its key, made when the page was drawn, is recorded with the change it made."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def clean_submission(self) -> str:
        key = self.cleaned_data["submission"]
        if not SUBMISSION.match(key):
            raise forms.ValidationError(_("This form is out of date. Reload the page and try again."), code="stale")
        return key


class QuantityForm(SubmissionForm):
    quantity = _quantity(_("Quantity"))


class CheckoutForm(QuantityForm):
    method = forms.ChoiceField(label=_("How you receive it"), widget=forms.RadioSelect)
    recipient = forms.CharField(label=_("Recipient's name"), max_length=100, required=False)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=5, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    road_address = forms.CharField(
        label=_("Road-name address"),
        max_length=200,
        required=False,
        help_text=_("For example 서울특별시 중구 세종대로 110"),
    )
    address_detail = forms.CharField(label=_("Address details"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Recipient's phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    save_for_next_time = forms.BooleanField(label=_("Save these delivery details for next time"), required=False)
    partner_consent = forms.BooleanField(required=False)
    # Bank transfer unless card is chosen (a form from before card payments sends none).
    payment_method = forms.ChoiceField(label=_("How you pay"), widget=forms.RadioSelect, required=False)

    DELIVERY_FIELDS = ("recipient", "postal_code", "road_address", "address_detail", "phone")

    def __init__(self, *args: object, order: GroupOrder, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        methods = []
        if order.offers_shipping:
            methods.append((SHIPPING, _("Delivery by the shipping partner")))
        if order.offers_pickup:
            methods.append((PICKUP, _("Pickup from the organiser")))
        self.fields["method"].choices = methods
        payments = [(Payment.TRANSFER, _("Bank transfer into the organiser's account"))]
        if card_payments_offered():
            payments.append((Payment.CARD, _("Card, in the payment processor's own window")))
        self.fields["payment_method"].choices = payments
        self.fields["payment_method"].initial = Payment.TRANSFER
        self.fields["quantity"].min_value = order.min_per_member
        self.fields["quantity"].max_value = order.max_per_member
        self.fields["quantity"].validators = []
        self.fields["quantity"].widget.attrs.update(min=order.min_per_member, max=order.max_per_member)

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if not self.order.min_per_member <= quantity <= self.order.max_per_member:
            limits = {"min": self.order.min_per_member, "max": self.order.max_per_member}
            raise forms.ValidationError(_("Order between %(min)d and %(max)d.") % limits, code="quantity_limits")
        return quantity

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].strip()
        if code and not POSTAL_CODE.match(code):
            raise forms.ValidationError(_("A postal code is 5 digits, for example 04524."), code="postal_code")
        return code

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data["phone"])

    def clean_payment_method(self) -> str:
        return self.cleaned_data["payment_method"] or Payment.TRANSFER

    def clean(self) -> dict:
        data = super().clean()
        if data.get("method") != SHIPPING:
            return data
        if not data.get("partner_consent"):
            self.add_error(
                "partner_consent",
                _(
                    "Delivery needs your consent to give the shipping partner your delivery details. Without it, "
                    "choose pickup if the organiser offers it."
                ),
            )
        for name in self.DELIVERY_FIELDS:
            if name not in self.errors and not (data.get(name) or "").strip():
                self.add_error(name, _("Delivery needs this."))
        return data

    def checkout(self) -> Checkout:
        data = self.cleaned_data
        shipping = data["method"] == SHIPPING
        delivery = DeliveryDetails(*(data[name].strip() for name in self.DELIVERY_FIELDS)) if shipping else None
        return Checkout(
            submission=data["submission"],
            quantity=data["quantity"],
            method=data["method"],
            payment_method=data["payment_method"],
            delivery=delivery,
            save_for_next_time=shipping and data["save_for_next_time"],
            partner_consent=shipping and data["partner_consent"],
        )


class ChoiceOfRowForm(forms.Form):
    """Which line or refund the organiser acts on, by its number on the page."""

    row = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)


class PickupCodeForm(forms.Form):
    code = forms.CharField(label=_("Pickup code the buyer shows"), max_length=6)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not PICKUP_CODE.match(code):
            raise forms.ValidationError(_("A pickup code is 6 digits."), code="pickup_code")
        return code


class OrderStateForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (GroupOrder.SHIPPED, "shipped"),
            (GroupOrder.COMPLETED, "completed"),
            (GroupOrder.CANCELLED, "cancelled"),
        ]
    )
    confirm = forms.BooleanField(required=False)
