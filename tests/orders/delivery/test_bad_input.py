"""Random input to every delivery and dispute form and to the partner's webhook: never a 500, nothing half-changed
(issue 12, section 6)."""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groupket.orders.models import Dispute, DisputeAnswer, OrderEvent, PartnerWebhook, Shipment
from groupket.orders.partner.sandbox import sign
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.orders.delivery.helpers import confirm, two_deliveries_and_a_pickup
from tests.orders.delivery.partner_peer import WEBHOOK_SECRET
from tests.orders.factories import PARTNER
from tests.test_bad_input import FUZZ, junk

pytestmark = pytest.mark.django_db

tricky = st.one_of(
    junk,
    st.sampled_from(["0", "-1", "1", "99999999999999999999", "on", "1", "CJ-1234", "a" * 41, "DELIVERED"]),
)
FORMS = {
    "{base}/deliveries/": ["row", "tracking_number", "delivered"],
    "{base}/disputes/": ["dispute", "text"],
    "/me/orders/{number}/dispute/": ["text", "images"],
    "/me/orders/{number}/received/": ["row"],
    "/staff/order-disputes/{dispute}/": ["dispute", "text"],
}


@pytest.fixture
def delivering(shop: dict, partner, django_capture_on_commit_callbacks) -> dict:
    lines = two_deliveries_and_a_pickup(shop)
    confirm(shop["order"], django_capture_on_commit_callbacks)
    return {**shop, "lines": lines}


@pytest.mark.parametrize("pattern", list(FORMS))
def test_delivery_and_dispute_forms_answer_random_input_without_a_server_error(delivering: dict, pattern: str) -> None:
    line = delivering["lines"][0]
    dispute = Dispute.objects.create(
        buyer=line.buyer, line=line, data_key_id=line.buyer.data_key_id, number=line.number, text="seed"
    )
    url = pattern.format(base=delivering["base"], number=line.number, dispute=dispute.pk)
    client = Client(raise_request_exception=True)
    if pattern.startswith("/staff/"):
        sign_in_staff(client, make_staff("billing_handler"))
    elif pattern.startswith("/me/"):
        sign_in(client, line.buyer)
    else:
        client = delivering["organiser_client"]
    before = sorted(Shipment.objects.values_list("pk", "status"))

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={name: tricky for name in FORMS[pattern]}))
    def post_random(data: dict) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post_random()
    # Answers and disputes are whole rows or none; shipments only moved on, never back.
    for answer in DisputeAnswer.objects.all():
        assert answer.text.strip()
    order = ["queued", "handed_off", "delivered", "received"]
    after = dict(Shipment.objects.values_list("pk", "status"))
    assert all(order.index(after[pk]) >= order.index(status) for pk, status in before)


def test_the_partner_webhook_answers_random_bodies_and_signatures_without_a_server_error(delivering: dict) -> None:
    client = Client(raise_request_exception=True)
    url = f"/webhooks/partners/{PARTNER}/"
    before = (sorted(Shipment.objects.values_list("pk", "status")), OrderEvent.objects.count())
    event = st.fixed_dictionaries(
        {},
        optional={
            "eventId": tricky, "reference": st.one_of(tricky, st.just(delivering["lines"][0].number)),
            "status": tricky, "trackingNumber": tricky, "deliveredAt": st.one_of(tricky, st.just("2026-12-01")),
        },
    )  # fmt: skip
    bodies = st.one_of(st.binary(max_size=300), event.map(lambda data: json.dumps(data).encode()))

    @FUZZ
    @given(body=bodies, signed=st.booleans(), signature=junk)
    def post_random(body: bytes, signed: bool, signature: str) -> None:
        header = sign(WEBHOOK_SECRET, body) if signed else signature.replace("\x00", "")
        response = client.post(url, body, content_type="application/json", headers={"X-Partner-Signature": header})
        assert response.status_code < 500, body
        if not signed:
            assert response.status_code == 400

    post_random()
    # Nothing a random event says is a delivery of an order: a real one needs a valid deliveredAt.
    assert (sorted(Shipment.objects.values_list("pk", "status")), OrderEvent.objects.count()) == before
    assert not PartnerWebhook.objects.exists()
