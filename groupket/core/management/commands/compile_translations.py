"""Compile every .po catalogue of the project into a GNU .mo file, in pure Python.

Django's own `compilemessages` runs GNU gettext's `msgfmt`, which a fresh machine may not have; `make run` and
`make test` must need nothing outside pip, so they use this instead. It follows msgfmt's rules: untranslated and
fuzzy entries are left out (the header entry is kept even when fuzzy), obsolete `#~` entries are ignored, and a
python-format entry whose translation names a placeholder the original lacks is an error, as
`msgfmt --check-format` would report (at run time it would raise KeyError).
"""

import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

MO_MAGIC = 0x950412DE
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_PLACEHOLDER = re.compile(r"%\((\w+)\)")


class PoSyntaxError(ValueError):
    """A line of a .po file that is not valid gettext syntax; names the file and line."""


@dataclass
class PoEntry:
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr.get(0))

    def key(self) -> str:
        key = self.msgid or ""
        if self.msgid_plural is not None:
            key += "\0" + self.msgid_plural
        return key if self.msgctxt is None else f"{self.msgctxt}\x04{key}"

    def value(self) -> str:
        return "\0".join(self.msgstr[index] for index in sorted(self.msgstr))


def _unquote(quoted: str, where: str) -> str:
    if len(quoted) < 2 or not (quoted.startswith('"') and quoted.endswith('"')):
        raise PoSyntaxError(f"{where}: expected a quoted string, got {quoted!r}")

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        if code in _ESCAPES:
            return _ESCAPES[code]
        raise PoSyntaxError(f"{where}: unknown escape \\{code}")

    return _ESCAPE.sub(replace, quoted[1:-1])


def parse_po(text: str, name: str = "<po>") -> list[PoEntry]:
    """Every entry of a .po file, in file order, obsolete entries left out."""
    parser = _PoParser(name)
    for number, line in enumerate(text.splitlines(), start=1):
        parser.feed(line.strip(), number)
    parser.finish()
    return parser.entries


class _PoParser:
    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[PoEntry] = []
        self.entry = PoEntry()
        self.target: tuple[str, int | None] | None = None  # the field a continuation line extends

    def finish(self) -> None:
        if self.entry.msgid is not None:
            self.entries.append(self.entry)
        elif self.entry.msgstr or self.entry.msgctxt is not None:
            raise PoSyntaxError(f"{self.name}:{self.entry.line}: an entry without msgid")
        self.entry, self.target = PoEntry(), None

    def feed(self, line: str, number: int) -> None:
        where = f"{self.name}:{number}"
        if not line:
            self.finish()
        elif line.startswith(("#~", "#|")):
            return  # obsolete entries and previous msgids are not part of the catalogue
        elif line.startswith("#,"):
            if self.entry.msgstr:
                self.finish()
            self.entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            return
        elif line.startswith('"'):
            if self.target is None:
                raise PoSyntaxError(f"{where}: a string that continues nothing")
            self._extend(_unquote(line, where))
        else:
            self._keyword(line, where, number)

    def _keyword(self, line: str, where: str, number: int) -> None:
        match = _KEYWORD.match(line)
        if not match:
            raise PoSyntaxError(f"{where}: not a gettext keyword line: {line[:60]!r}")
        keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3), where)
        # A msgctxt or msgid after a msgstr starts the next entry, even without a blank line between them.
        if keyword in ("msgctxt", "msgid") and self.entry.msgstr:
            self.finish()
        if not self.entry.line:
            self.entry.line = number
        if keyword.startswith("msgstr"):
            position = int(index) if index is not None else 0
            self.entry.msgstr[position] = value
            self.target = ("msgstr", position)
        else:
            setattr(self.entry, keyword, value)
            self.target = (keyword, None)

    def _extend(self, text: str) -> None:
        name, index = self.target
        if name == "msgstr":
            self.entry.msgstr[index] += text
        else:
            setattr(self.entry, name, getattr(self.entry, name) + text)


def header_charset(entries: list[PoEntry]) -> str:
    for entry in entries:
        if entry.is_header:
            match = re.search(r"charset=([\w.-]+)", entry.msgstr.get(0, ""))
            if match and match.group(1).upper() != "CHARSET":
                return match.group(1)
    return "utf-8"


