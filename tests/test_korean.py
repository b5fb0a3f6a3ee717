"""The site speaks Korean: the ko catalogue is complete and keeps the glossary, and a page of every app is Korean.

The catalogue is read as text and checked entry by entry, against the fixed terms of ../shared/KOREAN.md (a table
below). The pages are rendered from a catalogue compiled here from groupket/locale/ko/LC_MESSAGES/django.po (with
the project's pure-Python compiler), so these tests check the .po itself and pass whether or not `make translations`
has run since the last edit. A page is checked against the catalogue, not against Korean copied into the test: every
catalogue text the English page shows must appear translated on the Korean page, and none may appear in English.
"""

import html
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from groupket.core.management.commands.compile_translations import compile_po_file
from groupket.privacy.selectors import current_document
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory
from tests.markup import VOID_TAGS

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


# --- The glossary of ../shared/KOREAN.md, over every translation ---------------------------------------------------

# A placeholder, and the parenthesis after it if there is one (which may hold placeholders of its own).
_PLACEHOLDER_BEFORE = r"%(?:\(\w+\))?[sd](?:\((?:[^()]|%\(\w+\))*\))?"
# 주소 alone reads as a postal address: allowed only in these compounds, or where the text also says 이메일 주소.
_ADDRESS_COMPOUNDS = re.compile(r"(?:이메일|메일|IP|배송지?|웹|링크|도로명|상세) 주소")


def _bare_address(text: str) -> list[str]:
    if "주소" in _ADDRESS_COMPOUNDS.sub("", text) and "이메일 주소" not in text:
        return ["주소"]
    return []


def _pattern(regex: str) -> Callable[[str], list[str]]:
    compiled = re.compile(regex)
    return lambda text: [match.group(0) for match in compiled.finditer(text)]


# (rule, what finds a breach of it in one translation)
GLOSSARY: list[tuple[str, Callable[[str], list[str]]]] = [
    ("비밀번호, never 암호 (암호화 is encryption)", _pattern(r"암호(?!화)")),
    ("아이디, never a bare ID", _pattern(r"(?<![A-Za-z])ID(?![A-Za-z])")),
    ("요청 #N or 요청(#N), never #N번", _pattern(r"#(?:\d+|%\(\w+\)[sd])번")),
    ("이메일 주소, never a bare 주소", _bare_address),
    ("개인정보 처리방침, spelled one way", _pattern(r"개인정보처리방침")),
    ("로그인 / 로그아웃", _pattern(r"로그 ?온|로그 인|로그 아웃|로그오프|사인 ?인")),
    ("회원가입 and 이용약관 solid, 회원 탈퇴 spaced", _pattern(r"회원 가입|이용 약관|회원탈퇴")),
    ("회원, never 사용자", _pattern(r"사용자")),
    ("게시물, never 게시글", _pattern(r"게시글")),
    ("접속기록, never 접근 기록", _pattern(r"접근 ?기록")),
    ("그룹켓, never the Latin name", _pattern(r"Groupket")),
    ("예 / 아니요, never 네", _pattern(r"(?<![가-힣])네,")),
    ("회원가입, never 계정 만들기", _pattern(r"계정 만들기")),
    (
        "이날, 이달, 그달, 그날, 그전, 그동안 are one word",
        _pattern(r"(?<![가-힣])(?:이 날|이 달|그 달|그 날|그 전|그 동안)(?![가-힣])"),
    ),
    ("한 번 and 첨부 파일 are spaced", _pattern(r"한번|첨부파일")),
    # 좋아요 is the noun a like is called, not a 해요체 ending.
    ("합니다체, no 해요체 statements", _pattern(r"(?<!좋)(?:해요|에요|예요|어요|아요)(?=[.!]|$)")),
    # 이/가, 을/를, 은/는, 과/와 and (으)로 depend on the sound the placeholder's value ends in, which the text cannot
    # know: attach them to a fixed noun instead ("새 버전(버전 %(version)s)이"). 의, 에, 부터, 까지 do not.
    ("no particle directly after a placeholder", _pattern(_PLACEHOLDER_BEFORE + r"(?:[이가은는을를과와]|으?로)")),
]


