"""The privacy officer's console pages: destructions, notices with news composed there, policy versions.

(P3.1, P4.1, P8.5.)
"""

import email
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from groupket.accounts.services.sign_in import record_login_attempt
from groupket.accounts.services.unregister import unregister_member
from groupket.privacy.models import MassNotice, PolicyDocument, RetainedRecord
from groupket.privacy.services import record_destruction
from tests.conftest import CONSOLE_QUERIES, TEST_SETUP, make_staff, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment

NEWS = {
    "subject_en": "Group orders are here",
    "subject_ko": "공동구매가 시작되었습니다",
    "body_en": "Run a group order in your space.",
    "body_ko": "스페이스에서 공동구매를 열어 보세요.",
}
NEW_LINE_EN = "• Delivery addresses go to a shipping partner only with your consent at checkout."
NEW_LINE_KO = "• 배송지 주소는 결제 시 동의한 경우에만 배송 업체에 전달됩니다."


@pytest.fixture
def officer(client: Client) -> Client:
    sign_in_staff(client, make_staff("privacy_officer"))
    return client


def mails(mail_dir: Path) -> list[email.message.Message]:
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [email.message_from_bytes(path.read_bytes()) for path in files]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/staff/destructions/", "/staff/notices/", "/staff/policy/"])
def test_the_officer_pages_are_closed_to_other_roles(client: Client, page: str) -> None:
    assert client.get(page).status_code == 404
    sign_in_staff(client, make_staff("support_handler"))
    assert client.get(page).status_code == 403


# --- Destructions (P8.5) -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_destructions_show_upcoming_counts_by_month_and_category_and_the_last_100_log_rows(
    officer: Client, django_assert_num_queries
) -> None:
    for _ in range(2):
        former = MemberFactory()
        record_login_attempt(
            member=former, request=RequestFactory().get("/", REMOTE_ADDR="203.0.113.9"), succeeded=True
        )
        unregister_member(member=former, password=DEFAULT_PASSWORD)
    for number in range(105):
        record_destruction(category=f"category {number}", count=number + 1, method="rows deleted", basis="test")
    month = RetainedRecord.objects.values_list("retention_key__month", flat=True).first()
    officer.get("/staff/")

    with django_assert_num_queries(CONSOLE_QUERIES + 2):
        page = officer.get("/staff/destructions/").content.decode()

    upcoming = fragment(page, data_upcoming=str(month))
    assert "login records" in upcoming and '<td class="count">2</td>' in upcoming
    assert "203.0.113.9" not in page
    assert page.count("data-destruction=") == 100
    assert "category 104<" in page and "category 4<" not in page


