"""The shipping partners come from configuration (GROUPKET_SHIPPING_PARTNERS), and a broken entry fails the check."""

from groupket.orders.partners import check_shipping_partners, get_partner

GOOD = {
    "slug": "busan-cargo",
    "name_en": "Busan Cargo",
    "name_ko": "부산화물",
    "purpose_en": "Delivering your order",
    "purpose_ko": "주문 상품 배송",
    "retention_en": "3 months",
    "retention_ko": "3개월",
}


def test_a_configured_partner_is_named_in_the_language_of_the_page(settings) -> None:
    from django.utils import translation

    settings.GROUPKET_SHIPPING_PARTNERS = [GOOD]
    partner = get_partner("busan-cargo")
    with translation.override("ko"):
        assert (partner.name, partner.purpose) == ("부산화물", "주문 상품 배송")
    assert partner.consent_document(17) == "partner:busan-cargo:order-17"
    assert check_shipping_partners() == []


def test_a_partner_missing_its_texts_or_naming_other_items_fails_the_check(settings) -> None:
    settings.GROUPKET_SHIPPING_PARTNERS = [{"slug": "x"}, {**GOOD, "items": ["email"]}, "not an object"]
    messages = [message.msg for message in check_shipping_partners()]
    assert [message.split(" ", 3)[2] for message in messages] == ["0", "1", "2"]
    assert "lacks name_en" in messages[0] and "outside the delivery items" in messages[1]
    settings.GROUPKET_SHIPPING_PARTNERS = {"slug": "x"}
    assert [message.id for message in check_shipping_partners()] == ["orders.E001"]