@pytest.mark.parametrize(("rule", "breaches"), GLOSSARY, ids=[rule for rule, _breaches in GLOSSARY])
def test_every_translation_keeps_the_glossary(po_entries: list[dict], rule: str, breaches: Callable) -> None:
    found = [
        f"line {entry['line']}: {found!r} in {text!r}"
        for entry in po_entries
        if entry["fields"]["msgid"]
        for text in translations_of(entry)
        for found in breaches(text)
    ]
    assert found == [], f"{rule}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("비밀번호, never 암호 (암호화 is encryption)", "암호를 입력하세요."),
        ("아이디, never a bare ID", "ID를 입력하세요."),
        ("요청 #N or 요청(#N), never #N번", "#%(number)s번 요청이 접수되었습니다."),
        ("이메일 주소, never a bare 주소", "요청자가 주소를 확인했습니다."),
        ("no particle directly after a placeholder", "%(document)s 버전 %(version)s이(가) 게시되었습니다."),
        ("no particle directly after a placeholder", "%(email)s(%(officer)s)로 답장해 주세요."),
    ],
)
def test_the_glossary_finds_what_the_review_found(rule: str, text: str) -> None:
    # The entries the review corrected, as they were: each rule must catch its own.
    breaches = dict(GLOSSARY)[rule]
    assert breaches(text)


@pytest.mark.parametrize(
    "text",
    [
        "새 버전(버전 %(version)s)이 게시되었습니다.",
        "직원 콘솔(%(console)s)을 방문하면",
        "%(date)s부터",
        "암호화하여 저장합니다",
    ],
)
def test_the_glossary_lets_the_recommended_forms_pass(text: str) -> None:
    assert [rule for rule, breaches in GLOSSARY if breaches(text)] == []


@pytest.mark.django_db
def test_the_korean_policy_in_force_keeps_the_fixed_terms() -> None:
    body = current_document("privacy").body_ko
    for rule in (
        "비밀번호, never 암호 (암호화 is encryption)",
        "개인정보 처리방침, spelled one way",
        "게시물, never 게시글",
    ):
        assert dict(GLOSSARY)[rule](body) == [], rule
    assert body.count("Groupket") == 1 and "그룹켓(Groupket)" in body  # the Latin name once, to introduce 그룹켓


# --- A page of every app, in Korean, checked against the catalogue -------------------------------------------------


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


class _Texts(HTMLParser):
    """Every text a person reads or hears on a page: text nodes and the labelling attributes, whitespace-normalised."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden: list[str] = []  # open elements whose text is not the page's language: scripts, lang="en"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        language = dict(attrs).get("lang") if tag != "html" else None
        if tag in VOID_TAGS:
            pass
        elif self._hidden or tag in ("script", "style") or (language and not language.startswith("ko")):
            self._hidden.append(tag)  # e.g. the language switch's "English", which is meant to stay English
        self.texts.extend(" ".join(value.split()) for name, value in attrs if name in self.SPOKEN and value)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def page_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.fixture(scope="module")
def catalogue(po_entries: list[dict]) -> dict[str, set[str]]:
    """English text -> its Korean translations (one per msgctxt), for entries whose Korean differs from the English."""
    translations: dict[str, set[str]] = {}
    for entry in po_entries:
        msgid = entry["fields"]["msgid"]
        for text in translations_of(entry):
            if msgid and text != msgid and not _PLACEHOLDER.search(msgid):
                translations.setdefault(" ".join(msgid.split()), set()).add(text)
    return translations


_ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}")

# One page of every app, as the people who use it see it.
PAGES = {
    "core": ("/", None),
    "accounts": ("/accounts/signup/", None),
    "privacy": ("/me/consents/", "member"),
    "staff": ("/staff/", "privacy_officer"),
    "spaces": ("/spaces/new/", "member"),
    "moderation": ("/me/moderation/", "member"),
    "analytics": ("/cookies/", None),
    "orders": ("/s/{space}/orders/{order}/", "buyer"),
}


def _group_order_page(client: Client, path: str) -> str:
    """A member of a space on a group order's checkout page, made afresh for each visit."""
    from tests.factories import join, make_space
    from tests.orders.factories import open_group_order

    organiser, buyer = MemberFactory(), MemberFactory()
    space = make_space(organiser, slug=f"market-{organiser.pk}")
    join(buyer, space)
    sign_in(client, buyer)
    order = open_group_order(organiser, space, item="제주 감귤 5kg", description="서귀포 농장에서 보냅니다.")
    return path.format(space=space.slug, order=order.pk)


def test_every_app_with_pages_has_one_in_the_korean_check() -> None:
    apps_with_pages = {urls.parent.name for urls in (Path(django_settings.BASE_DIR) / "groupket").glob("*/urls.py")}
    assert apps_with_pages - set(PAGES) == set()


