"""The site speaks Korean: the ko catalogue is complete, and the main pages render in Korean.

The pages are rendered from a catalogue compiled here from groupket/locale/ko/LC_MESSAGES/django.po (with the
project's pure-Python compiler), so these tests check the .po itself and pass whether or not `make translations`
has run since the last edit of the catalogue.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from groupket.core.management.commands.compile_translations import compile_po_file
from groupket.privacy.models import Disclosure
from groupket.privacy.services.disclosures import record_disclosure
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory

PO_PATH = Path(django_settings.BASE_DIR) / "groupket" / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# --- A small, self-contained .po reader: enough to say what is translated, fuzzy or missing ------------------------

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
# Python-format placeholders: %(name)s, %(count)d, ... and the bare ones, %s, %d; "%%" is a literal percent sign.
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXoc]")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(1)), text)


def read_po(path: Path) -> list[dict]:
    """Every live entry of a .po file: its fields (msgid, msgstr, msgstr[0], ...), flags and first line."""
    entries: list[dict] = []
    entry: dict = {"flags": set(), "fields": {}, "line": 0}
    field = None

    def finish() -> None:
        nonlocal entry, field
        if "msgid" in entry["fields"]:
            entries.append(entry)
        entry, field = {"flags": set(), "fields": {}, "line": 0}, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue  # obsolete entries are not part of the catalogue
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            if match.group(1) in ("msgctxt", "msgid") and any(key.startswith("msgstr") for key in entry["fields"]):
                finish()  # a new entry without a blank line before it
            field = match.group(1)
            entry["fields"][field] = _unescape(match.group(2))
            entry["line"] = entry["line"] or number
        elif (match := _CONTINUATION.match(line)) and field is not None:
            entry["fields"][field] += _unescape(match.group(1))
        else:
            raise AssertionError(f"{path}:{number}: not valid .po syntax: {raw!r}")
    finish()
    return entries


def translations_of(entry: dict) -> list[str]:
    return [value for key, value in sorted(entry["fields"].items()) if key.startswith("msgstr")]


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l ko"
    return read_po(PO_PATH)


def test_catalogue_header_is_korean_utf8_with_one_plural_form(po_entries: list[dict]) -> None:
    header = next(entry for entry in po_entries if entry["fields"]["msgid"] == "" and "msgctxt" not in entry["fields"])
    text = header["fields"]["msgstr"]
    assert "Language: ko\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text
    assert "fuzzy" not in header["flags"]


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries: list[dict]) -> None:
    messages = [entry for entry in po_entries if entry["fields"]["msgid"] != ""]
    assert len(messages) > 200  # the whole site, not a stub
    fuzzy = [f"line {entry['line']}: {entry['fields']['msgid']!r}" for entry in messages if "fuzzy" in entry["flags"]]
    untranslated = [
        f"line {entry['line']}: {entry['fields']['msgid']!r}"
        for entry in messages
        if not translations_of(entry) or not all(value.strip() for value in translations_of(entry))
    ]
    assert fuzzy == [], "fuzzy entries:\n" + "\n".join(fuzzy)
    assert untranslated == [], "untranslated entries:\n" + "\n".join(untranslated)


def test_plural_entries_fill_the_one_korean_form(po_entries: list[dict]) -> None:
    plurals = [entry for entry in po_entries if "msgid_plural" in entry["fields"]]
    assert plurals
    for entry in plurals:
        keys = sorted(key for key in entry["fields"] if key.startswith("msgstr"))
        assert keys == ["msgstr[0]"], f"line {entry['line']}: Korean has exactly one plural form, got {keys}"


def test_every_translation_keeps_the_placeholders_of_its_original(po_entries: list[dict]) -> None:
    wrong = []
    for entry in po_entries:
        msgid = entry["fields"]["msgid"]
        if msgid == "":
            continue
        expected = sorted(_PLACEHOLDER.findall(msgid.replace("%%", "")))
        for translation_text in translations_of(entry):
            found = sorted(_PLACEHOLDER.findall(translation_text.replace("%%", "")))
            if found != expected:
                wrong.append(f"line {entry['line']}: {msgid!r} has {expected}, translation has {found}")
    assert wrong == [], "\n".join(wrong)


def test_translations_are_in_korean(po_entries: list[dict]) -> None:
    """Guards against an English text pasted as its own translation. Brand and format names may stay as they are."""
    hangul = re.compile(r"[\uac00-\ud7a3]")
    english_only = [
        f"line {entry['line']}: {entry['fields']['msgid']!r}"
        for entry in po_entries
        if entry["fields"]["msgid"] and not all(hangul.search(value) for value in translations_of(entry))
    ]
    assert english_only == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_gnu_msgfmt_accepts_the_catalogue(tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
    # Only "N translated messages." : no fuzzy or untranslated count.
    assert re.fullmatch(r"\d+ translated messages?\.\s*", result.stderr), result.stderr


# --- The pages, rendered in Korean -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def korean_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A locale folder holding the ko catalogue compiled from the .po now."""
    folder = tmp_path_factory.mktemp("locale")
    mo_path = folder / "ko" / "LC_MESSAGES" / "django.mo"
    mo_path.parent.mkdir(parents=True)
    mo_path.write_bytes(compile_po_file(PO_PATH)[0])
    return folder


