"""[Download my data]: everything held, for programs and for people, sealed, short-lived (P6.1)."""

import base64
import io
import json
import logging
import re
import zipfile
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import formats, timezone, translation

from groupket.accounts.models import Member
from groupket.accounts.photos import make_profile_photo
from groupket.accounts.services.sign_in import record_login_attempt
from groupket.core.schedules import get_job, run_job
from groupket.privacy import inventory
from groupket.privacy.models import DataExport, DestructionLog, Disclosure
from groupket.privacy.selectors import current_document
from groupket.privacy.services.disclosures import record_disclosure
from groupket.privacy.services.exports import ExportNotYours, ensure_own_export
from tests.accounts.test_photo import image_bytes
from tests.conftest import MEMBER_PAGE_QUERIES, sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory
from tests.markup import fragment


def ask_for_export(client: Client, capture, password: str = DEFAULT_PASSWORD):
    """Post the request and run what the commit sets off (the build, in-process as without a broker)."""
    with capture(execute=True):
        return client.post("/me/export/", {"password": password})


def download(client: Client, export: DataExport) -> zipfile.ZipFile:
    response = client.get(f"/me/export/{export.pk}/download/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def full_member() -> Member:
    """A member with every optional item given, a sign-in record and a visible disclosure."""
    member = MemberFactory(name="Minji <script>alert(1)</script> Kim")
    member.phone, member.bio = "+821055501234", "Bakes <b>bread</b> & cakes"
    member.photo = make_profile_photo(image_bytes("PNG")).data
    member.save(update_fields=["phone", "bio", "photo"])
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Firefox/140 test-agent")
    record_login_attempt(member=member, request=request, succeeded=True)
    record_disclosure(
        member=member,
        recipient="Seoul Metropolitan Police Agency",
        items=["phone"],
        basis=Disclosure.LAW,
        reference="warrant 42",
        notify_member=True,
    )
    return Member.objects.get(pk=member.pk)


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "action", "data")]