def visit(client: Client, path: str, who: str | None, language: str) -> str:
    if who == "buyer":
        path = _group_order_page(client, path)
    elif who == "member":
        sign_in(client, MemberFactory())
    elif who:
        sign_in_staff(client, make_staff(who))
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("app", PAGES)
def test_a_page_of_every_app_is_korean_from_the_catalogue(app: str, catalogue: dict[str, set[str]]) -> None:
    path, who = PAGES[app]
    english = page_texts(visit(Client(), path, who, "en"))
    korean_html = visit(Client(), path, who, "ko")
    assert '<html lang="ko">' in korean_html
    korean = page_texts(korean_html)

    shown = [text for text in english if text in catalogue]
    assert len(shown) >= 5, f"{path}: too few catalogue texts to judge the page: {shown}"
    # Compared with the page's text as a reader sees it: quotes the template escaped (&quot;) are quotes again.
    korean_shown = html.unescape(korean_html)
    missing = [text for text in shown if not any(ko in korean_shown for ko in catalogue[text])]
    left_in_english = [text for text in korean if text in catalogue]
    # English written straight into a template, never in the catalogue, reads the same on both pages.
    untranslated = [text for text in korean if text in english and _ENGLISH_WORDS.search(text)]
    assert missing == [], f"{path}: not shown in Korean: {missing}"
    assert left_in_english == [], f"{path}: still in English: {left_in_english}"
    assert untranslated == [], f"{path}: never translated: {untranslated}"
    with translation.override("ko"):
        brand = translation.gettext("Groupket")
    assert brand == "그룹켓" and f"· {brand}</title>" in korean_html and brand in korean


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", ["ko", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"])
def test_a_browser_that_prefers_korean_gets_korean(client: Client, accept_language: str) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response["Content-Language"] == "ko" and '<html lang="ko">' in response.content.decode()


def korean(message: str) -> str:
    with translation.override("ko"):
        text = translation.gettext(message)
    assert text != message, f"{message!r} has no Korean translation"
    return text


@pytest.mark.django_db
def test_form_errors_and_the_missing_page_are_korean(client: Client) -> None:
    html = client.post("/accounts/signup/", {"username": "a"}, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for message in ("Enter your name.", "Enter your email address.", "Choose Agree or Disagree for the Terms of Use."):
        assert korean(message) in html
    missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ko")
    assert missing.status_code == 404
    assert korean("There is no page at this address.") in missing.content.decode()
    assert "<title>" in missing.content.decode() and "· 그룹켓</title>" in missing.content.decode()


# --- The officer's configured name, in each language ---------------------------------------------------------------

OFFICER = {"name": "Park Seo-yeon", "name_ko": "박서연", "email": "dpo@groupket.example", "phone": "+82-2-555-0147"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/privacy/contact/", "/privacy/"])
def test_the_officer_is_named_as_a_label_and_value_in_each_language(client: Client, settings, path: str) -> None:
    settings.GROUPKET_PRIVACY_OFFICER = OFFICER
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean_html = client.get(path, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'data-officer="name">Park Seo-yeon<' in english and "박서연" not in english
    assert 'data-officer="name">박서연<' in korean_html and "Park Seo-yeon" not in korean_html


@pytest.mark.django_db
def test_without_a_korean_name_korean_pages_show_the_configured_one(client: Client, settings) -> None:
    settings.GROUPKET_PRIVACY_OFFICER = {key: value for key, value in OFFICER.items() if key != "name_ko"}
    assert 'data-officer="name">Park Seo-yeon<' in client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()


@pytest.mark.django_db
def test_the_answer_mail_names_the_officer_in_each_language(
    settings, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    from groupket.staff.services.requests import answer_request
    from tests.staff.test_contact import mail_to
    from tests.staff.test_requests_desk import FORM, web_request

    settings.GROUPKET_PRIVACY_OFFICER = OFFICER
    filed = web_request()
    with django_capture_on_commit_callbacks(execute=True):
        answer_request(officer=make_staff("privacy_officer"), request_id=filed.pk, answer="Done.")
    answer = next(message for message in mail_to(mail_dir, FORM["email"]) if "Done." in message.get_content())
    english, korean_part = answer.get_content().replace("\r\n", "\n").split("\n----------\n")
    assert "(Park Seo-yeon)" in english and "박서연" not in english
    assert "개인정보 보호책임자(박서연, dpo@groupket.example)에게" in korean_part and "Park Seo-yeon" not in korean_part


# --- Plurals and the language switch -------------------------------------------------------------------------------


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
    assert korean("Create your Groupket account") in html and "Create your Groupket account" not in html

    # The choice outlasts a browser that asks for English, and the switch leads back to English.
    assert '<html lang="ko">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Create an account" in html