def check_placeholders(entry: PoEntry, name: str) -> None:
    """A translation may use only the named placeholders its original has (msgfmt --check-format)."""
    if "python-format" not in entry.flags or not entry.translated:
        return
    known = set(_PLACEHOLDER.findall(entry.msgid or "")) | set(_PLACEHOLDER.findall(entry.msgid_plural or ""))
    for translation in entry.msgstr.values():
        unknown = set(_PLACEHOLDER.findall(translation)) - known
        if unknown:
            raise PoSyntaxError(f"{name}:{entry.line}: translation uses unknown placeholder(s) {sorted(unknown)}")


def compile_catalogue(entries: list[PoEntry], name: str = "<po>") -> bytes:
    """The GNU .mo bytes of the entries that msgfmt would include, keys sorted, no hash table."""
    encoding = header_charset(entries)
    messages: dict[bytes, bytes] = {}
    for entry in entries:
        if not entry.translated or ("fuzzy" in entry.flags and not entry.is_header):
            continue
        check_placeholders(entry, name)
        value = entry.value()
        if entry.is_header:
            # msgfmt leaves the catalogue's creation date out, so the same translations give the same bytes.
            value = "".join(line for line in value.splitlines(True) if not line.startswith("POT-Creation-Date:"))
        messages[entry.key().encode(encoding)] = value.encode(encoding)
    return write_mo(messages)


def write_mo(messages: dict[bytes, bytes]) -> bytes:
    keys = sorted(messages)
    count = len(keys)
    originals_at, translations_at = 28, 28 + 8 * count
    strings_at = 28 + 16 * count
    ids = b"".join(key + b"\0" for key in keys)
    strs = b"".join(messages[key] + b"\0" for key in keys)
    table_ids, table_strs = [], []
    id_offset, str_offset = strings_at, strings_at + len(ids)
    for key in keys:
        table_ids += [len(key), id_offset]
        table_strs += [len(messages[key]), str_offset]
        id_offset += len(key) + 1
        str_offset += len(messages[key]) + 1
    # Hash table size 0, placed where the strings begin: what `msgfmt --no-hash` writes.
    head = struct.pack("<7I", MO_MAGIC, 0, count, originals_at, translations_at, 0, strings_at)
    return head + struct.pack(f"<{4 * count}I", *table_ids, *table_strs) + ids + strs


def compile_po_file(path: Path) -> tuple[bytes, int]:
    """The .mo bytes for one .po file and how many messages they hold."""
    raw = path.read_bytes()
    entries = parse_po(raw.decode("utf-8", errors="replace"), str(path))
    encoding = header_charset(entries)
    if encoding.lower().replace("-", "") != "utf8":
        entries = parse_po(raw.decode(encoding), str(path))
    data = compile_catalogue(entries, str(path))
    return data, struct.unpack_from("<I", data, 8)[0]


def locale_dirs() -> list[Path]:
    """LOCALE_PATHS and the locale folder of each of the project's own apps.

    Installed packages are never touched: the virtualenv lives inside the project folder, and rewriting Django's
    own catalogues there would change files pip owns.
    """
    base = Path(settings.BASE_DIR).resolve()
    installed = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    folders = [Path(folder) for folder in settings.LOCALE_PATHS]
    for app in apps.get_app_configs():
        folder = Path(app.path).resolve() / "locale"
        if not folder.is_relative_to(base) or any(folder.is_relative_to(prefix) for prefix in installed):
            continue
        if folder not in folders:
            folders.append(folder)
    return [folder for folder in folders if folder.is_dir()]


class Command(BaseCommand):
    help = "Compile the project's .po translation files into .mo files without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        po_files = sorted(path for folder in locale_dirs() for path in folder.rglob("*.po"))
        if not po_files:
            self.stdout.write("No .po files to compile.")
            return
        for po_path in po_files:
            try:
                data, count = compile_po_file(po_path)
            except (PoSyntaxError, UnicodeDecodeError, LookupError) as error:
                raise CommandError(str(error)) from error
            mo_path = po_path.with_suffix(".mo")
            # Rewritten only when it changes, so an unchanged catalogue keeps its timestamp.
            if not mo_path.exists() or mo_path.read_bytes() != data:
                mo_path.write_bytes(data)
            self.stdout.write(f"Compiled {po_path} ({count} messages)")