@pytest.fixture(autouse=True)
def _use_the_current_catalogue(korean_locale: Path, settings) -> None:
    settings.LOCALE_PATHS = [korean_locale]


@pytest.fixture
def korean(client: Client):
    """GET a page as a browser that asks for Korean; returns the HTML."""

    def get(path: str, accept_language: str = "ko") -> str:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=accept_language)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        assert response["Content-Language"] == "ko"
        return response.content.decode()

    return get


def assert_korean_page(html: str) -> None:
    assert '<html lang="ko">' in html
    # The footer and the language switch of base.html.
    assert "<strong>개인정보처리방침</strong>" in html
    assert ">이용약관</a>" in html
    assert 'name="language" value="en" lang="en">English</button>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", ["ko", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"])
def test_home_page_in_korean(korean, accept_language: str) -> None:
    html = korean("/", accept_language)
    assert_korean_page(html)
    assert "<title>환영합니다 · Groupket</title>" in html
    assert "회원님의 정보를 약속대로 지킵니다." in html
    assert ">계정 만들기</a>" in html
    assert ">회원가입</a>" in html and ">로그인</a>" in html
    assert "그룹켓의 약속" in html
    assert "아이디, 비밀번호, 이름, 이메일 주소, 이렇게 네 가지만 받습니다." in html
    assert 'aria-label="주 메뉴"' in html
    for english in ("Create an account", "What we promise", "Sign up", "Sign in"):
        assert english not in html


@pytest.mark.django_db
def test_signup_page_in_korean(korean) -> None:
    html = korean("/accounts/signup/")
    assert_korean_page(html)
    assert "<h1>그룹켓 회원가입</h1>" in html
    assert '<button type="submit">회원가입</button>' in html
    assert ">아이디" in html  # the label of the ID field
    assert "영문자, 숫자, 마침표(.), 하이픈(-), 밑줄(_)로 3~30자를 입력하세요." in html
    assert ">이름" in html and ">이메일 주소" in html and ">비밀번호 확인" in html
    assert " 동의</label>" in html and " 동의하지 않음</label>" in html
    assert "이용약관을 별도 페이지에서 보기" in html
    assert "[동의]를 선택하면" in html
    assert "새로운 서비스 및 이벤트 소식 받기" in html
    for english in ("Create your Groupket account", "ID (username)", "Disagree", "Password again"):
        assert english not in html


@pytest.mark.django_db
def test_signup_errors_in_korean(client: Client) -> None:
    response = client.post("/accounts/signup/", {"username": "a"}, HTTP_ACCEPT_LANGUAGE="ko")
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "이름을 입력하세요." in html
    assert "이메일 주소를 입력하세요." in html
    assert "비밀번호를 입력하세요." in html
    assert "이용약관에 대해 [동의] 또는 [동의하지 않음]을 선택하세요." in html


