"""Compile every .po catalogue of the project into a GNU .mo file with polib, without GNU gettext.

Django's own `compilemessages` runs GNU gettext's `msgfmt`, which a fresh machine may not have; `make run` and
`make test` must need nothing outside pip, so they use this instead. polib follows msgfmt's rules: untranslated,
fuzzy and obsolete entries are left out, the header is kept. Two checks are ours: the header's creation date is
dropped, as msgfmt drops it, so the same translations always give the same bytes; and a python-format entry whose
translation names a placeholder the original lacks is an error, as `msgfmt --check-format` would report (at run
time it would raise KeyError).
"""

import re
import sys
from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def check_placeholders(entry: polib.POEntry, name: str) -> None:
    """A translation may use only the named placeholders its original has (msgfmt --check-format)."""
    if "python-format" not in entry.flags or not entry.translated():
        return
    known = set(_PLACEHOLDER.findall(entry.msgid)) | set(_PLACEHOLDER.findall(entry.msgid_plural))
    for translation in [entry.msgstr, *entry.msgstr_plural.values()]:
        unknown = set(_PLACEHOLDER.findall(translation)) - known
        if unknown:
            raise CommandError(
                f"{name}:{entry.linenum}: the translation of {entry.msgid!r} uses unknown placeholder(s) "
                f"{sorted(unknown)}"
            )


def compile_po_file(path: Path) -> tuple[bytes, int]:
    """The .mo bytes for one .po file and how many messages they hold (the header counts as one, as in msgfmt)."""
    try:
        catalogue = polib.pofile(str(path), check_for_duplicates=True)
    except (OSError, ValueError, UnicodeDecodeError, LookupError) as error:
        raise CommandError(str(error)) from error  # polib's message names the file and the line
    for entry in catalogue.translated_entries():
        check_placeholders(entry, str(path))
    catalogue.metadata.pop("POT-Creation-Date", None)
    return catalogue.to_binary(), len(catalogue.translated_entries()) + 1


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
            data, count = compile_po_file(po_path)
            mo_path = po_path.with_suffix(".mo")
            # Rewritten only when it changes, so an unchanged catalogue keeps its timestamp.
            if not mo_path.exists() or mo_path.read_bytes() != data:
                mo_path.write_bytes(data)
            self.stdout.write(f"Compiled {po_path} ({count} messages)")
