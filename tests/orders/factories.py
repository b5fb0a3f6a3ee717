"""Group orders for tests, made through the services the product uses."""

from datetime import timedelta
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from groupket.accounts.models import Member
from groupket.accounts.services.profile import DeliveryDetails
from groupket.orders.forms import new_submission_key
from groupket.orders.item_photos import ItemPhoto, check_item_photos
from groupket.orders.models import GroupOrder, OrderLine
from groupket.orders.services.group_orders import BankAccount, OrderTerms, open_order
from groupket.orders.services.lines import Checkout, place_order

PARTNER = "hangang-express"
ACCOUNT = BankAccount(bank="Shinhan", account_number="110-123-456789", account_holder="김민수")
ADDRESS = DeliveryDetails(
    recipient="박서연", postal_code="04524", road_address="서울특별시 중구 세종대로 110", address_detail="3층 301호",
    phone="+821012345678",
)  # fmt: skip


def terms(**changes: Any) -> OrderTerms:
    now = timezone.now()
    fields = {
        "item": "Jeju tangerines, 5 kg box",
        "description": "From a farm in Seogwipo.",
        "unit_price": 25_000,
        "min_total": 5,
        "max_total": 20,
        "min_per_member": 1,
        "max_per_member": 5,
        "order_deadline": now + timedelta(days=3),
        "payment_deadline": now + timedelta(days=5),
        "expected_delivery": (now + timedelta(days=10)).date(),
        "shipping_partner": PARTNER,
        "offers_pickup": True,
        "pickup_place": "Community centre, 2nd floor",
        "pickup_time": now + timedelta(days=9),
        **changes,
    }
    return OrderTerms(**fields)


def item_photos(count: int = 1, size: tuple[int, int] = (800, 600)) -> list[ItemPhoto]:
    """Photos of the item, checked as the organiser's form checks them (each its own colour)."""
    uploads = []
    for index in range(count):
        out = BytesIO()
        Image.new("RGB", size, (230, 120 + 30 * index, 30)).save(out, "JPEG")
        uploads.append(SimpleUploadedFile(f"item{index}.jpg", out.getvalue(), content_type="image/jpeg"))
    return check_item_photos(uploads)


def open_group_order(organiser: Member, space, *, photos: list[ItemPhoto] = (), **changes: Any) -> GroupOrder:
    return open_order(actor=organiser, space=space, terms=terms(**changes), account=ACCOUNT, photos=photos)


def order_pickup(buyer: Member, order: GroupOrder, quantity: int = 1) -> OrderLine:
    checkout = Checkout(submission=new_submission_key(), quantity=quantity, method="pickup")
    return place_order(actor=buyer, order=order, checkout=checkout).line


def order_delivery(buyer: Member, order: GroupOrder, quantity: int = 1, **changes: Any) -> OrderLine:
    fields = {"delivery": ADDRESS, "partner_consent": True, **changes}
    checkout = Checkout(submission=new_submission_key(), quantity=quantity, method="shipping", **fields)
    return place_order(actor=buyer, order=order, checkout=checkout).line


def move_deadlines_to_the_past(order: GroupOrder, *, payment: bool = False) -> None:
    """As if the order deadline (and, with payment=True, the payment deadline) had passed."""
    past = timezone.now() - timedelta(minutes=1)
    changes = {"order_deadline": past, **({"payment_deadline": past} if payment else {})}
    GroupOrder.objects.filter(pk=order.pk).update(**changes)
