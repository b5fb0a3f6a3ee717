"""What the accounts app puts in a member's data export (P6.1).

Listed in settings.GROUPKET_EXPORT_SECTIONS. `items` walks the data inventory, so an
item declared there is exported without a change here.
"""

import base64
from typing import Any

from django.utils.translation import gettext_lazy as _

from groupket.accounts.models import LoginRecord, Member, SignIn
from groupket.accounts.photos import content_type_of
from groupket.accounts.selectors import record_counts
from groupket.privacy import inventory
from groupket.privacy.export_sections import export_section, timestamp

# Items kept one row per event live in their own sections; the item says how many and where.
RECORD_SECTIONS = {"accounts.LoginRecord": "login_records", "accounts.SignIn": "sessions"}


def _member_value(member: Member, field: str) -> Any:
    if field == "password":
        # Only an Argon2id hash is stored, and even that is not handed out: when it was set is what there is to know.
        return {"changed_at": timestamp(member.password_changed_at)}
    value = getattr(member, field)
    if value and field == "photo":
        return {"content_type": content_type_of(value), "base64": base64.b64encode(value).decode("ascii")}
    return value or None


def _value(member: Member, item: inventory.Item, counts: dict[str, int]) -> Any:
    path = item.path
    if path.on_member:
        return _member_value(member, path.field)
    if path.model not in counts:
        return None
    value: dict[str, Any] = {"records": counts[path.model]}
    if path.model in RECORD_SECTIONS:
        value["section"] = RECORD_SECTIONS[path.model]
    return value


@export_section(label=_("My information"))
def items(member: Member) -> list[dict[str, Any]]:
    """Every inventory item, with what is held for this member (None when nothing is)."""
    counts = record_counts(member)
    return [
        {
            "key": item.key,
            "label": str(item.label),
            "category": item.category,
            "category_label": str(inventory.CATEGORY_LABELS.get(item.category, item.category)),
            "value": _value(member, item, counts),
        }
        for item in inventory.ITEMS
    ]


@export_section(label=_("Sign-in records"))
def login_records(member: Member) -> list[dict[str, Any]]:
    return [
        {
            "time": timestamp(record.created_at),
            "succeeded": record.succeeded,
            "ip_address": record.ip_address,
            "user_agent": record.user_agent,
        }
        for record in LoginRecord.objects.filter(member=member).order_by("-created_at", "-pk")
    ]


@export_section(label=_("Signed-in browsers"))
def sessions(member: Member) -> list[dict[str, Any]]:
    # The session key is a secret that signs a browser in; it is never exported.
    return [
        {
            "started_at": timestamp(sign_in.created_at),
            "last_seen_at": timestamp(sign_in.last_seen_at),
            "user_agent": sign_in.user_agent,
            "shared_computer": sign_in.shared_computer,
        }
        for sign_in in SignIn.objects.filter(member=member).order_by("-created_at", "-pk")
    ]
