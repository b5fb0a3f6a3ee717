"""`manage.py compile_translations`: .po to .mo with polib, so `make` needs nothing outside pip (no GNU gettext)."""

import gettext
import io
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import django
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from groupket.core.management.commands.compile_translations import compile_po_file

SAMPLE_PO = r"""# Groupket Korean translation.
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: groupket\n"
"POT-Creation-Date: 2026-11-27 13:00+0900\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

#: groupket/templates/base.html:12
msgid "Privacy Policy"
msgstr "개인정보처리방침"

msgid ""
"A long message "
"over two lines\n"
msgstr ""
"두 줄에 걸친 "
"긴 메시지\n"

#, python-format
msgid "Version %(version)s"
msgstr "버전 %(version)s"

msgctxt "button"
msgid "Agree"
msgstr "동의"

msgid "Agree"
msgstr "동의합니다"

#, python-format
msgid "%(counter)s record"
msgid_plural "%(counter)s records"
msgstr[0] "기록 %(counter)s건"

#, fuzzy
msgid "Fuzzy one"
msgstr "흐릿한"

msgid "Untranslated"
msgstr ""

msgid "Quotes \"and\" tabs\tand \\ backslash"
msgstr "따옴표 \"와\" 탭\t과 \\ 역슬래시"
msgid "No blank line before me"
msgstr "빈 줄 없음"

#~ msgid "Obsolete"
#~ msgstr "폐기됨"
"""


def write_po(folder: Path, text: str = SAMPLE_PO, language: str = "ko") -> Path:
    path = folder / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_compiled_catalogue_holds_what_msgfmt_would_include(tmp_path: Path) -> None:
    data, count = compile_po_file(write_po(tmp_path))
    catalogue = gettext.GNUTranslations(io.BytesIO(data))
    assert count == 9  # the header and eight translated, non-fuzzy messages
    assert catalogue.gettext("Privacy Policy") == "개인정보처리방침"
    assert catalogue.gettext("A long message over two lines\n") == "두 줄에 걸친 긴 메시지\n"
    assert catalogue.gettext("Version %(version)s") == "버전 %(version)s"
    assert catalogue.pgettext("button", "Agree") == "동의" and catalogue.gettext("Agree") == "동의합니다"
    assert catalogue.ngettext("%(counter)s record", "%(counter)s records", 5) == "기록 %(counter)s건"
    assert catalogue.gettext('Quotes "and" tabs\tand \\ backslash') == '따옴표 "와" 탭\t과 \\ 역슬래시'
    assert catalogue.gettext("No blank line before me") == "빈 줄 없음"
    # Fuzzy, untranslated and obsolete entries are left out; the header is kept although it is fuzzy.
    assert catalogue.gettext("Fuzzy one") == "Fuzzy one"
    assert catalogue.gettext("Untranslated") == "Untranslated"
    assert catalogue.gettext("Obsolete") == "Obsolete"
    assert catalogue.info()["plural-forms"] == "nplurals=1; plural=0;"
    # As msgfmt does, the creation date is dropped so the same translations always give the same file.
    assert "pot-creation-date" not in catalogue.info()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed to compare with")
def test_output_is_byte_for_byte_what_gnu_msgfmt_writes(tmp_path: Path) -> None:
    po_path = write_po(tmp_path)
    gnu_path = tmp_path / "gnu.mo"
    subprocess.run(["msgfmt", "--no-hash", "-o", str(gnu_path), str(po_path)], check=True)
    assert compile_po_file(po_path)[0] == gnu_path.read_bytes()


@pytest.mark.django_db
def test_command_compiles_the_locale_folders_and_the_site_speaks_them(tmp_path: Path, settings) -> None:
    po_path = write_po(tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    out = StringIO()
    call_command("compile_translations", stdout=out)
    assert f"Compiled {po_path} (9 messages)" in out.getvalue()
    with translation.override("ko"):
        assert translation.gettext("Privacy Policy") == "개인정보처리방침"
    html = Client().get("/privacy/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<h1 id="document-title">개인정보처리방침</h1>' in html


def test_an_unchanged_catalogue_is_not_rewritten(tmp_path: Path, settings) -> None:
    write_po(tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("compile_translations", stdout=StringIO())
    mo_path = tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.mo"
    first = mo_path.stat().st_mtime_ns
    call_command("compile_translations", stdout=StringIO())
    assert mo_path.stat().st_mtime_ns == first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('msgid "Hello"\nmsgstr "안녕" trailing\n', "django.po (line 2): unescaped double quote found"),
        ('"orphan"\n', "django.po (line 1)"),
        ('msgstr "no msgid"\n', "django.po (line 1)"),
        ('msgid "Hi"\nmsgstr "안녕"\n\nmsgid "Hi"\nmsgstr "안녕하세요"\n', 'Entry "Hi" already exists'),
        (
            'msgid "Hello"\nmsgstr "안녕"\n\n#, python-format\nmsgid "Hi %(name)s"\nmsgstr "안녕 %(nmae)s"\n',
            "django.po:4: the translation of 'Hi %(name)s' uses unknown placeholder(s) ['nmae']",
        ),
    ],
)
def test_a_broken_catalogue_stops_the_command_naming_file_and_line(
    tmp_path: Path, settings, text: str, message: str
) -> None:
    write_po(tmp_path / "locale", text)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("compile_translations", stdout=StringIO())
    assert not (tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.mo").exists()


def test_no_catalogues_is_not_an_error_and_installed_packages_are_left_alone(tmp_path: Path, settings) -> None:
    # Django's own catalogues sit inside .venv, inside the project folder; they belong to pip, not to us.
    django_mo = Path(django.__file__).parent / "contrib" / "auth" / "locale" / "ko" / "LC_MESSAGES" / "django.mo"
    before = django_mo.stat().st_mtime_ns
    settings.LOCALE_PATHS = [tmp_path / "empty"]
    (tmp_path / "empty").mkdir()
    out = StringIO()
    call_command("compile_translations", stdout=out)
    assert out.getvalue().strip() == "No .po files to compile."
    assert django_mo.stat().st_mtime_ns == before


def test_the_command_runs_where_gnu_gettext_is_not_installed(tmp_path: Path) -> None:
    """`make run` and `make test` compile the catalogue on a machine without msgfmt: nothing else is on PATH here."""
    project = Path(__file__).resolve().parents[2]
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "compile_translations"],
        cwd=project,
        env={"PATH": str(empty), "GROUPKET_VAR_DIR": str(tmp_path / "var"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "groupket/locale/ko/LC_MESSAGES/django.po (" in result.stdout
