"""The purposes guard: personal items are used only for a declared purpose, with consent where it rests on one.

P4.1: news needs the member's consent to news, in force at the moment of use.
P5.1: a partner gets items only with that partner's own consent, still in force.
"""

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied

from groupket.accounts.models import Member
from groupket.privacy import inventory, services
from groupket.privacy.guard import ConsentNotInForce, PurposeNotAllowed, permits, require
from groupket.privacy.models import ConsentEvent
from groupket.privacy.services import record_consent
from tests.factories import MemberFactory

SHIPPING = "partner:test-shipping"


def consent(member: Member, document: str, granted: bool) -> None:
    record_consent(member=member, document=document, version=None, granted=granted, channel="test")


@pytest.fixture
def shipping_partner(monkeypatch: pytest.MonkeyPatch) -> str:
    """A partner the inventory names as the recipient of the name and phone items."""
    items = tuple(
        dataclasses.replace(item, recipients=(SHIPPING,)) if item.key in ("name", "phone") else item
        for item in inventory.ITEMS
    )
    monkeypatch.setattr(inventory, "ITEMS", items)
    return SHIPPING


def test_refusals_are_permission_denied_and_require_is_the_services_entry_point() -> None:
    assert issubclass(PurposeNotAllowed, PermissionDenied) and issubclass(ConsentNotInForce, PermissionDenied)
    assert services.require is require


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
@pytest.mark.parametrize("purpose", ["profiling", "", "NEWS", "cookies:advertising", "partner:", "advertising"])
def test_an_undeclared_purpose_is_refused(member: Member, purpose: str) -> None:
    consent(member, purpose or "blank", True)  # even a recorded consent does not declare a purpose
    with pytest.raises(PurposeNotAllowed):
        require(member, purpose)
    assert not permits(member, purpose)


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_declared_purpose_of_the_contract_needs_no_consent(member: Member) -> None:
    require(member, inventory.CONTRACT, items=["username", "email"])
    require(member, inventory.SECURITY, items=["login_ip"])
    assert permits(member, inventory.SERVICE, items=["phone", "bio"])


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
@pytest.mark.parametrize(
    ("purpose", "items"),
    [(inventory.NEWS, ["phone"]), (inventory.NEWS, ["email", "bio"]), (inventory.SECURITY, ["photo"])],
)
def test_an_item_not_declared_for_the_purpose_is_refused(purpose: str, items: list[str]) -> None:
    member = MemberFactory(marketing_opt_in=True)
    with pytest.raises(PurposeNotAllowed, match="not declared for purpose"):
        require(member, purpose, items=items)


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_an_item_missing_from_the_inventory_is_refused(member: Member) -> None:
    with pytest.raises(PurposeNotAllowed, match="'shoe_size' is not declared in the inventory"):
        require(member, inventory.SERVICE, items=["shoe_size"])
    with pytest.raises(TypeError):
        require(member, inventory.SERVICE, items="email")  # a string would be read letter by letter


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_news_needs_consent_in_force_at_this_moment(member: Member) -> None:
    with pytest.raises(ConsentNotInForce):
        require(member, inventory.NEWS, items=["email"])

    consent(member, ConsentEvent.MARKETING, True)
    require(member, inventory.NEWS, items=["email"])

    consent(member, ConsentEvent.MARKETING, False)
    with pytest.raises(ConsentNotInForce):
        require(member, inventory.NEWS, items=["email"])
    assert not permits(member, inventory.NEWS, items=["email"])

    consent(member, ConsentEvent.MARKETING, True)
    assert permits(member, inventory.NEWS, items=["email"])


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_one_members_consent_does_not_count_for_another() -> None:
    subscriber, other = MemberFactory(marketing_opt_in=True), MemberFactory()
    assert permits(subscriber, inventory.NEWS, items=["email"])
    assert not permits(other, inventory.NEWS, items=["email"])


@pytest.mark.django_db
@pytest.mark.clause("P5.1")
def test_a_partner_needs_its_own_consent_still_in_force(member: Member, shipping_partner: str) -> None:
    with pytest.raises(ConsentNotInForce):
        require(member, shipping_partner, items=["name", "phone"])

    consent(member, "partner:another-courier", True)
    consent(member, ConsentEvent.MARKETING, True)
    with pytest.raises(ConsentNotInForce):
        require(member, shipping_partner, items=["name", "phone"])

    consent(member, shipping_partner, True)
    require(member, shipping_partner, items=["name", "phone"])

    consent(member, shipping_partner, False)
    with pytest.raises(ConsentNotInForce):
        require(member, shipping_partner, items=["name", "phone"])


@pytest.mark.django_db
@pytest.mark.clause("P5.1")
def test_a_partner_gets_only_the_items_declared_for_it(member: Member, shipping_partner: str) -> None:
    consent(member, shipping_partner, True)
    with pytest.raises(PurposeNotAllowed, match="'email' is not declared for purpose"):
        require(member, shipping_partner, items=["name", "email"])


@pytest.mark.django_db
@pytest.mark.clause("P5.1")
def test_a_partner_the_inventory_does_not_name_is_refused_even_with_a_consent(member: Member) -> None:
    consent(member, SHIPPING, True)
    with pytest.raises(PurposeNotAllowed, match="not declared in the inventory"):
        require(member, SHIPPING)


@pytest.mark.django_db
@pytest.mark.clause("P5.4")
def test_a_hand_off_may_rest_on_its_own_consent_but_a_contract_purpose_on_none(
    member: Member, shipping_partner: str
) -> None:
    consent(member, shipping_partner, True)
    with pytest.raises(ConsentNotInForce):  # the order's own consent is the one read, and it is not given
        require(member, shipping_partner, items=["name"], consent_document="partner:order-17")
    consent(member, "partner:order-17", True)
    consent(member, shipping_partner, False)
    require(member, shipping_partner, items=["name"], consent_document="partner:order-17")
    with pytest.raises(PurposeNotAllowed, match="rests on the contract"):
        require(member, inventory.SERVICE, items=["name"], consent_document="partner:order-17")


@pytest.mark.django_db
def test_asking_the_guard_costs_one_query(member: Member, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert not permits(member, inventory.NEWS, items=["email"])
    with django_assert_num_queries(0):
        assert permits(member, inventory.CONTRACT, items=["email"])
