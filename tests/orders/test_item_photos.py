"""Photos of the item (issue 12, section 1): the organiser adds up to 4 when opening a group order and may replace
them while it is open; each is checked as a profile photo is (P7.2); the space's members see them on the order's
page and its first as a thumbnail in the list; nobody else gets them (404)."""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import ExifTags, Image

from groupket.orders.item_photos import MAX_PHOTOS, THUMBNAIL_SIDE, check_item_photos
from groupket.orders.models import GroupOrder, GroupOrderPhoto, OrderEvent
from groupket.orders.permissions import OrderActionDenied
from groupket.orders.services.group_orders import replace_order_photos
from groupket.privacy import inventory
from tests.clamd_peer import EICAR, Clamd
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.markup import fragment, fragments
from tests.orders.factories import open_group_order

pytestmark = pytest.mark.django_db
ITEM = "Jeju tangerines, 5 kg box"


def image(image_format: str = "JPEG", size: tuple[int, int] = (640, 480), *, gps: bool = False) -> bytes:
    out = BytesIO()
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "SpyCam Industries"
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (37.0, 33.0, 59.0)}
        )
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, size, (230, 120, 30, 255)[: len(mode)]).save(out, image_format, **({"exif": exif} if gps else {}))
    return out.getvalue()


def upload(data: bytes, name: str = "box.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def order_form(**changes: object) -> dict:
    now = timezone.localtime()
    fields = {
        "item": ITEM,
        "description": "From a farm in Seogwipo.",
        "unit_price": "25000",
        "min_total": "5",
        "max_total": "20",
        "min_per_member": "1",
        "max_per_member": "5",
        "order_deadline": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "payment_deadline": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "expected_delivery": (now + timedelta(days=10)).date().isoformat(),
        "shipping_partner": "",
        "offers_pickup": "on",
        "pickup_place": "Community centre, 2nd floor",
        "pickup_time": (now + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
        "bank": "Shinhan",
        "account_number": "110-123-456789",
        "account_holder": "김민수",
    }
    return {**fields, **changes}


@pytest.fixture
def market() -> dict:
    organiser, buyer, outsider = MemberFactory(), MemberFactory(), MemberFactory()
    space = make_space(organiser, visibility="members")
    join(buyer, space)
    clients = {}
    for name, member in (("organiser", organiser), ("buyer", buyer), ("outsider", outsider)):
        clients[name] = Client()
        sign_in(clients[name], member)
    return {"organiser_member": organiser, "buyer_member": buyer, "space": space, **clients}


def opened_with_photos(market: dict, *files: SimpleUploadedFile) -> GroupOrder:
    response = market["organiser"].post("/s/hiking-club/orders/new/", order_form(photos=list(files)))
    assert response.status_code == 302, response.content.decode()[:2000]
    return GroupOrder.objects.get()


@pytest.mark.clause("P7.2")
def test_the_organiser_opens_an_order_with_photos_rechecked_and_without_their_metadata(market: dict) -> None:
    order = opened_with_photos(
        market, upload(image(gps=True)), upload(image("PNG", (300, 900)), "side.png", "image/png")
    )
    stored = list(GroupOrderPhoto.objects.filter(order=order))
    assert [photo.position for photo in stored] == [1, 2]
    first = Image.open(BytesIO(bytes(stored[0].photo)))
    assert first.format in ("WEBP", "JPEG")
    assert not first.getexif()  # the camera and GPS of the upload are gone
    assert (stored[0].width, stored[0].height, stored[1].width, stored[1].height) == (640, 480, 300, 900)
    small = Image.open(BytesIO(bytes(stored[1].thumbnail)))
    assert max(small.size) == THUMBNAIL_SIDE
    assert OrderEvent.objects.get(order=order, action="order_opened").detail == {"photos": 2}


def test_members_see_the_photos_on_the_order_and_the_first_as_a_thumbnail_in_the_list(market: dict) -> None:
    order = opened_with_photos(market, upload(image()), upload(image(size=(200, 200))))
    first, second = GroupOrderPhoto.objects.filter(order=order)
    base = f"/s/hiking-club/orders/{order.pk}"
    page = market["buyer"].get(f"{base}/").content.decode()
    shown = fragments(fragment(page, tag="ul", class_="order-photos"), tag="img")
    assert [f"{base}/photos/{first.pk}/" in tag for tag in shown] == [True, False]
    assert f"{base}/photos/{second.pk}/" in shown[1]
    assert f"Photo 1 of {ITEM}" in shown[0]
    listing = fragment(market["buyer"].get("/s/hiking-club/orders/").content.decode(), class_="order-list")
    assert f"{base}/photos/{first.pk}/small/" in listing
    assert f"{base}/photos/{second.pk}/small/" not in listing
    served = market["buyer"].get(f"{base}/photos/{first.pk}/")
    assert served.status_code == 200
    assert served.content == bytes(first.photo)
    assert served["Content-Type"] == first.content_type
    assert served["Cache-Control"] == "private, no-store"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert market["buyer"].get(f"{base}/photos/{first.pk}/small/").content == bytes(first.thumbnail)


def test_an_order_without_photos_shows_none(market: dict) -> None:
    order = opened_with_photos(market)
    assert not GroupOrderPhoto.objects.exists()
    page = market["buyer"].get(f"/s/hiking-club/orders/{order.pk}/").content.decode()
    assert 'class="plain order-photos"' not in page


@pytest.mark.parametrize("visibility", ["public", "members", "hidden"])
def test_nobody_outside_the_space_gets_a_photo(visibility: str) -> None:
    organiser, outsider = MemberFactory(), MemberFactory()
    space = make_space(organiser, slug="quiet-club", visibility=visibility)
    order = open_group_order(organiser, space)
    replace_order_photos(actor=organiser, order=order, photos=check_item_photos([upload(image())]))
    photo = GroupOrderPhoto.objects.get()
    base = f"/s/quiet-club/orders/{order.pk}/photos/{photo.pk}"
    client = Client()
    sign_in(client, outsider)
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/small/").status_code == 404
    signed_out = Client().get(f"{base}/")
    assert signed_out.status_code == 302
    assert signed_out.content == b""
    owner = Client()
    sign_in(owner, organiser)
    assert owner.get(f"{base}/").status_code == 200


def test_a_photo_of_another_order_is_not_found_under_this_one(market: dict) -> None:
    mine = opened_with_photos(market, upload(image()))
    other = open_group_order(market["organiser_member"], market["space"])
    photo = GroupOrderPhoto.objects.get(order=mine)
    assert market["buyer"].get(f"/s/hiking-club/orders/{other.pk}/photos/{photo.pk}/").status_code == 404
    assert market["buyer"].get(f"/s/hiking-club/orders/{mine.pk}/photos/{photo.pk + 1000}/").status_code == 404


@pytest.mark.parametrize(
    "files",
    [
        [upload(image()) for _ in range(MAX_PHOTOS + 1)],
        [upload(image()), upload(b"not an image at all")],
        [upload(b"GIF89a" + b"\0" * 40, "a.gif", "image/gif")],
        [upload(image()[:200])],
    ],
    ids=["five photos", "one not an image", "a gif", "a cut-off jpeg"],
)
def test_a_bad_photo_opens_nothing_and_the_form_keeps_what_was_typed(market: dict, files: list) -> None:
    response = market["organiser"].post("/s/hiking-club/orders/new/", order_form(photos=files))
    assert response.status_code == 400
    page = response.content.decode()
    assert fragment(page, id="id_photos_error")
    assert f'value="{ITEM}"' in page
    assert "110-123-456789" in page
    assert not GroupOrder.objects.exists()
    assert not GroupOrderPhoto.objects.exists()


def test_a_photo_over_the_size_limit_gets_its_own_message(market: dict, settings) -> None:
    settings.GROUPKET_PHOTO_MAX_BYTES = 2000
    response = market["organiser"].post(
        "/s/hiking-club/orders/new/", order_form(photos=[upload(image() + b"\0" * 3000)])
    )
    assert response.status_code == 400
    assert "larger than" in fragment(response.content.decode(), id="id_photos_error")
    assert not GroupOrder.objects.exists()


@pytest.fixture
def clamd(settings, clamd_daemon: Clamd) -> Clamd:
    settings.CLAMD_SOCKET = clamd_daemon.address
    return clamd_daemon


@pytest.mark.clause("P7.2")
def test_clamd_scans_every_photo_and_an_infected_one_opens_nothing(market: dict, clamd: Clamd) -> None:
    infected = upload(image("PNG") + EICAR, "side.png", "image/png")
    with clamd.watch() as verdicts:
        response = market["organiser"].post(
            "/s/hiking-club/orders/new/", order_form(photos=[upload(image()), infected])
        )
    assert response.status_code == 400
    assert "virus scanner found something harmful" in response.content.decode()
    assert verdicts[0] == "OK"
    assert verdicts[1].endswith("FOUND")
    assert not GroupOrder.objects.exists()


def test_an_unreachable_scanner_opens_nothing_and_says_to_try_later(market: dict, settings, tmp_path: Path) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "clamd-is-down.sock")
    response = market["organiser"].post("/s/hiking-club/orders/new/", order_form(photos=[upload(image())]))
    assert response.status_code == 503
    assert "Try later" in response.content.decode()
    assert not GroupOrder.objects.exists()


def test_the_organiser_replaces_the_photos_while_the_order_is_open_and_removes_them(market: dict) -> None:
    order = opened_with_photos(market, upload(image()), upload(image()))
    url = f"/s/hiking-club/orders/{order.pk}/photos/"
    assert market["organiser"].get(url).status_code == 200
    response = market["organiser"].post(url, {"photos": [upload(image(size=(100, 50)))]})
    assert response.status_code == 302
    assert [(photo.position, photo.width) for photo in GroupOrderPhoto.objects.filter(order=order)] == [(1, 100)]
    assert market["organiser"].post(url, {"remove": "on"}).status_code == 302
    assert not GroupOrderPhoto.objects.exists()
    changes = OrderEvent.objects.filter(order=order, action="order_photos_changed").order_by("pk")
    assert [event.detail for event in changes] == [{"photos": 1}, {"photos": 0}]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose up to 4 photos"),
        ({"photos": [upload(b"junk")]}, "not a JPEG, PNG or WebP"),
        ({"photos": [upload(image())], "remove": "on"}, "not both"),
    ],
    ids=["nothing chosen", "not an image", "photos and remove"],
)
def test_a_bad_replacement_changes_nothing(market: dict, data: dict, error: str) -> None:
    order = opened_with_photos(market, upload(image()))
    before = GroupOrderPhoto.objects.get()
    response = market["organiser"].post(f"/s/hiking-club/orders/{order.pk}/photos/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert list(GroupOrderPhoto.objects.values_list("pk", flat=True)) == [before.pk]
    assert not OrderEvent.objects.filter(action="order_photos_changed").exists()


def test_only_the_organiser_changes_photos_and_only_while_the_order_is_open(market: dict) -> None:
    order = opened_with_photos(market, upload(image()))
    url = f"/s/hiking-club/orders/{order.pk}/photos/"
    assert f'href="{url}"' in market["organiser"].get(f"/s/hiking-club/orders/{order.pk}/").content.decode()
    assert f'href="{url}"' not in market["buyer"].get(f"/s/hiking-club/orders/{order.pk}/").content.decode()
    assert market["buyer"].post(url, {"remove": "on"}).status_code == 403
    assert market["outsider"].post(url, {"remove": "on"}).status_code == 404
    GroupOrder.objects.filter(pk=order.pk).update(status=GroupOrder.CLOSED)
    refused = market["organiser"].post(url, {"remove": "on"})
    assert refused.status_code == 403
    assert "only while the group order is open" in refused.content.decode()
    assert GroupOrderPhoto.objects.count() == 1
    page = market["organiser"].get(f"/s/hiking-club/orders/{order.pk}/").content.decode()
    assert f'href="{url}"' not in page  # no link to a change that would be refused


def test_the_service_refuses_a_fifth_photo_and_a_buyer(market: dict) -> None:
    order = opened_with_photos(market)
    four = check_item_photos([upload(image()) for _ in range(MAX_PHOTOS)])
    with pytest.raises(ValueError, match="at most 4"):
        replace_order_photos(actor=market["organiser_member"], order=order, photos=[*four, four[0]])
    with pytest.raises(OrderActionDenied):
        replace_order_photos(actor=market["buyer_member"], order=order, photos=four)
    assert not GroupOrderPhoto.objects.exists()
    replace_order_photos(actor=market["organiser_member"], order=order, photos=four)
    assert GroupOrderPhoto.objects.count() == MAX_PHOTOS


def test_the_list_of_orders_takes_the_same_queries_whatever_the_number_of_photos(
    market: dict, django_assert_num_queries
) -> None:
    opened_with_photos(market, upload(image()))
    # session, sign-in, member, space, membership, orders, their photos' ids, the notices
    with django_assert_num_queries(8):
        assert market["buyer"].get("/s/hiking-club/orders/").status_code == 200
    for _ in range(3):
        order = open_group_order(market["organiser_member"], market["space"])
        photos = check_item_photos([upload(image()), upload(image())])
        replace_order_photos(actor=market["organiser_member"], order=order, photos=photos)
    with django_assert_num_queries(8):
        assert market["buyer"].get("/s/hiking-club/orders/").status_code == 200


def test_item_photos_are_declared_not_personal_with_the_reason() -> None:
    assert "not a person's" in inventory.NOT_PERSONAL["orders.GroupOrderPhoto.photo"]
    assert not [item for item in inventory.ITEMS if item.field.startswith("orders.GroupOrderPhoto.")]