# --- the archive ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_export_builds_a_zip_of_data_json_and_index_html_with_everything_held(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    member = full_member()
    sign_in(client, member)
    before = timezone.now()

    response = ask_for_export(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == "/me/export/"
    export = DataExport.objects.get(member=member)
    assert export.status == DataExport.READY and export.progress == 100
    assert before <= export.finished_at <= timezone.now()
    assert export.download_until == export.finished_at + timedelta(hours=24)
    assert abs(export.destroy_after - (export.created_at + timedelta(days=7))) < timedelta(seconds=5)

    archive = download(client, export)
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    data = json.loads(archive.read("data.json"))
    assert data["schema"] == "groupket-export/1"
    items = {item["key"]: item for item in data["sections"]["items"]}
    assert set(items) == {item.key for item in inventory.ITEMS}
    for key in ("username", "name", "email", "phone", "bio"):
        assert items[key]["value"] == getattr(member, key)
    assert items["phone"]["label"] == "Phone number" and items["phone"]["category"] == inventory.CONTACT
    photo = items["photo"]["value"]
    assert photo["content_type"] in ("image/webp", "image/jpeg")
    assert base64.b64decode(photo["base64"]) == member.photo
    # full_member()'s record and the one this browser's sign-in wrote (tests.conftest.sign_in).
    assert items["login_ip"]["value"] == {"records": 2, "section": "login_records"}
    assert set(items["password"]["value"]) == {"changed_at"} and member.password not in json.dumps(data)

    consents = {(row["document"], row["version"], row["granted"]) for row in data["sections"]["consents"]}
    in_force = {kind: current_document(kind).version for kind in ("terms", "privacy")}
    assert consents == {("terms", in_force["terms"], True), ("privacy", in_force["privacy"], True)}
    [login] = [row for row in data["sections"]["login_records"] if row["ip_address"] == "203.0.113.77"]
    assert login["ip_address"] == "203.0.113.77" and login["user_agent"] == "Firefox/140 test-agent"
    [session] = data["sections"]["sessions"]
    assert session["user_agent"] == "pytest-browser" and "session_key" not in session
    [disclosure] = data["sections"]["disclosures"]
    assert disclosure["recipient"] == "Seoul Metropolitan Police Agency" and disclosure["items"] == ["phone"]


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_index_html_shows_the_same_values_escaped_and_loads_nothing_from_elsewhere(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    member = full_member()
    sign_in(client, member)
    ask_for_export(client, django_capture_on_commit_callbacks)
    html = download(client, DataExport.objects.get(member=member)).read("index.html").decode()

    assert "Minji &lt;script&gt;alert(1)&lt;/script&gt; Kim" in html
    assert "Bakes &lt;b&gt;bread&lt;/b&gt; &amp; cakes" in html
    for value in (member.username, member.email, "+821055501234", "203.0.113.77", "Seoul Metropolitan Police Agency"):
        assert value in html
    parser = _Urls()
    parser.feed(html)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert parser.urls and all(url.startswith("data:image/") for url in parser.urls)  # the photo, inline
    assert not re.search(r"(https?:)?//", re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", html))
    assert '<html lang="en">' in html and "Sign-in records" in html


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_archive_speaks_the_language_the_member_asked_in(
    client: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, member)
    client.cookies["django_language"] = "ko"
    ask_for_export(client, django_capture_on_commit_callbacks)
    archive = download(client, DataExport.objects.get(member=member))
    html = archive.read("index.html").decode()
    data = json.loads(archive.read("data.json"))
    with translation.override("ko"):
        korean_name, korean_records = str(inventory.get_item("name").label), "로그인 기록"
    assert korean_name != "Name"
    assert '<html lang="ko">' in html and korean_records in html and korean_name in html
    assert data["language"] == "ko"
    assert {item["key"]: item["label"] for item in data["sections"]["items"]}["name"] == korean_name


def table_of(html: str, section: str) -> str:
    return fragment(html, tag="section", id=section)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "consent_words"), [("en", ["Terms of Use", "When you signed up"]), ("ko", ["이용약관"])]
)
def test_index_html_reads_as_labels_and_local_times_not_codes(
    client: Client, django_capture_on_commit_callbacks, language: str, consent_words: list[str]
) -> None:
    member = full_member()
    sign_in(client, member)
    client.cookies["django_language"] = language
    ask_for_export(client, django_capture_on_commit_callbacks)
    html = download(client, DataExport.objects.get(member=member)).read("index.html").decode()

    # Times are in Asia/Seoul and the member's language, never raw ISO 8601 as data.json has them.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", html)
    assert "Asia/Seoul" in html
    with translation.override(language):
        assert formats.date_format(timezone.localdate(), "DATE_FORMAT") in html  # "Dec. 1, 2026", "2026년 12월 1일"
    # Codes are shown only by their labels: no item keys, category or document codes.
    items = table_of(html, "items")
    assert "<td>login_ip</td>" not in items and "<td>device_log</td>" not in items
    consents = table_of(html, "consents")
    assert "<td>terms</td>" not in consents and "<td>web</td>" not in consents
    for words in consent_words:
        assert words in consents
    with translation.override(language):
        sign_in_label = str(inventory.get_item("login_ip").label)
    assert sign_in_label in items


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_archive_is_stored_sealed_under_the_members_key(
    client: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, member)
    ask_for_export(client, django_capture_on_commit_callbacks)
    with connection.cursor() as cursor:
        cursor.execute("SELECT archive FROM privacy_dataexport")
        [(raw,)] = cursor.fetchall()
    raw = bytes(raw)
    assert raw and b"data.json" not in raw and member.username.encode() not in raw and not raw.startswith(b"PK")


# --- the page and its progress ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_page_explains_the_download_and_follows_the_build_until_it_is_ready(
    signed_in: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    page = signed_in.get("/me/export/").content.decode()
    assert "data.json" in page and "index.html" in page and "Phone number" in page
    assert 'http-equiv="refresh"' not in page

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_in.post("/me/export/", {"password": DEFAULT_PASSWORD})
    building = signed_in.get("/me/export/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in building
    assert '<progress max="100" value="0">' in building and "/download/" not in building

    for callback in callbacks:
        callback()
    export = DataExport.objects.get(member=member)
    ready = signed_in.get("/me/export/").content.decode()
    assert export.progress == 100 and 'http-equiv="refresh"' not in ready and "<progress" not in ready
    assert f'href="/me/export/{export.pk}/download/"' in ready


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_the_download_is_a_private_attachment(
    signed_in: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    ask_for_export(signed_in, django_capture_on_commit_callbacks)
    response = signed_in.get(f"/me/export/{DataExport.objects.get(member=member).pk}/download/")
    assert response["Content-Type"] == "application/zip"
    assert re.fullmatch(r'attachment; filename="groupket-export-\d{8}\.zip"', response["Content-Disposition"])
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "message"), [("not-my-password1", "That is not your password"), ("", "Type")])
def test_a_wrong_password_changes_nothing(
    signed_in: Client, password: str, message: str, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signed_in.post("/me/export/", {"password": password})
    assert response.status_code == 400 and message in response.content.decode()
    assert DataExport.objects.count() == 0 and callbacks == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "junk", ["\x00", "가" * 5000, "' OR 1=1 --", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")]
)
def test_junk_in_the_password_field_is_a_clear_400_not_a_server_error(member: Member, junk: str) -> None:
    client = Client(raise_request_exception=True)
    sign_in(client, member)
    response = client.post("/me/export/", {"password": junk})
    assert response.status_code == 400 and DataExport.objects.count() == 0


@pytest.mark.django_db
def test_a_second_request_while_one_is_being_prepared_is_refused(
    signed_in: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        signed_in.post("/me/export/", {"password": DEFAULT_PASSWORD})
        response = signed_in.post("/me/export/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 409 and "already being prepared" in response.content.decode()
    assert DataExport.objects.count() == 1


@pytest.mark.django_db
def test_export_page_takes_a_fixed_number_of_queries(
    signed_in: Client, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    for _ in range(3):
        ask_for_export(signed_in, django_capture_on_commit_callbacks)
    signed_in.get("/me/export/")
    with django_assert_num_queries(MEMBER_PAGE_QUERIES + 1):
        # session, member, sign-in check, material policy changes to agree to, exports (without their archives)
        page = signed_in.get("/me/export/").content.decode()
    assert page.count("data-export=") == 3


# --- who may download, and until when --------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_member_gets_404_and_a_visitor_is_sent_to_sign_in(
    client: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, member)
    ask_for_export(client, django_capture_on_commit_callbacks)
    url = f"/me/export/{DataExport.objects.get().pk}/download/"

    other = Client()
    sign_in(other, MemberFactory())
    assert other.get(url).status_code == 404
    assert other.get("/me/export/999999999999999999999999/download/").status_code == 404
    visitor = Client().get(url)
    assert visitor.status_code == 302 and visitor["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_only_the_owner_passes_the_permission_check(member: Member) -> None:
    other = MemberFactory()
    export = DataExport(member=member, data_key_id=member.data_key_id, destroy_after=timezone.now())
    assert ensure_own_export(member=member, export=export) is export
    for stranger, candidate in ((other, export), (member, None)):
        with pytest.raises(ExportNotYours):
            ensure_own_export(member=stranger, export=candidate)


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_an_expired_link_answers_410_with_a_clear_page(
    signed_in: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    ask_for_export(signed_in, django_capture_on_commit_callbacks)
    export = DataExport.objects.get(member=member)
    DataExport.objects.filter(pk=export.pk).update(download_until=timezone.now() - timedelta(seconds=1))
    response = signed_in.get(f"/me/export/{export.pk}/download/")
    assert response.status_code == 410
    assert "within 24 hours" in response.content.decode() and response["Content-Type"].startswith("text/html")
    assert "Expired" in signed_in.get("/me/export/").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P6.1")
def test_a_failure_while_building_marks_the_export_failed_and_says_so(
    signed_in: Client,
    member: Member,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks,
) -> None:
    def breaks(member: Member) -> list:
        raise RuntimeError(f"simulated failure reading the sessions of {member.name}")

    monkeypatch.setattr("groupket.accounts.export.sessions", breaks)
    with caplog.at_level(logging.ERROR):
        response = ask_for_export(signed_in, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    export = DataExport.objects.get(member=member)
    assert export.status == DataExport.FAILED and export.archive is None
    page = signed_in.get("/me/export/")
    assert page.status_code == 200 and "Something went wrong while preparing it" in page.content.decode()
    unavailable = signed_in.get(f"/me/export/{export.pk}/download/")
    assert unavailable.status_code == 409 and "could not be prepared" in unavailable.content.decode()
    assert "failed" in caplog.text and member.name not in caplog.text
    # A failed export does not block a new one.
    monkeypatch.undo()
    ask_for_export(signed_in, django_capture_on_commit_callbacks)
    assert DataExport.objects.filter(member=member, status=DataExport.READY).count() == 1


# --- destruction ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_daily_job_destroys_exports_past_their_seven_days_and_logs_it(
    signed_in: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    ask_for_export(signed_in, django_capture_on_commit_callbacks)
    old = DataExport.objects.get(member=member)
    DataExport.objects.filter(pk=old.pk).update(destroy_after=timezone.now() - timedelta(minutes=1))
    ask_for_export(signed_in, django_capture_on_commit_callbacks)

    assert run_job(get_job("destroy_expired_exports")) == 1

    assert list(DataExport.objects.values_list("status", flat=True)) == [DataExport.READY]
    assert not DataExport.objects.filter(pk=old.pk).exists()
    log = DestructionLog.objects.get(category="data exports")
    assert log.count == 1 and member.username not in f"{log.method} {log.basis}"
    assert run_job(get_job("destroy_expired_exports")) == 0 and DestructionLog.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.clause("P8.1")
def test_unregister_destroys_the_members_exports_with_their_key(
    signed_in: Client, member: Member, django_capture_on_commit_callbacks
) -> None:
    ask_for_export(signed_in, django_capture_on_commit_callbacks)
    survivor = MemberFactory()
    survivor_client = Client()
    sign_in(survivor_client, survivor)
    ask_for_export(survivor_client, django_capture_on_commit_callbacks)

    response = signed_in.post("/me/unregister/", {"password": DEFAULT_PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not DataExport.objects.filter(member_id=member.pk).exists()
    assert not DataExport.objects.filter(data_key_id=member.data_key_id).exists()
    assert DataExport.objects.filter(member=survivor).count() == 1
