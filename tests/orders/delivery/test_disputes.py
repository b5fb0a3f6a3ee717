"""Disputes on group orders (issue 12, section 5; P8.2): the buyer opens one with text and up to 3 photos checked as
uploads; the organiser and a billing handler answer; kept 3 years, after Unregister readable only by the records
custodian, each read logged."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from groupket.accounts.services.unregister import unregister_member
from groupket.orders.models import Dispute, DisputeAnswer, DisputeImage, OrderEvent
from groupket.privacy import inventory
from groupket.privacy.models import RetainedRecord
from groupket.staff.models import AccessLogEntry
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.orders.delivery.helpers import confirm, two_deliveries_and_a_pickup

pytestmark = pytest.mark.django_db
TEXT = "상자가 찌그러져 귤 3개가 상했습니다."


def photo(name: str = "box.jpg") -> SimpleUploadedFile:
    out = BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    Image.new("RGB", (64, 48), (200, 120, 30)).save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def disputed(shop: dict, django_capture_on_commit_callbacks) -> dict:
    lines = two_deliveries_and_a_pickup(shop)
    confirm(shop["order"], django_capture_on_commit_callbacks)
    buyer = Client()
    sign_in(buyer, lines[0].buyer)
    return {**shop, "line": lines[0], "buyer_client": buyer, "url": f"/me/orders/{lines[0].number}/dispute/"}


def test_a_buyer_opens_a_dispute_and_the_organiser_and_a_billing_handler_answer(disputed: dict) -> None:
    buyer, url, line = disputed["buyer_client"], disputed["url"], disputed["line"]
    assert buyer.get(url).status_code == 200
    response = buyer.post(url, {"text": TEXT, "images": [photo("a.jpg"), photo("b.jpg")]})
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.text, dispute.buyer_id, dispute.number, dispute.status) == (
        TEXT,
        line.buyer_id,
        line.number,
        "open",
    )
    images = list(DisputeImage.objects.filter(dispute=dispute))
    assert len(images) == 2
    assert b"Phone maker" not in bytes(images[0].content)  # re-encoded, no metadata (as profile photos)
    assert OrderEvent.objects.filter(action="dispute_opened", line=line).exists()
    assert buyer.get(f"{url}images/{images[0].pk}/")["Content-Type"] == images[0].content_type

    organiser, disputes_url = disputed["organiser_client"], disputed["base"] + "/disputes/"
    assert TEXT in organiser.get(disputes_url).content.decode()
    assert organiser.post(disputes_url, {"dispute": dispute.pk, "text": "교환해 드리겠습니다."}).status_code == 302

    handler = Client()
    sign_in_staff(handler, make_staff("billing_handler"))
    assert str(line.number) in handler.get("/staff/order-disputes/").content.decode()
    logged = AccessLogEntry.objects.count()
    page = handler.get(f"/staff/order-disputes/{dispute.pk}/").content.decode()
    assert TEXT in page
    assert AccessLogEntry.objects.count() == logged + 1
    handler.post(f"/staff/order-disputes/{dispute.pk}/", {"dispute": dispute.pk, "text": "환불 처리했습니다."})
    answers = [(answer.role, answer.text) for answer in DisputeAnswer.objects.filter(dispute=dispute)]
    assert answers == [("organiser", "교환해 드리겠습니다."), ("billing", "환불 처리했습니다.")]
    page = buyer.get(url).content.decode()
    assert "교환해 드리겠습니다." in page
    assert "환불 처리했습니다." in page


def test_only_the_buyer_opens_only_on_a_confirmed_order_and_only_staff_with_the_role_answer(
    shop: dict, disputed: dict
) -> None:
    other = Client()
    sign_in(other, MemberFactory())
    assert other.post(disputed["url"], {"text": TEXT}).status_code == 404
    outsider = Client()
    sign_in_staff(outsider, make_staff("support_handler"))
    assert outsider.get("/staff/order-disputes/").status_code == 403
    assert other.get("/staff/order-disputes/").status_code == 404
    stranger = Client()
    sign_in(stranger, disputed["buyers"][1])
    assert stranger.get(disputed["base"] + "/disputes/").status_code == 403
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    "files",
    [
        [photo(), photo(), photo(), photo()],
        [SimpleUploadedFile("a.jpg", b"not an image at all", content_type="image/jpeg")],
        [SimpleUploadedFile("a.gif", b"GIF89a" + b"\0" * 40, content_type="image/gif")],
    ],
    ids=["four photos", "not an image", "a gif"],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(disputed: dict, files: list) -> None:
    response = disputed["buyer_client"].post(disputed["url"], {"text": TEXT, "images": files})
    assert response.status_code == 400
    assert not Dispute.objects.exists()
    assert not DisputeImage.objects.exists()


@pytest.mark.clause("P8.2")
def test_a_dispute_is_kept_3_years_after_unregister_and_read_only_by_the_custodian_with_each_read_logged(
    disputed: dict,
) -> None:
    buyer, line = disputed["buyer_client"], disputed["line"]
    buyer.post(disputed["url"], {"text": TEXT, "images": [photo()]})
    rule = inventory.get_item("order_dispute_text").kept_after_withdrawal
    assert (rule.category, rule.months) == (inventory.DISPUTE_RECORDS, 36)
    unregister_member(member=line.buyer, password=DEFAULT_PASSWORD)
    assert not Dispute.objects.exists()
    kept = RetainedRecord.objects.filter(category=inventory.DISPUTE_RECORDS)
    assert kept.count() == 2  # the dispute and its photo
    for record in kept:
        assert timezone.localdate() + timedelta(days=365 * 3 - 2) <= record.destroy_on
        assert record.destroy_on <= timezone.localdate() + timedelta(days=365 * 3 + 2)
    dispute_record = next(r for r in kept if TEXT.encode() not in bytes(r.payload))  # sealed, not readable as is
    handler = Client()
    sign_in_staff(handler, make_staff("billing_handler"))
    assert handler.post(f"/staff/retained/{dispute_record.record_ref}/", {"purpose": "dispute"}).status_code == 403
    custodian = Client()
    sign_in_staff(custodian, make_staff("records_custodian"))
    logged = AccessLogEntry.objects.count()
    texts = []
    for record in kept:
        page = custodian.post(f"/staff/retained/{record.record_ref}/", {"purpose": "dispute"})
        assert page.status_code == 200
        texts.append(page.content.decode())
    assert any(TEXT in text for text in texts)
    assert AccessLogEntry.objects.count() == logged + 2


def test_the_buyers_export_has_the_shipment_and_the_dispute_with_its_answers(disputed: dict) -> None:
    from groupket.orders.export import orders

    line = disputed["line"]
    assert disputed["organiser_client"].get(disputed["base"] + "/deliveries/handoff.csv").status_code == 200
    disputed["buyer_client"].post(disputed["url"], {"text": TEXT, "images": [photo()]})
    dispute = Dispute.objects.get()
    disputed["organiser_client"].post(disputed["base"] + "/disputes/", {"dispute": dispute.pk, "text": "확인했습니다."})
    row = next(row for row in orders(line.buyer) if row["number"] == line.number)
    assert (row["shipment"]["partner"], row["shipment"]["status"]) == ("hangang-express", "handed_off")
    [exported] = row["disputes"]
    assert (exported["text"], exported["status"], exported["images"]) == (TEXT, "answered", 1)
    assert [(a["role"], a["text"]) for a in exported["answers"]] == [("organiser", "확인했습니다.")]
