"""The Privacy Policy and Terms of Use pages: text, versions, inventory, manager and dispute bodies (P11.1, P12.1)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone

from groupket.privacy import inventory
from groupket.privacy.models import PolicyDocument
from tests.markup import element


def page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def latest(kind: str) -> PolicyDocument:
    return PolicyDocument.objects.filter(kind=kind).order_by("-version").first()


def publish(kind: str, *, effective_in: timedelta, body: str) -> PolicyDocument:
    """A further version of a document, as the next publication would add one."""
    version = latest(kind).version + 1
    return PolicyDocument.objects.create(
        kind=kind, version=version, effective_at=timezone.now() + effective_in, body_en=body, body_ko=body
    )


def section_numbers(body: str, heading: str = r"(\d+)\. \S") -> list[int]:
    return [int(match) for match in re.findall(f"^{heading}", body, flags=re.MULTILINE)]


# From version 2 on, the Privacy Policy is numbered as Korean policies are: 제1조(...), and Article 1 (...) in English.
ARTICLE_EN, ARTICLE_KO = r"Article (\d+) \(", r"제(\d+)조\("


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "sections"), [("privacy", 12), ("terms", 10)])
def test_version_1_documents_are_numbered_in_order_in_both_languages(kind: str, sections: int) -> None:
    # The garbled numbering of the owner's draft (1, 2, 1, 2, ...) must not reach members.
    document = PolicyDocument.objects.get(kind=kind, version=1)
    assert section_numbers(document.body_en) == list(range(1, sections + 1))
    assert section_numbers(document.body_ko) == list(range(1, sections + 1))


@pytest.mark.django_db
def test_privacy_policy_version_2_is_numbered_in_articles_with_cross_references_to_match() -> None:
    document = PolicyDocument.objects.get(kind="privacy", version=2)
    assert section_numbers(document.body_en, ARTICLE_EN) == list(range(1, 14))
    assert section_numbers(document.body_ko, ARTICLE_KO) == list(range(1, 14))
    # Cross-references name articles too; none is left in the "section N" / "N항" style of version 1.
    assert "(see Article 8)" in document.body_en and "(제8조 참조)" in document.body_ko
    assert "section " not in document.body_en and not re.search(r"(?<!제)\d+항", document.body_ko)
    assert "제6조(정보주체의 권리·의무 및 행사 방법)" in document.body_ko
    assert "Article 6 (Rights and Duties of Data Subjects and How to Exercise Them)" in document.body_en
    for right in ("열람", "정정", "삭제", "처리정지", "동의 철회"):
        assert right in document.body_ko.split("제7조")[0].split("제6조")[1]
    assert "제13조(개인정보 처리방침의 변경)" in document.body_ko
    assert "Article 13 (Changes to this Privacy Policy)" in document.body_en
    assert "고의나 과실이 있거나 법령에서 달리 정한 경우가 아니면" in document.body_ko
    assert "Unless Groupket acted intentionally or negligently, or a law provides otherwise" in document.body_en


@pytest.mark.django_db
@pytest.mark.clause("P12.1")
def test_privacy_policy_text_gives_the_current_dispute_contacts_and_retention() -> None:
    document = latest("privacy")
    for body in (document.body_en, document.body_ko):
        assert "privacy.kisa.or.kr" in body and "118" in body
        assert "kopico.go.kr" in body and "1833-6972" in body
        assert "www.spo.go.kr" in body and "1301" in body
        assert "ecrm.police.go.kr" in body and "182" in body
        # The draft's contacts are out of date: that site is gone and 02-1336 is no longer KISA's number.
        assert "cyberprivacy" not in body and "1336" not in body
    assert "3 months" in document.body_en and "3개월" in document.body_ko
    assert "destroys the key" in document.body_en and "키를 파기" in document.body_ko


@pytest.mark.django_db
def test_policy_page_shows_the_policy_in_force_with_its_version_and_date(client: Client) -> None:
    html = page(client, "/privacy/")
    head = element(html, "document-title")
    assert head.text == "Privacy Policy"
    document = latest("privacy")
    meta = element(html, "document-meta", attribute="class")
    effective = formats.date_format(timezone.localtime(document.effective_at), "DATE_FORMAT")
    assert f"Version {document.version}" in meta.text and effective in meta.text and "in force now" in meta.text
    text = element(html, "document-text")
    headings = [block for tag, block in text.blocks if tag == "h2"]
    assert section_numbers("\n".join(headings), ARTICLE_EN) == list(range(1, 14))
    assert headings[10] == "Article 11 (Personal Information Manager)"
    # The text states the effective date the version page shows (Article 13).
    day = timezone.localdate(document.effective_at)
    assert f"This Privacy Policy applies from {day.day} {day:%B} {day.year}." in text.text
    # Viewing the version in force shows no "earlier version" notice.
    assert 'id="version-notice"' not in html


@pytest.mark.django_db
def test_policy_text_is_escaped_and_keeps_every_line_break(client: Client) -> None:
    publish(
        "privacy",
        effective_in=-timedelta(hours=1),
        body="1. First section\nA line with <script>alert(1)</script> & more\nThe next line\n\n• A bullet",
    )
    html = page(client, "/privacy/")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    blocks = element(html, "document-text").blocks
    assert blocks == [
        ("h2", "1. First section"),
        ("p", "A line with <script>alert(1)</script> & more"),
        ("p", "The next line"),
        ("p", "• A bullet"),
    ]


@pytest.mark.django_db
@pytest.mark.clause("P11.1")
def test_policy_page_names_the_personal_information_manager_from_configuration(client: Client, settings) -> None:
    settings.GROUPKET_PRIVACY_OFFICER = {
        "name": "Park Seo-yeon",
        "email": "dpo@groupket.example",
        "phone": "+82-2-555-0147",
    }
    html = page(client, "/privacy/")
    officer = element(html, "officer")
    assert "Personal Information Manager" in officer.text
    assert element(html, "name", attribute="data-officer").text == "Park Seo-yeon"
    assert element(html, "email", attribute="data-officer").text == "dpo@groupket.example"
    assert element(html, "phone", attribute="data-officer").text == "+82-2-555-0147"
    assert officer.hrefs == ["mailto:dpo@groupket.example", "tel:+82-2-555-0147"]
    # Nothing of the default configuration is left on the page.
    assert "privacy@groupket.localhost" not in html and "Groupket Privacy Officer" not in html


@pytest.mark.django_db
@pytest.mark.clause("P12.1")
def test_policy_page_gives_both_dispute_bodies_with_sites_and_phones(client: Client) -> None:
    html = page(client, "/privacy/")
    kisa = element(html, "kisa", attribute="data-body")
    assert "Korea Internet & Security Agency (KISA), Privacy Infringement Report Center" in kisa.text
    assert "privacy.kisa.or.kr" in kisa.text and "118" in kisa.text
    assert kisa.hrefs == ["https://privacy.kisa.or.kr", "tel:118"]
    kopico = element(html, "kopico", attribute="data-body")
    assert "Personal Information Dispute Mediation Committee" in kopico.text
    assert "kopico.go.kr" in kopico.text and "1833-6972" in kopico.text
    assert kopico.hrefs == ["https://www.kopico.go.kr", "tel:1833-6972"]
    # The places to report an infringement for investigation, beside the two bodies the clause names.
    spo = element(html, "spo", attribute="data-body")
    assert "Supreme Prosecutors' Office" in spo.text and "1301" in spo.text
    assert spo.hrefs == ["https://www.spo.go.kr", "tel:1301"]
    police = element(html, "police", attribute="data-body")
    assert "Korean National Police Agency" in police.text and "182" in police.text
    assert police.hrefs == ["https://ecrm.police.go.kr", "tel:182"]


@pytest.mark.django_db
@pytest.mark.clause("P12.1")
def test_korean_policy_page_gives_both_dispute_bodies_in_korean(client: Client) -> None:
    html = page(client, "/privacy/", HTTP_ACCEPT_LANGUAGE="ko")
    assert '<html lang="ko">' in html
    text = element(html, "document-text").text
    assert "제12조(권익침해 구제 및 분쟁조정)" in text
    assert "한국인터넷진흥원(KISA) 개인정보침해 신고센터: privacy.kisa.or.kr, 국번 없이 118" in text
    assert "개인정보 분쟁조정위원회: kopico.go.kr, 1833-6972" in text
    assert "대검찰청: www.spo.go.kr, 국번 없이 1301" in text and "경찰청: ecrm.police.go.kr, 국번 없이 182" in text
    kisa = element(html, "kisa", attribute="data-body")
    kopico = element(html, "kopico", attribute="data-body")
    assert "privacy.kisa.or.kr" in kisa.text and "118" in kisa.text
    assert "kopico.go.kr" in kopico.text and "1833-6972" in kopico.text
    # The bodies are named in Korean too (from the ko catalogue, which `make test` compiles first).
    assert "한국인터넷진흥원" in kisa.text and "Korea Internet" not in kisa.text
    assert "분쟁조정위원회" in kopico.text and "Committee" not in kopico.text
    assert "대검찰청" in element(html, "spo", attribute="data-body").text
    assert "경찰청" in element(html, "police", attribute="data-body").text


@pytest.mark.django_db
def test_policy_page_tabulates_every_inventory_item(client: Client) -> None:
    html = page(client, "/privacy/")
    for item in inventory.ITEMS:
        row = element(html, item.key, attribute="data-item")
        assert str(item.label) in row.text
        assert ("Required" if item.required else "Optional") in row.text
        assert str(item.retention) in row.text
        for purpose in item.purposes:
            assert str(inventory.PURPOSE_LABELS[purpose]) in row.text
    # Sign-in records are the item kept for a fixed time, not until withdrawal.
    assert "3 months" in element(html, "login_ip", attribute="data-item").text
    assert "Optional" in element(html, "phone", attribute="data-item").text


@pytest.mark.django_db
def test_a_newer_version_takes_over_and_the_earlier_one_stays_readable_with_a_notice(client: Client) -> None:
    before = latest("privacy").version
    new = publish("privacy", effective_in=-timedelta(days=1), body="1. A newer version of the policy").version

    current = page(client, "/privacy/")
    assert element(current, "document-text").text == "1. A newer version of the policy"
    versions = element(current, "versions")
    assert versions.hrefs == [f"/privacy/v{number}/" for number in range(new, 0, -1)]
    assert "in force" in element(current, str(new), attribute="data-version").text
    assert 'id="version-notice"' not in current

    earlier = page(client, f"/privacy/v{before}/")
    notice = element(earlier, "version-notice")
    assert "You are reading an earlier version." in notice.text
    assert notice.hrefs == ["/privacy/"]
    assert "Article 1 (Principles of Personal Information Collection)" in element(earlier, "document-text").text
    assert "in force" not in element(earlier, str(before), attribute="data-version").text
    assert "in force" in element(earlier, str(new), attribute="data-version").text


@pytest.mark.django_db
def test_an_upcoming_version_is_announced_but_not_yet_in_force(client: Client) -> None:
    coming = publish("privacy", effective_in=timedelta(days=30), body="1. The coming policy").version

    current = page(client, "/privacy/")
    assert "Article 1 (Principles of Personal Information Collection)" in element(current, "document-text").text
    assert "A new version is coming." in current and f'href="/privacy/v{coming}/"' in current
    assert "upcoming" in element(current, str(coming), attribute="data-version").text

    upcoming = page(client, f"/privacy/v{coming}/")
    assert "This version is not in force yet." in element(upcoming, "version-notice").text


@pytest.mark.django_db
def test_a_version_that_does_not_exist_is_not_found(client: Client) -> None:
    assert client.get("/privacy/v99/").status_code == 404
    assert client.get("/terms/v99/").status_code == 404


@pytest.mark.django_db
def test_terms_page_shows_the_terms_with_versions_and_no_inventory(client: Client) -> None:
    publish("terms", effective_in=-timedelta(days=1), body="1. Terms, version two")
    html = page(client, "/terms/")
    assert element(html, "document-title").text == "Terms of Use"
    assert element(html, "document-text").text == "1. Terms, version two"
    assert element(html, "versions").hrefs == ["/terms/v2/", "/terms/v1/"]
    assert 'id="inventory"' not in html and 'id="officer"' not in html
    assert element(html, "terms-contact").hrefs == ["/privacy/"]

    earlier = page(client, "/terms/v1/")
    assert element(earlier, "version-notice").hrefs == ["/terms/"]
    headings = [block for tag, block in element(earlier, "document-text").blocks if tag == "h2"]
    assert headings[0] == "1. The Service" and headings[-1] == "10. Contact"


@pytest.mark.django_db
def test_korean_terms_page_shows_the_korean_text(client: Client) -> None:
    html = page(client, "/terms/", HTTP_ACCEPT_LANGUAGE="ko")
    headings = [block for tag, block in element(html, "document-text").blocks if tag == "h2"]
    assert headings[0] == "1. 서비스" and headings[-1] == "10. 문의"
