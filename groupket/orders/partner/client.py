"""The shipping partner adapter: one hand-off over HTTP, and the check of a partner's signed webhook (P5.4).

Only the delivery items the partner is declared to receive, the item and the quantity go out; the
order number is the Idempotency-Key, so a hand-off sent again (a retried task) is one shipment.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass

import httpx
from django.conf import settings

# Partner URLs and answers name order numbers; nothing of them goes to the log.
logging.getLogger("httpx").setLevel(logging.WARNING)

TIMEOUT_SECONDS = 10.0
# The inventory's delivery items as the partner's protocol names them.
WIRE_NAMES = {
    "order_recipient": "recipient",
    "order_postal_code": "postalCode",
    "order_road_address": "roadAddress",
    "order_address_detail": "addressDetail",
    "order_phone": "phone",
}


class PartnerUnavailable(Exception):
    """The partner did not take the hand-off (down, refused, or an answer we cannot read); it is tried again."""


@dataclass(frozen=True)
class PartnerApi:
    slug: str
    url: str
    api_key: str
    webhook_secret: str


def partner_api(slug: str) -> PartnerApi | None:
    """The partner's API from settings, or None: its hand-offs are a CSV the organiser downloads."""
    entry = settings.GROUPKET_SHIPPING_PARTNER_APIS.get(slug)
    if not isinstance(entry, dict):
        return None
    return PartnerApi(
        slug=slug,
        url=str(entry.get("url", "")).rstrip("/"),
        api_key=str(entry.get("api_key", "")),
        webhook_secret=str(entry.get("webhook_secret", "")),
    )


def send_shipment(api: PartnerApi, *, reference: str, item: str, quantity: int, details: dict[str, str]) -> str:
    """Hand one line to the partner; the partner's shipment id. `details` is keyed by inventory item."""
    body = {"reference": reference, "item": item, "quantity": quantity}
    body.update({WIRE_NAMES[key]: value for key, value in details.items()})
    headers = {"Authorization": f"Bearer {api.api_key}", "Idempotency-Key": reference}
    try:
        response = httpx.post(f"{api.url}/v1/shipments", json=body, headers=headers, timeout=TIMEOUT_SECONDS)
        answer = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        raise PartnerUnavailable(api.slug) from None
    shipment_id = answer.get("shipmentId") if isinstance(answer, dict) else None
    if not isinstance(shipment_id, str) or not shipment_id:
        raise PartnerUnavailable(api.slug)
    return shipment_id


def signature_is_valid(api: PartnerApi, body: bytes, signature: str) -> bool:
    if not api.webhook_secret:
        return False
    expected = "sha256=" + hmac.new(api.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
