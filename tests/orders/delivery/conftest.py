import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_space
from tests.orders.delivery.partner_peer import API_KEY, WEBHOOK_SECRET, PartnerPeer, sandbox_partner
from tests.orders.factories import PARTNER, open_group_order

__all__ = ("sandbox_partner",)


@pytest.fixture
def partner(sandbox_partner: PartnerPeer, settings: pytest.FixtureRequest) -> PartnerPeer:
    """The session's sandbox partner, emptied, and the settings giving the order's partner its API."""
    sandbox_partner.reset()
    settings.GROUPKET_SHIPPING_PARTNER_APIS = {
        PARTNER: {"url": sandbox_partner.base_url, "api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET}
    }
    return sandbox_partner


@pytest.fixture
def shop(db: None) -> dict:
    """An organiser's group order (minimum 5) in a space with three buyers."""
    organiser = MemberFactory()
    buyers = [MemberFactory() for _ in range(3)]
    space = make_space(organiser)
    for buyer in buyers:
        join(buyer, space)
    order = open_group_order(organiser, space, min_total=3)
    organiser_client = Client()
    sign_in(organiser_client, organiser)
    base = f"/s/{space.slug}/orders/{order.pk}"
    return {
        "organiser": organiser, "buyers": buyers, "space": space, "order": order,
        "organiser_client": organiser_client, "base": base,
    }  # fmt: skip
