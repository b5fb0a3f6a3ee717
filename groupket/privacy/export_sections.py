"""The sections of a member's data export (P6.1), and how each is laid out for people.

The registry is settings.GROUPKET_EXPORT_SECTIONS: dotted paths of functions that
take the member and return JSON-able data. An app adds its part of the export by
writing such a function (marked with `export_section`) and listing it there; the
last part of the path is the section's name in data.json. A list in settings,
rather than registration when a module is imported, keeps the order and the
contents of the export readable in one place.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from groupket.privacy.labels import CHANNEL_LABELS, DOCUMENT_LABELS
from groupket.privacy.selectors import member_consents, member_disclosures

SectionFunction = Callable[[AbstractBaseUser], Any]

# Column headings people read in index.html; a section may add its own with export_section(columns=...).
COLUMN_LABELS: dict[str, Promise] = {
    "key": _("Code"),
    "label": _("Item"),
    "category": _("Category code"),
    "category_label": _("Category"),
    "value": _("What we hold"),
    "document": _("Document"),
    "document_label": _("Document"),
    "version": _("Version"),
    "granted": _("Agreed"),
    "channel": _("Where"),
    "channel_label": _("How"),
    "time": _("When"),
    "succeeded": _("Signed in"),
    "ip_address": _("IP address"),
    "user_agent": _("Browser"),
    "started_at": pgettext_lazy("time", "Signed in"),
    "last_seen_at": _("Last seen"),
    "shared_computer": _("Shared computer"),
    "recipient": _("Recipient"),
    "items": _("Item codes"),
    "item_labels": _("Items"),
    "basis": _("Basis code"),
    "basis_label": _("Basis"),
    "reference": _("Reference"),
    "member_notified": _("You were told"),
}
PHOTO_TYPES = ("image/webp", "image/jpeg", "image/png")
# Codes that index.html shows only through their label (data.json keeps both, for programs).
LABELLED = {
    "key": "label",
    "category": "category_label",
    "items": "item_labels",
    "basis": "basis_label",
    "document": "document_label",
    "channel": "channel_label",
}
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def export_section(*, label: Promise, columns: dict[str, Promise] | None = None) -> Callable:
    """Mark a function as an export section: its heading in index.html and any column headings of its own."""

    def mark(function: SectionFunction) -> SectionFunction:
        function.export_label = label  # type: ignore[attr-defined]
        function.export_columns = columns or {}  # type: ignore[attr-defined]
        return function

    return mark


def section_functions() -> list[tuple[str, SectionFunction]]:
    """The sections of settings.GROUPKET_EXPORT_SECTIONS in order, each with its name."""
    found: dict[str, SectionFunction] = {}
    for path in settings.GROUPKET_EXPORT_SECTIONS:
        name = path.rsplit(".", 1)[-1]
        if name in found:
            raise ImproperlyConfigured(f"two export sections are named {name!r}; rename one of {path!r}")
        found[name] = import_string(path)
    return list(found.items())


def timestamp(moment: Any) -> str | None:
    """A time as ISO 8601 with the site's offset, readable by people and programs alike."""
    return timezone.localtime(moment).isoformat() if moment else None


# --- the privacy engine's own sections -------------------------------------------------------------------------


@export_section(label=_("My agreements"))
def consents(member: AbstractBaseUser) -> list[dict[str, Any]]:
    return [
        {
            "document": event.document,
            "document_label": str(DOCUMENT_LABELS.get(event.document, event.document)),
            "version": event.version,
            "granted": event.granted,
            "channel": event.channel,
            "channel_label": str(CHANNEL_LABELS.get(event.channel, event.channel)),
            "time": timestamp(event.created_at),
        }
        for event in member_consents(member.pk)
    ]


@export_section(label=_("Disclosures to others"))
def disclosures(member: AbstractBaseUser) -> list[dict[str, Any]]:
    # Only what the member may see: a disclosure whose notice the law still withholds is not exported either.
    return [
        {
            "recipient": seen.disclosure.recipient,
            "items": list(seen.disclosure.items),
            "item_labels": [str(label) for label in seen.item_labels],
            "basis": seen.disclosure.basis,
            "basis_label": str(seen.basis_label),
            "reference": seen.disclosure.reference,
            "time": timestamp(seen.disclosure.created_at),
            "member_notified": seen.disclosure.member_notified,
        }
        for seen in member_disclosures(member.pk)
    ]


# --- laying a section out as a table for index.html -----------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str = ""
    image: str = ""  # a data: URI, so the page needs nothing from elsewhere


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    columns: list[str]
    rows: list[list[Cell]]


def local_time(value: str) -> str:
    """An ISO 8601 time of data.json as people read it: in the site's time zone, in the active language."""
    return formats.date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")


def _held_text(value: dict, section_labels: dict[str, str]) -> str | None:
    """The item values of the `items` section that are objects, in words; None for any other object."""
    if set(value) == {"changed_at"}:
        return str(_("Set on %(date)s")) % {"date": local_time(value["changed_at"]) if value["changed_at"] else "—"}
    if "records" in value and set(value) <= {"records", "section"}:
        count = value["records"]
        records = ngettext("%(counter)s record", "%(counter)s records", count) % {"counter": count}
        if "section" not in value:
            return records
        section = section_labels.get(value["section"], value["section"])
        return str(_("%(records)s (see “%(section)s”)")) % {"records": records, "section": section}
    return None


def _text(value: Any, section_labels: dict[str, str]) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, str) and ISO_TIME.match(value):
        return local_time(value)
    if isinstance(value, list):
        return ", ".join(_text(part, section_labels) for part in value)
    if isinstance(value, dict):
        held = _held_text(value, section_labels)
        if held is not None:
            return held
        return "; ".join(f"{key}: {_text(part, section_labels)}" for key, part in value.items())
    return str(value)


def _cell(value: Any, section_labels: dict[str, str]) -> Cell:
    if isinstance(value, dict) and value.get("content_type") in PHOTO_TYPES and "base64" in value:
        return Cell(image=f"data:{value['content_type']};base64,{value['base64']}")
    return Cell(text=_text(value, section_labels))


def as_table(name: str, function: SectionFunction, data: Any, section_labels: dict[str, str]) -> Table:
    """A section's data (as it is in data.json) as headings and rows of cells, codes given by their labels."""
    labels = {**COLUMN_LABELS, **getattr(function, "export_columns", {})}
    title = str(getattr(function, "export_label", name))
    if isinstance(data, dict):
        data = [{"key": key, "value": value} for key, value in data.items()]
    elif not isinstance(data, list):
        data = [{"value": data}]
    keys: list[str] = []
    for row in data:
        for key in row if isinstance(row, dict) else ["value"]:
            if key not in keys:
                keys.append(key)
    keys = [key for key in keys if LABELLED.get(key) not in keys]
    rows = [[_cell(row.get(key) if isinstance(row, dict) else row, section_labels) for key in keys] for row in data]
    headings = [str(labels.get(key, key.replace("_", " "))) for key in keys]
    return Table(name=name, label=title, columns=headings, rows=rows)