@pytest.mark.django_db
def test_login_page_in_korean(korean) -> None:
    html = korean("/accounts/login/")
    assert_korean_page(html)
    assert "<h1>그룹켓 로그인</h1>" in html
    assert '<button type="submit">로그인</button>' in html
    assert ">아이디" in html and ">비밀번호" in html
    assert "공용 컴퓨터입니다" in html
    assert "브라우저를 닫거나 30분 동안 아무 활동이 없으면 자동으로 로그아웃됩니다." in html
    assert "비밀번호를 잊으셨나요?" in html
    for english in ("Sign in to Groupket", "Forgot your password?", "This is a shared computer"):
        assert english not in html


@pytest.mark.django_db
def test_privacy_page_in_korean(korean) -> None:
    html = korean("/privacy/")
    assert_korean_page(html)
    assert '<h1 id="document-title">개인정보처리방침</h1>' in html
    assert "현재 시행 중" in html
    assert '<h2 id="officer-title">개인정보 보호책임자</h2>' in html
    assert "권익침해 신고 및 분쟁조정" in html
    assert "한국인터넷진흥원(KISA) 개인정보침해 신고센터" in html
    assert "그룹켓이 보관하는 정보와 목적, 보관 기간" in html
    assert ">필수</span>" in html and ">선택</span>" in html
    assert "회원 탈퇴 시까지" in html  # an inventory retention label
    assert '<h2 id="versions-title">전체 버전</h2>' in html
    for english in ("Personal Information Manager", "Required or optional", "All versions", "Until you unregister"):
        assert english not in html


@pytest.mark.django_db
def test_terms_page_in_korean(korean) -> None:
    html = korean("/terms/")
    assert_korean_page(html)
    assert '<h1 id="document-title">이용약관</h1>' in html
    assert "회원님의 개인정보" in html
    assert "개인정보처리방침 보기" in html
    for english in ("Your personal information", "Read the Privacy Policy", "in force now"):
        assert english not in html