# --- Notices and news (P4.1) -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_news_composed_in_the_console_reaches_only_subscribers_and_the_list_counts_it(
    officer: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    MemberFactory(email="wants.news@example.org", marketing_opt_in=True)
    MemberFactory(email="no.news@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post("/staff/notices/", NEWS)

    assert response.status_code == 302 and response["Location"] == "/staff/notices/"
    assert [message["To"] for message in mails(mail_dir)] == ["wants.news@example.org"]
    notice = MassNotice.objects.get()
    assert (notice.kind, notice.status, notice.sent, notice.total) == ("news", "done", 1, 1)
    row = fragment(officer.get("/staff/notices/").content.decode(), data_notice=str(notice.pk))
    assert "Group orders are here" in row and '<td class="sent">1/1' in row and "Done" in row


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject_en": "Two\r\nlines"}, "A subject is one line."),
        ({"body_ko": "   "}, "This field is required."),
        ({"subject_ko": "가" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_news_is_refused_and_nothing_is_queued(officer: Client, overrides: dict, message: str) -> None:
    response = officer.post("/staff/notices/", {**NEWS, **overrides})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert MassNotice.objects.count() == 0


@pytest.mark.django_db
def test_the_notice_list_is_read_in_a_fixed_number_of_queries(officer: Client, django_assert_num_queries) -> None:
    from groupket.privacy.services.notices import create_mass_notice

    for number in range(3):
        create_mass_notice(
            actor=TEST_SETUP, kind=MassNotice.NEWS, **{**NEWS, "subject_en": f"News {number}"}, queue=False
        )
    officer.get("/staff/")
    with django_assert_num_queries(CONSOLE_QUERIES + 1):
        page = officer.get("/staff/notices/").content.decode()
    assert page.count("data-notice=") == 3
    assert '<td class="sent">0/0' in page and 'http-equiv="refresh"' in page  # pending notices: the page refreshes


# --- Policy versions (P3.1) ----------------------------------------------------------------------------------


def latest_policy() -> PolicyDocument:
    """The newest Privacy Policy so far: the version the migrations installed, unless a test published one."""
    return PolicyDocument.objects.filter(kind="privacy").order_by("-version").first()


def policy_fields(**overrides: object) -> dict[str, object]:
    first = latest_policy()
    fields = {
        "kind": "privacy",
        "effective_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "summary_en": "",
        "summary_ko": "",
        "body_en": f"{first.body_en}\n{NEW_LINE_EN}",
        "body_ko": f"{first.body_ko}\n{NEW_LINE_KO}",
    }
    return {**fields, **overrides}


def digest_in(page: str) -> str:
    return re.search(r'name="preview_digest" value="([0-9a-f]{64})"', page).group(1)


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_a_version_is_published_only_after_its_changes_are_shown(officer: Client) -> None:
    preview = officer.post("/staff/policy/", {**policy_fields(), "action": "preview"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert f"<ins>+{NEW_LINE_EN}</ins>" in page and f"<ins>+{NEW_LINE_KO}</ins>" in page
    assert 'value="publish"' in page
    installed = latest_policy()
    new = installed.version + 1

    published = officer.post(
        "/staff/policy/", {**policy_fields(), "action": "publish", "preview_digest": digest_in(page)}
    )

    assert published.status_code == 302 and published["Location"] == "/staff/policy/"
    document = latest_policy()
    assert document.version == new
    assert document.body_en.endswith(NEW_LINE_EN) and document.material is False
    listed = officer.get("/staff/policy/").content.decode()
    assert f'data-document="privacy-{new}"' in listed
    assert f"Version {new} of the Privacy Policy was published." in listed


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_publishing_without_a_preview_or_with_changed_text_shows_the_changes_again(officer: Client) -> None:
    installed = latest_policy()
    no_preview = officer.post("/staff/policy/", {**policy_fields(), "action": "publish"})
    assert no_preview.status_code == 400
    assert "The text changed after the preview" in no_preview.content.decode()

    digest = digest_in(officer.post("/staff/policy/", {**policy_fields(), "action": "preview"}).content.decode())
    edited = policy_fields(body_en=policy_fields()["body_en"] + "\nOne more line.")
    changed = officer.post("/staff/policy/", {**edited, "action": "publish", "preview_digest": digest})
    assert changed.status_code == 400
    assert "<ins>+One more line.</ins>" in changed.content.decode()
    assert latest_policy() == installed


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"material": "on"}, "A material change needs a summary of what changes, in English and in Korean."),
        (
            {"material": "on", "summary_en": "Partners.", "summary_ko": "파트너."},
            "This change must be announced 7 days before it takes effect",
        ),
        ({"effective_on": "2001-01-01"}, "The effective date is in the past."),
        ({"body_en": None}, "The text is the same as version {installed}: there is nothing to publish."),
        ({"kind": "cookies"}, "Select a valid choice."),
        ({"effective_on": "soon"}, "Enter a valid date."),
    ],
)
def test_refusals_are_shown_as_form_errors_and_nothing_is_published(
    officer: Client, overrides: dict, message: str
) -> None:
    installed = latest_policy()
    if overrides.get("body_en", "") is None:
        overrides = {"body_en": installed.body_en, "body_ko": installed.body_ko}
    for action in ("preview", "publish"):
        response = officer.post("/staff/policy/", {**policy_fields(**overrides), "action": action})
        assert response.status_code == 400
        assert message.format(installed=installed.version) in response.content.decode()
    assert latest_policy() == installed
    assert MassNotice.objects.count() == 0
