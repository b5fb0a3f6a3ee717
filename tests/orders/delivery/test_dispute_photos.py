"""A dispute's photos reach the people who answer it (issue 12): the buyer, the order's organiser and a billing
handler each see them on their dispute page, from a URL whose view checks that reader; nobody else gets them, and
every photo a billing handler is shown is a row of the access log, as every other look at personal data in the
console is (P7.8)."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from groupket.orders.models import Dispute, DisputeImage
from groupket.staff.models import AccessLogEntry
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory, make_space
from tests.markup import fragment
from tests.orders.delivery.helpers import confirm, two_deliveries_and_a_pickup
from tests.orders.delivery.test_disputes import TEXT, photo
from tests.orders.factories import open_group_order

pytestmark = pytest.mark.django_db


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def photo_sources(page: str) -> list[str]:
    """The src of every photo in the page's list of dispute photos."""
    parser = _Images()
    parser.feed(fragment(page, class_="dispute-images"))
    return parser.sources


@pytest.fixture
def disputed(shop: dict, django_capture_on_commit_callbacks) -> dict:
    """A confirmed order whose first buyer opened a dispute with two photos."""
    lines = two_deliveries_and_a_pickup(shop)
    confirm(shop["order"], django_capture_on_commit_callbacks)
    buyer = Client()
    sign_in(buyer, lines[0].buyer)
    number = lines[0].number
    response = buyer.post(f"/me/orders/{number}/dispute/", {"text": TEXT, "images": [photo("a.jpg"), photo("b.jpg")]})
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    images = list(DisputeImage.objects.filter(dispute=dispute).order_by("pk"))
    assert len(images) == 2
    return {**shop, "buyer_client": buyer, "line": lines[0], "dispute": dispute, "images": images}


def test_the_organiser_sees_the_photos_of_a_dispute_on_the_order_they_run(disputed: dict) -> None:
    organiser, base, images = disputed["organiser_client"], disputed["base"], disputed["images"]
    page = organiser.get(base + "/disputes/").content.decode()
    sources = photo_sources(page)
    assert sources == [f"{base}/disputes/images/{image.pk}/" for image in images]
    shown = organiser.get(sources[1])
    assert shown.status_code == 200
    assert (shown["Content-Type"], shown.content) == (images[1].content_type, bytes(images[1].content))
    assert "no-cache" in shown["Cache-Control"]


def test_the_buyer_still_sees_their_own_photos(disputed: dict) -> None:
    number, images = disputed["line"].number, disputed["images"]
    page = disputed["buyer_client"].get(f"/me/orders/{number}/dispute/").content.decode()
    assert photo_sources(page) == [f"/me/orders/{number}/dispute/images/{image.pk}/" for image in images]


def test_another_buyer_a_stranger_and_another_orders_organiser_get_no_photo(disputed: dict) -> None:
    base, image = disputed["base"], disputed["images"][0]
    url = f"{base}/disputes/images/{image.pk}/"
    other_buyer = Client()
    sign_in(other_buyer, disputed["buyers"][1])
    assert other_buyer.get(url).status_code == 403
    assert other_buyer.get(f"/me/orders/{disputed['line'].number}/dispute/images/{image.pk}/").status_code == 404
    stranger = Client()
    sign_in(stranger, MemberFactory())
    assert stranger.get(url).status_code == 404
    # Under another order of the same organiser, the photo is not found: each order's page shows its own.
    theirs = open_group_order(disputed["organiser"], disputed["space"], item="Hallabong, 3 kg")
    elsewhere_url = f"/s/{disputed['space'].slug}/orders/{theirs.pk}/disputes/images/{image.pk}/"
    assert disputed["organiser_client"].get(elsewhere_url).status_code == 404
    other_space_organiser = MemberFactory()
    make_space(other_space_organiser, slug="reading-room")
    elsewhere = Client()
    sign_in(elsewhere, other_space_organiser)
    assert elsewhere.get(url).status_code == 404


def test_a_billing_handler_sees_the_photos_and_each_one_shown_is_logged(disputed: dict) -> None:
    dispute, images, buyer_id = disputed["dispute"], disputed["images"], disputed["line"].buyer_id
    handler = make_staff("billing_handler")
    console = Client()
    sign_in_staff(console, handler)
    page = console.get(f"/staff/order-disputes/{dispute.pk}/").content.decode()
    sources = photo_sources(page)
    assert sources == [f"/staff/order-disputes/{dispute.pk}/images/{image.pk}/" for image in images]
    logged = AccessLogEntry.objects.count()
    shown = console.get(sources[0])
    assert shown.status_code == 200
    assert (shown["Content-Type"], shown.content) == (images[0].content_type, bytes(images[0].content))
    assert "no-cache" in shown["Cache-Control"]
    entry = AccessLogEntry.objects.order_by("sequence").last()
    assert AccessLogEntry.objects.count() == logged + 1
    assert (entry.staff_ref, entry.member_ref, entry.items, entry.reason) == (
        handler.pk, buyer_id, ["order_dispute_images"], "dispute",
    )  # fmt: skip
    assert entry.reference == f"dispute {dispute.pk} photo {images[0].pk}"


def test_a_photo_asked_for_under_another_dispute_or_by_staff_without_the_role_is_refused_and_not_logged(
    disputed: dict,
) -> None:
    dispute, image = disputed["dispute"], disputed["images"][0]
    console = Client()
    sign_in_staff(console, make_staff("billing_handler"))
    logged = AccessLogEntry.objects.count()
    assert console.get(f"/staff/order-disputes/{dispute.pk + 1}/images/{image.pk}/").status_code == 404
    assert console.get(f"/staff/order-disputes/{dispute.pk}/images/{image.pk + 100}/").status_code == 404
    support = Client()
    sign_in_staff(support, make_staff("support_handler"))
    assert support.get(f"/staff/order-disputes/{dispute.pk}/images/{image.pk}/").status_code == 403
    member = Client()
    sign_in(member, disputed["buyers"][1])
    assert member.get(f"/staff/order-disputes/{dispute.pk}/images/{image.pk}/").status_code == 404
    assert AccessLogEntry.objects.count() == logged
