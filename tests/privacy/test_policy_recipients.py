"""The Privacy Policy naming the payment processor and the shipping partners of configuration, published as a new
version with its notice period (`manage.py publish_policy --from-configuration`), and the terms' reference to it."""

import email
import email.header
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import formats, timezone, translation

from groupket.privacy.models import MassNotice, PolicyDocument
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.markup import element
from tests.test_korean import GLOSSARY

PROCESSOR = {"en": "Nara Payments", "ko": "나라페이먼츠"}
PARTNERS = [
    {
        "slug": "hangang-express",
        "name_en": "Hangang Express",
        "name_ko": "한강택배",
        "purpose_en": "Delivering your order to you",
        "purpose_ko": "주문한 상품 배송",
        "retention_en": "Until 3 months after delivery, then destroyed",
        "retention_ko": "배송 완료 후 3개월까지 보관 후 파기",
    },
    {
        "slug": "mapo-parcel",
        "name_en": "Mapo Parcel",
        "name_ko": "마포소포",
        "purpose_en": "Delivering large items by appointment",
        "purpose_ko": "대형 상품의 예약 배송",
        "retention_en": "Until 1 month after delivery, then destroyed",
        "retention_ko": "배송 완료 후 1개월까지 보관 후 파기",
        "items": ["order_recipient", "order_road_address", "order_phone"],
    },
]
ITEMS = {
    "hangang-express": {
        "en": "recipient's name, postal code, road-name address, address details, recipient's phone number",
        "ko": "받는 분 이름, 우편번호, 도로명 주소, 상세 주소, 받는 분 전화번호",
    },
    "mapo-parcel": {
        "en": "recipient's name, road-name address, recipient's phone number",
        "ko": "받는 분 이름, 도로명 주소, 받는 분 전화번호",
    },
}
ARTICLE_5 = {"en": "Article 5 (", "ko": "제5조("}
ARTICLE_5_2 = {
    "en": "Article 5-2 (Entrusting the Processing of Personal Information)",
    "ko": "제5조의2(개인정보 처리업무의 위탁)",
}
RENEW = "/me/agreements/renew/"


@pytest.fixture
def configured(settings) -> None:
    settings.GROUPKET_PAYMENT_PROCESSOR = PROCESSOR["en"]
    settings.GROUPKET_PAYMENT_PROCESSOR_KO = PROCESSOR["ko"]
    settings.GROUPKET_SHIPPING_PARTNERS = PARTNERS


def publish_configured(*, days_ahead: int, **options: object) -> str:
    out = StringIO()
    effective = (timezone.localdate() + timedelta(days=days_ahead)).isoformat()
    with translation.override("en"):  # as on the operator's console, whatever page a test read before
        call_command("publish_policy", from_configuration=True, effective=effective, yes=True, stdout=out, **options)
    return out.getvalue()


def latest() -> PolicyDocument:
    return PolicyDocument.objects.filter(kind="privacy").order_by("-version").first()


def seven_days_pass(document: PolicyDocument) -> None:
    """The notice period is over: the version takes effect (its date moved, as the clock cannot be)."""
    PolicyDocument.objects.filter(pk=document.pk).update(effective_at=timezone.now() - timedelta(minutes=1))


