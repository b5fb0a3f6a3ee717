"""Agreeing again after a material change takes effect: asked on every page until answered (P3.1)."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.privacy.models import ConsentEvent, PolicyDocument
from tests.conftest import MEMBER_PAGE_QUERIES, sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment

RENEW = "/me/agreements/renew/"
SUMMARY_EN = {"privacy": "Delivery addresses now go to shipping partners.", "terms": "Group orders can be refunded."}
SUMMARY_KO = {"privacy": "배송지 주소가 배송 업체에 전달됩니다.", "terms": "공동 주문을 환불할 수 있습니다."}
NEW_LINE = "• A line added in the new version."


def change_in_force(kind: str = "privacy", *, material: bool = True) -> PolicyDocument:
    """The next version, already in effect, stored directly: publishing refuses a material change dated today."""
    previous = PolicyDocument.objects.filter(kind=kind).order_by("-version").first()
    version = previous.version + 1
    return PolicyDocument.objects.create(
        kind=kind,
        version=version,
        effective_at=timezone.now() - timedelta(minutes=1),
        material=material,
        change_summary_en=SUMMARY_EN[kind],
        change_summary_ko=SUMMARY_KO[kind],
        body_en=f"{previous.body_en}\n{NEW_LINE} v{version}",
        body_ko=f"{previous.body_ko}\n{NEW_LINE} v{version}",
    )


def latest_event(member: Member, kind: str) -> ConsentEvent:
    return ConsentEvent.objects.filter(member=member, document=kind).order_by("-created_at", "-pk").first()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
@pytest.mark.parametrize("path", ["/", "/me/", "/me/sessions/", "/me/edit/?tab=1", "/accounts/signup/done/"])
def test_after_the_effective_date_every_page_asks_for_agreement(signed_in: Client, path: str) -> None:
    assert not signed_in.get(path).headers.get("Location", "").startswith(RENEW)
    change_in_force()
    response = signed_in.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{RENEW}?next={quote(path, safe='')}"


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
@pytest.mark.parametrize(
    ("path", "status"),
    [
        (RENEW, 200),
        ("/privacy/", 200),
        ("/privacy/v{new}/", 200),
        ("/terms/v1/", 200),
        ("/accounts/logout/", 200),
        ("/me/unregister/", 200),
        ("/me/export/", 200),
        ("/static/css/groupket.css", 200),
        ("/news/unsubscribe/not-a-token/", 400),
    ],
)
def test_reading_the_documents_leaving_and_signing_out_stay_open(signed_in: Client, path: str, status: int) -> None:
    new = change_in_force().version
    assert signed_in.get(path.format(new=new)).status_code == status
    response = signed_in.post("/i18n/setlang/", {"language": "ko", "next": "/privacy/"})
    assert response.status_code == 302 and response["Location"] == "/privacy/"


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_a_member_is_asked_at_their_next_sign_in(client: Client, member: Member) -> None:
    change_in_force()
    response = client.post("/accounts/login/", {"username": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain == [(f"{RENEW}?next=%2Fme%2F", 302)]
    assert "Please read and agree again" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_renew_page_shows_the_summary_the_diff_link_the_full_text_and_agree_disagree(signed_in: Client) -> None:
    document = change_in_force()
    html = signed_in.get(RENEW).content.decode()
    fieldset = fragment(html, data_renewal="privacy")
    assert SUMMARY_EN["privacy"] in fieldset
    assert f'href="/privacy/v{document.version}/#what-changed"' in fieldset
    assert document.body_en.splitlines()[0] in fieldset and f"{NEW_LINE} v{document.version}" in fieldset
    assert 'type="radio" name="agree_privacy" value="agree"' in fieldset
    assert 'type="radio" name="agree_privacy" value="disagree"' in fieldset
    assert 'name="agree_terms"' not in html  # the Terms of Use did not change
    assert SUMMARY_KO["privacy"] in signed_in.get(RENEW, HTTP_ACCEPT_LANGUAGE="ko").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_agree_records_the_version_and_lets_the_member_through(signed_in: Client, member: Member) -> None:
    new = change_in_force().version
    response = signed_in.post(RENEW, {"agree_privacy": "agree", "version_privacy": new, "next": "/me/sessions/"})
    assert response.status_code == 302 and response["Location"] == "/me/sessions/"
    event = latest_event(member, "privacy")
    assert (event.version, event.granted, event.channel) == (new, True, "renewal")
    assert signed_in.get("/me/sessions/").status_code == 200
    assert signed_in.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_disagree_is_recorded_keeps_the_member_waiting_and_offers_export_and_unregister(
    signed_in: Client, member: Member
) -> None:
    new = change_in_force().version
    response = signed_in.post(RENEW, {"agree_privacy": "disagree", "version_privacy": new, "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == f"{RENEW}declined/?next=%2Fme%2F"
    event = latest_event(member, "privacy")
    assert (event.version, event.granted, event.channel) == (new, False, "renewal")

    page = signed_in.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "basic service" in html
    assert 'href="/me/export/"' in html and 'href="/me/unregister/"' in html
    assert f'href="{RENEW}?next=%2Fme%2F"' in html
    assert signed_in.get("/me/")["Location"] == f"{RENEW}?next=%2Fme%2F"  # still waiting
    assert signed_in.get("/me/unregister/").status_code == 200

    # Changing their mind later is one Agree away.
    signed_in.post(RENEW, {"agree_privacy": "agree", "version_privacy": new})
    assert signed_in.get("/me/").status_code == 200


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_both_documents_are_asked_for_and_each_answer_is_recorded(signed_in: Client, member: Member) -> None:
    terms = change_in_force("terms").version
    privacy = change_in_force("privacy").version
    html = signed_in.get(RENEW).content.decode()
    assert 'name="agree_terms"' in html and 'name="agree_privacy"' in html
    response = signed_in.post(
        RENEW, {"agree_terms": "agree", "version_terms": terms, "agree_privacy": "disagree", "version_privacy": privacy}
    )
    assert response["Location"] == f"{RENEW}declined/"
    assert latest_event(member, "terms").granted and not latest_event(member, "privacy").granted
    html = signed_in.get(RENEW).content.decode()
    assert 'name="agree_privacy"' in html and 'name="agree_terms"' not in html  # only what is still missing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose Agree or Disagree for the Privacy Policy."),
        ({"agree_privacy": "maybe", "version_privacy": "{new}"}, "Choose Agree or Disagree for the Privacy Policy."),
        ({"agree_privacy": "agree", "version_privacy": "{agreed}"}, "This page is out of date."),
        ({"agree_privacy": "agree", "version_privacy": "x"}, "This page is out of date."),
    ],
)
def test_missing_or_stale_answer_is_refused_and_records_nothing(
    signed_in: Client, member: Member, data: dict, message: str
) -> None:
    new = change_in_force().version
    versions = {"new": new, "agreed": new - 1}
    response = signed_in.post(RENEW, {key: value.format(**versions) for key, value in data.items()})
    assert response.status_code == 400 and message in response.content.decode()
    assert latest_event(member, "privacy").version == new - 1


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://attacker.example/", "0", "accounts:logout"])
def test_next_leading_off_the_site_or_to_no_path_is_ignored(signed_in: Client, next_url: str) -> None:
    new = change_in_force().version
    response = signed_in.post(RENEW, {"agree_privacy": "agree", "version_privacy": new, "next": next_url})
    assert response["Location"] == "/me/"


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_a_non_material_version_blocks_nobody(signed_in: Client) -> None:
    change_in_force(material=False)
    assert signed_in.get("/me/").status_code == 200
    assert signed_in.get(RENEW)["Location"] == "/me/"  # nothing to answer


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_agreeing_to_a_later_version_covers_an_earlier_material_change(signed_in: Client, member: Member) -> None:
    material = change_in_force(material=True).version
    later = change_in_force(material=False).version
    html = signed_in.get(RENEW).content.decode()
    assert f'name="version_privacy" value="{later}"' in html and f'href="/privacy/v{material}/#what-changed"' in html
    signed_in.post(RENEW, {"agree_privacy": "agree", "version_privacy": later})
    assert latest_event(member, "privacy").version == later
    assert signed_in.get("/me/").status_code == 200


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_a_member_who_signs_up_after_the_change_agreed_to_it_and_is_not_asked_again(client: Client) -> None:
    new = change_in_force().version
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "name": "Seo-yeon Park",
            "email": "seoyeon@example.org",
            "password1": "blue9harbor-Lamp",
            "password2": "blue9harbor-Lamp",
            "agree_terms": "agree",
            "agree_privacy": "agree",
        },
    )
    assert response.status_code == 302
    member = Member.objects.with_username("newcomer").get()
    assert (latest_event(member, "privacy").version, latest_event(member, "privacy").granted) == (new, True)
    client.post("/accounts/login/", {"username": "newcomer", "password": "blue9harbor-Lamp"})
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_the_agreement_check_costs_one_query_once_its_answer_is_in_the_session(
    client: Client, django_assert_num_queries
) -> None:
    waiting = MemberFactory()
    change_in_force()
    agreed = MemberFactory()  # signed up after the change
    sign_in(client, waiting)
    client.get("/me/")  # the first request looks the answer up and keeps it in the session
    # session, member, sign-in check, the material versions; then the redirect
    with django_assert_num_queries(MEMBER_PAGE_QUERIES):
        assert client.get("/me/")["Location"].startswith(RENEW)

    other = Client()
    sign_in(other, agreed)
    other.get("/")
    # session, member, sign-in check, the material versions (the banners need no more); then the home page's
    # own two: the member's spaces and, as they are in none, the suggested ones
    with django_assert_num_queries(MEMBER_PAGE_QUERIES + 2):
        assert other.get("/").status_code == 200
