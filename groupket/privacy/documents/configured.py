"""The Privacy Policy's text naming the payment processor and the shipping partners of configuration (P5.3, P5.4).

`privacy.configured.<language>.txt` is version 2 with Article 5-2 (제5조의2, 개인정보 처리업무의 위탁: the company card
payments are entrusted to, `GROUPKET_PAYMENT_PROCESSOR`) and, in Article 5, the shipping partners of
`GROUPKET_SHIPPING_PARTNERS` (제3자 제공: recipient, purpose, items, retention, only with the buyer's consent at
checkout). Unlike the shipped versions it is not installed by a migration: new recipients are a material change, so
`manage.py publish_policy --from-configuration` renders it and publishes it as the next version through
privacy.services.documents, with the notice period and announcement every material change gets. An operator who
changes the processor or the partners publishes again the same way.

Partners are read from the raw setting, as privacy.inventory reads them: the orders app, which owns them, comes after
privacy in the app order. A malformed entry is reported by orders' system check (orders.E001) before this runs.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from groupket.privacy.documents import FOLDER

LANGUAGES = ("en", "ko")
# The article naming the processor, as PolicyDocument.blocks anchors its heading in both languages: the terms page
# links "the payment processor named in the Privacy Policy" to it.
PROCESSOR_ARTICLE = "article-5-2"
PROCESSOR_HEADING = {"en": "Article 5-2 (", "ko": "제5조의2("}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# The delivery items a partner may receive (orders.partners.DELIVERY_ITEMS), as checkout's consent names them.
DELIVERY_ITEM_NAMES = {
    "order_recipient": {"en": "recipient's name", "ko": "받는 분 이름"},
    "order_postal_code": {"en": "postal code", "ko": "우편번호"},
    "order_road_address": {"en": "road-name address", "ko": "도로명 주소"},
    "order_address_detail": {"en": "address details", "ko": "상세 주소"},
    "order_phone": {"en": "recipient's phone number", "ko": "받는 분 전화번호"},
}
LABELS = {
    "en": {"recipient": "Recipient", "purpose": "Purpose", "items": "Items given", "retention": "Kept by the partner"},
    "ko": {"recipient": "제공받는 자", "purpose": "제공 목적", "items": "제공 항목", "retention": "보유·이용 기간"},
}
NO_PARTNER = {
    "en": "• None at present: Groupket gives delivery details to no shipping partner.",
    "ko": "• 현재 없음: 그룹켓은 어느 배송 업체에도 배송 정보를 제공하지 않습니다.",
}


def payment_processor(language: str) -> str:
    return settings.GROUPKET_PAYMENT_PROCESSOR_KO if language == "ko" else settings.GROUPKET_PAYMENT_PROCESSOR


def shipping_partners() -> list[dict[str, Any]]:
    """The configured partners, in their configured order."""
    return list(settings.GROUPKET_SHIPPING_PARTNERS)


def _partner_lines(partner: dict[str, Any], language: str) -> list[str]:
    labels = LABELS[language]
    items = partner.get("items") or list(DELIVERY_ITEM_NAMES)
    return [
        f"{labels['recipient']}: {partner[f'name_{language}']}",
        f"• {labels['purpose']}: {partner[f'purpose_{language}']}",
        f"• {labels['items']}: {', '.join(DELIVERY_ITEM_NAMES[item][language] for item in items)}",
        f"• {labels['retention']}: {partner[f'retention_{language}']}",
    ]


def _partners_text(language: str) -> str:
    partners = shipping_partners()
    if not partners:
        return NO_PARTNER[language]
    return "\n\n".join("\n".join(_partner_lines(partner, language)) for partner in partners)


def written_date(day: date, language: str) -> str:
    """The effective date as the text writes it (as migration privacy.0007 wrote version 2's)."""
    return (
        f"{day.year}년 {day.month}월 {day.day}일"
        if language == "ko"
        else f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    )


def render_configured_policy(*, effective_at: datetime) -> dict[str, str]:
    """The full text in each language, {"en": ..., "ko": ...}, for a version taking effect at effective_at."""
    day = timezone.localdate(effective_at)
    bodies = {}
    for language in LANGUAGES:
        template = (FOLDER / f"privacy.configured.{language}.txt").read_text(encoding="utf-8").strip()
        bodies[language] = (
            template.replace("{payment_processor}", payment_processor(language))
            .replace("{shipping_partners}", _partners_text(language))
            .replace("{effective_date}", written_date(day, language))
        )
    return bodies


def configured_summary() -> dict[str, str]:
    """What changes, for "What changed" and the announcement: who receives members' information, from now on."""
    names = {language: [partner[f"name_{language}"] for partner in shipping_partners()] for language in LANGUAGES}
    partners_en = ", ".join(names["en"]) or "none at present"
    partners_ko = ", ".join(names["ko"]) or "현재 없음"
    return {
        "en": (
            "This version names who receives your personal information outside Groupket. Article 5-2 names the company "
            f"card payments are entrusted to: {payment_processor('en')}, for card payment processing; it receives "
            "the order reference, amount and order name of each card payment, never your card details. Article 5 "
            f"names the shipping partners that may receive your delivery details: {partners_en}, each with the items, "
            "the purpose and how long it keeps them, and each only if you consent at checkout for that order. Because "
            "the recipients of your personal information are named, this change is material: it is announced ahead "
            "and you are asked to agree again once it is in force."
        ),
        "ko": (
            "이번 버전은 그룹켓 밖에서 회원의 개인정보를 받는 곳을 밝힙니다. 제5조의2에 카드 결제 처리를 위탁받은 "
            f"수탁자({payment_processor('ko')})를 적었습니다. 수탁자는 카드 결제마다 주문 참조 번호, 금액, 주문명만 "
            "받으며 카드 정보는 받지 않습니다. 제5조에 배송 정보를 제공받을 수 있는 배송 업체"
            f"({partners_ko})와 각 업체의 제공 항목, 제공 목적, 보유 기간을 적었으며, 배송 업체는 회원이 결제 단계에서 "
            "그 주문에 대해 동의한 경우에만 배송 정보를 받습니다. 개인정보를 제공받는 자를 밝히는 변경이므로 중요한 "
            "변경에 해당하며, 미리 알려 드리고 시행일 이후 다시 동의를 요청합니다."
        ),
    }