@pytest.mark.django_db
def test_missing_page_in_korean(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "<h1>페이지를 찾을 수 없습니다</h1>" in html
    assert "이 주소에는 페이지가 없습니다." in html


# --- The privacy pages of a signed-in member, the contact page and the staff console -----------------------------


@pytest.mark.django_db
def test_my_agreements_page_in_korean(client: Client, korean) -> None:
    sign_in(client, MemberFactory())
    html = korean("/me/consents/")
    assert_korean_page(html)
    assert "<h1>내 동의 내역</h1>" in html
    assert "<h2>동의한 문서</h2>" in html
    assert "어떤 문서에 언제 동의하셨는지와 소식 수신 여부입니다." in html
    assert "새로운 서비스 및 이벤트 소식을 받지 않고 있습니다." in html
    assert " 예, 소식을 받겠습니다</label>" in html and " 받지 않겠습니다</label>" in html
    assert '<button type="submit">선택 저장</button>' in html
    assert "소식 수신에 동의하신 적이 없습니다." in html
    for english in ("Documents you agreed to", "Yes, send me news", "Save my choice", "Your choices so far"):
        assert english not in html


@pytest.mark.django_db
def test_download_my_data_page_in_korean(client: Client, korean) -> None:
    sign_in(client, MemberFactory())
    html = korean("/me/export/")
    assert_korean_page(html)
    assert "<h1>내 데이터 내려받기</h1>" in html
    assert "<h2>내려받는 파일에 담긴 정보</h2>" in html
    assert "<code>index.html</code>: 인터넷에 연결되어 있지 않아도 어떤 브라우저에서나 읽을 수 있는 페이지" in html
    assert "준비된 후 24시간 동안 내려받을 수 있습니다." in html  # the plural entry, in its one Korean form
    assert '<button type="submit">내려받을 파일 준비하기</button>' in html
    assert "<h2>내려받기 내역</h2>" in html
    assert "아직 내려받기를 요청하지 않으셨습니다." in html
    for english in ("Download my data", "What the download contains", "Prepare my download", "My downloads"):
        assert english not in html


@pytest.mark.django_db
def test_my_disclosures_page_in_korean(client: Client, korean) -> None:
    member = MemberFactory()
    record_disclosure(
        member=member,
        recipient="Seoul Metropolitan Police Agency",
        items=["name", "email"],
        basis=Disclosure.LAW,
        reference="warrant 2025-11-0042",
        notify_member=True,
    )
    sign_in(client, member)
    html = korean("/me/disclosures/")
    assert_korean_page(html)
    assert "<h1>제3자 제공 내역</h1>" in html
    assert "그룹켓이 회원님의 정보를 외부에 제공한 모든 내역으로" in html
    assert "<th>제공받은 자</th><th>항목</th><th>근거</th><th>참조 번호</th>" in html
    assert "<td>이름, 이메일 주소</td>" in html
    assert "<td>법령에 따른 요구</td>" in html
    for english in ("Recipient", "Required by law", "Every time Groupket gave"):
        assert english not in html


@pytest.mark.django_db
def test_contact_page_in_korean(korean) -> None:
    html = korean("/privacy/contact/")
    assert_korean_page(html)
    assert "<h1>개인정보 보호책임자에게 문의하기</h1>" in html
    assert "그룹켓의 개인정보 보호책임자는 " in html
    assert "10일 이내에 답변해 드리며," in html
    assert "<legend>어떤 요청인가요?</legend>" in html
    assert " 내 정보 정정</label>" in html and " 내 정보 처리정지</label>" in html
    assert "최대 5,000자까지 쓸 수 있습니다." in html
    assert '<button type="submit">개인정보 보호책임자에게 보내기</button>' in html
    assert ">개인정보 보호책임자에게 문의하기</a>" in html  # the footer link
    for english in ("Write to the privacy officer", "What is it about?", "Send to the privacy officer"):
        assert english not in html


@pytest.mark.django_db
def test_staff_console_home_in_korean(client: Client, korean) -> None:
    sign_in_staff(client, make_staff("privacy_officer"))
    html = korean("/staff/")
    assert_korean_page(html)
    assert "<h1>직원 콘솔</h1>" in html
    assert '<nav class="staff-nav" aria-label="직원 콘솔">' in html
    assert ">보호책임자 요청</a>" in html and ">법적 요청</a>" in html and ">접근 기록</a>" in html
    assert '내 역할: <span class="tag current">개인정보 보호책임자</span>' in html
    assert "<h2>역할별 열람 범위</h2>" in html
    assert "기록 보관 담당자" in html
    for english in ("Staff console", "Your roles:", "Roles and what each may see", "Records custodian"):
        assert english not in html


@pytest.mark.django_db
def test_role_desk_with_the_authenticator_reset_in_korean(client: Client, korean) -> None:
    sign_in_staff(client, make_staff("privacy_officer"))
    html = korean("/staff/roles/")
    assert_korean_page(html)
    assert "<h2>분실한 인증 앱 초기화</h2>" in html
    assert "직원 아이디(정확히 입력)" in html and "사유 및 요청자 확인 방법" in html
    assert '<button class="danger" type="submit">인증 앱 초기화</button>' in html
    assert "<h2>부여·해제·초기화 내역</h2>" in html
    for english in ("Reset a lost authenticator", "Why, and how you confirmed who asked", "History of grants"):
        assert english not in html


def test_plural_message_uses_the_one_korean_form() -> None:
    for count in (1, 2, 11):
        with translation.override("ko"):
            text = translation.ngettext(
                "%(count)d other browser is signed out.", "%(count)d other browsers are signed out.", count
            ) % {"count": count}
        assert text == f"다른 브라우저 {count}개에서 로그아웃되었습니다."


@pytest.mark.django_db
def test_choosing_korean_with_the_language_switch_makes_the_next_page_korean(client: Client) -> None:
    assert '<html lang="en">' in client.get("/").content.decode()  # no preference given: English

    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/accounts/signup/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "ko"

    html = client.get("/accounts/signup/").content.decode()
    assert '<html lang="ko">' in html
    assert '<button type="submit">회원가입</button>' in html
    assert "Create your Groupket account" not in html

    # The choice outlasts a browser that asks for English, and the switch leads back to English.
    assert '<html lang="ko">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Create an account" in html