def page(client: Client, path: str, language: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return response.content.decode()


def article(html: str, heading: str) -> list[str]:
    """The lines of one article of the policy text on a page: its heading, then each line up to the next heading."""
    blocks = element(html, "document-text").blocks
    start = next(index for index, (tag, line) in enumerate(blocks) if tag == "h2" and line.startswith(heading))
    end = next((index for index in range(start + 1, len(blocks)) if blocks[index][0] == "h2"), len(blocks))
    return [line for _tag, line in blocks[start:end]]


def assert_names_processor_and_partners(html: str, language: str) -> None:
    entrusted = article(html, ARTICLE_5_2[language])
    assert element(html, "article-5-2").text == ARTICLE_5_2[language]
    processor_line = "Company entrusted with the work" if language == "en" else "수탁자"
    assert f"• {processor_line}: {PROCESSOR[language]}" in entrusted
    work = "card payment processing" if language == "en" else "카드 결제 처리"
    assert any(work in line for line in entrusted)
    shared = article(html, ARTICLE_5[language])
    labels = (
        ("Recipient", "Purpose", "Items given", "Kept by the partner")
        if language == "en"
        else ("제공받는 자", "제공 목적", "제공 항목", "보유·이용 기간")
    )
    for partner in PARTNERS:
        recipient = shared.index(f"{labels[0]}: {partner[f'name_{language}']}")
        assert shared[recipient + 1 : recipient + 4] == [
            f"• {labels[1]}: {partner[f'purpose_{language}']}",
            f"• {labels[2]}: {ITEMS[partner['slug']][language]}",
            f"• {labels[3]}: {partner[f'retention_{language}']}",
        ]
    consent = (
        "only if you consent at checkout"
        if language == "en"
        else "결제 단계에서 해당 배송 업체에 대한 제공에 따로 동의한 경우에만"
    )
    assert any(consent in line for line in shared)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_published_policy_names_the_processor_and_each_configured_partner(
    client: Client, configured: None, language: str
) -> None:
    before = latest()
    assert PROCESSOR["en"] not in before.body_en  # version 2 names no processor and no partner
    publish_configured(days_ahead=8)
    document = latest()
    assert document.version == before.version + 1
    # Announced: readable on its own page before it applies, and the page says when it takes effect.
    upcoming = page(client, f"/privacy/v{document.version}/", language)
    assert_names_processor_and_partners(upcoming, language)
    with translation.override(language):
        day = formats.date_format(timezone.localtime(document.effective_at), "DATE_FORMAT")
    assert day in element(upcoming, "version-notice").text
    assert PROCESSOR[language] not in page(client, "/privacy/", language)  # the version in force is still the old one

    seven_days_pass(document)
    in_force = page(client, "/privacy/", language)
    assert_names_processor_and_partners(in_force, language)
    assert 'id="version-notice"' not in in_force  # this is the version in force, not an upcoming one


@pytest.mark.django_db
def test_the_korean_text_keeps_the_glossary_and_names_groupket_in_latin_once(configured: None) -> None:
    publish_configured(days_ahead=8)
    body = latest().body_ko
    for rule, breaches in GLOSSARY:
        if rule != "그룹켓, never the Latin name":  # checked just below: once, to introduce 그룹켓
            assert breaches(body) == [], rule
    assert body.count("Groupket") == 1 and "그룹켓(Groupket)" in body
    assert "{" not in body + latest().body_en  # every placeholder filled


def read_mail(path: Path) -> tuple[str, str, str]:
    message = email.message_from_bytes(path.read_bytes())
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    return message["To"], subject, message.get_payload(decode=True).decode()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_new_recipients_are_a_material_change_announced_with_its_notice_period(
    client: Client, configured: None, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    members = [MemberFactory() for _ in range(2)]
    before = latest()
    # Seven full days' notice: a date sooner is refused, and nothing is stored or sent.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError, match="announced 7 days"):
        publish_configured(days_ahead=7)
    assert latest() == before
    assert MassNotice.objects.count() == 0
    assert not list(mail_dir.glob("*.eml"))

    with django_capture_on_commit_callbacks(execute=True):
        output = publish_configured(days_ahead=8)
    document = latest()
    assert f"Published privacy version {document.version}." in output
    assert "Material change (7 days' notice)" in output
    assert document.material
    assert document.effective_at >= timezone.now() + timedelta(days=7)
    assert PROCESSOR["en"] in document.change_summary_en
    assert PROCESSOR["ko"] in document.change_summary_ko
    for partner in PARTNERS:
        assert partner["name_en"] in document.change_summary_en
        assert partner["name_ko"] in document.change_summary_ko
    notice = MassNotice.objects.get()
    assert (notice.kind, notice.document, notice.status) == (MassNotice.POLICY_CHANGE, document, MassNotice.DONE)
    mails = [read_mail(path) for path in sorted(mail_dir.glob("*.eml"))]
    assert sorted(to for to, _subject, _body in mails) == sorted(member.email for member in members)
    with translation.override("en"):
        day = formats.date_format(timezone.localtime(document.effective_at), "DATE_FORMAT")
    for _to, subject, body in mails:
        assert subject.startswith(f"[Groupket] The Privacy Policy changes on {day} / ")
        assert PROCESSOR["en"] in body
        assert PROCESSOR["ko"] in body
        assert f"/privacy/v{document.version}/#what-changed" in body

    # Until it takes effect a banner says so; from that day each member is asked to agree again.
    sign_in(client, members[0])
    assert f"The Privacy Policy changes on {day}:" in client.get("/me/").content.decode()
    seven_days_pass(document)
    assert client.get("/me/")["Location"].startswith(RENEW)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_terms_reference_to_the_processor_resolves_to_the_policy_article(
    client: Client, configured: None, language: str
) -> None:
    # While no policy names a processor, the terms page points at none.
    assert 'id="terms-processor"' not in page(client, "/terms/", language)

    publish_configured(days_ahead=8)
    document = latest()
    upcoming = element(page(client, "/terms/", language), "terms-processor")
    assert upcoming.hrefs == [f"/privacy/v{document.version}/#article-5-2"]

    seven_days_pass(document)
    reference = element(page(client, "/terms/", language), "terms-processor")
    assert reference.hrefs == ["/privacy/#article-5-2"]
    named = "Article 5-2 of the Privacy Policy" if language == "en" else "개인정보 처리방침 제5조의2"
    assert named in reference.text
    path, anchor = reference.hrefs[0].split("#")
    policy = page(client, path, language)
    assert element(policy, anchor).text == ARTICLE_5_2[language]
    processor_line = "Company entrusted with the work" if language == "en" else "수탁자"
    assert f"• {processor_line}: {PROCESSOR[language]}" in article(policy, ARTICLE_5_2[language])


@pytest.mark.django_db
def test_an_operator_who_changes_a_partner_publishes_the_next_version_the_same_way(
    client: Client, configured: None, settings
) -> None:
    publish_configured(days_ahead=8)
    first = latest()
    # The same configuration again is nothing new.
    with pytest.raises(CommandError, match=f"The text is the same as version {first.version}"):
        publish_configured(days_ahead=8)

    settings.GROUPKET_SHIPPING_PARTNERS = [PARTNERS[1]]
    output = publish_configured(days_ahead=9)
    second = latest()
    assert second.version == first.version + 1 and second.material
    assert "-Recipient: Hangang Express" in output  # the diff printed before publishing
    html = page(client, f"/privacy/v{second.version}/", "en")
    shared = article(html, ARTICLE_5["en"])
    assert "Recipient: Mapo Parcel" in shared
    assert "Recipient: Hangang Express" not in shared


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "options", "message"),
    [
        (("en.txt", "ko.txt"), {"from_configuration": True}, "give no files and no other --kind"),
        ((), {"from_configuration": True, "kind": "terms"}, "give no files and no other --kind"),
        ((), {}, "Give FILE_EN, FILE_KO and --kind, or --from-configuration."),
    ],
)
def test_a_configured_publication_given_files_or_another_document_is_refused(
    configured: None, arguments: tuple, options: dict, message: str
) -> None:
    before = latest()
    effective = (timezone.localdate() + timedelta(days=8)).isoformat()
    with pytest.raises(CommandError, match=message):
        call_command("publish_policy", *arguments, effective=effective, yes=True, **options)
    assert latest() == before
