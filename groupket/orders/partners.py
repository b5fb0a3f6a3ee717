"""The shipping partners an organiser may offer, from settings.GROUPKET_SHIPPING_PARTNERS (P5.4).

Each names what checkout's consent must say: the partner, the delivery items it receives, the
purpose and how long it keeps them, in English and Korean. A broken entry fails `manage.py check`.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import get_language

# The delivery items of an order (privacy.inventory), all of which a partner needs to deliver.
DELIVERY_ITEMS = ("order_recipient", "order_postal_code", "order_road_address", "order_address_detail", "order_phone")
_TEXTS = ("name_en", "name_ko", "purpose_en", "purpose_ko", "retention_en", "retention_ko")


@dataclass(frozen=True)
class ShippingPartner:
    slug: str
    name_en: str
    name_ko: str
    purpose_en: str
    purpose_ko: str
    retention_en: str
    retention_ko: str
    items: tuple[str, ...] = DELIVERY_ITEMS

    def _text(self, field: str) -> str:
        return getattr(self, f"{field}_ko" if get_language() == "ko" else f"{field}_en")

    @property
    def name(self) -> str:
        return self._text("name")

    @property
    def purpose(self) -> str:
        return self._text("purpose")

    @property
    def retention(self) -> str:
        return self._text("retention")

    @property
    def recipient(self) -> str:
        """The purposes guard's name of this partner, as the inventory lists it."""
        return f"partner:{self.slug}"

    def consent_document(self, order_id: int) -> str:
        """The consent-ledger document of this partner for one group order: per recipient and per order."""
        return f"partner:{self.slug}:order-{order_id}"


def _partner(entry: dict[str, Any]) -> ShippingPartner:
    items = tuple(entry.get("items", DELIVERY_ITEMS))
    return ShippingPartner(slug=entry["slug"], **{field: entry[field] for field in _TEXTS}, items=items)


def shipping_partners() -> dict[str, ShippingPartner]:
    return {entry["slug"]: _partner(entry) for entry in settings.GROUPKET_SHIPPING_PARTNERS}


def get_partner(slug: str) -> ShippingPartner | None:
    return shipping_partners().get(slug)


def _entry_problem(entry: object) -> str | None:
    if not isinstance(entry, dict):
        return "is not an object"
    missing = [field for field in ("slug", *_TEXTS) if not isinstance(entry.get(field), str) or not entry[field]]
    if missing:
        return f"lacks {', '.join(missing)}"
    items = entry.get("items", DELIVERY_ITEMS)
    if not isinstance(items, list | tuple) or not items or not set(items) <= set(DELIVERY_ITEMS):
        return f"has items outside the delivery items {list(DELIVERY_ITEMS)}"
    return None


def check_shipping_partners(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    entries = settings.GROUPKET_SHIPPING_PARTNERS
    if not isinstance(entries, list):
        return [checks.Error("GROUPKET_SHIPPING_PARTNERS must be a JSON list", id="orders.E001")]
    found = []
    for position, entry in enumerate(entries):
        problem = _entry_problem(entry)
        if problem:
            found.append(
                checks.Error(
                    f"GROUPKET_SHIPPING_PARTNERS entry {position} {problem}",
                    hint="Each partner needs slug, name_en, name_ko, purpose_en, purpose_ko, retention_en, "
                    "retention_ko and optionally items.",
                    id="orders.E001",
                )
            )
    return found
