"""Reads about a member that pages and other apps need."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.utils.functional import Promise

from groupket.accounts.models import LoginRecord, Member
from groupket.privacy import inventory


@dataclass(frozen=True)
class HeldItem:
    item: inventory.Item
    value: object  # what the page shows: text, a count, or None when nothing is held
    kind: str  # "text", "photo", "password", "records", "empty"


@dataclass(frozen=True)
class HeldCategory:
    label: Promise
    items: list[HeldItem]


def record_counts(member: Member) -> dict[str, int]:
    """How many rows of each model holding items about the member as records, one query per model."""
    owners = {item.field.rsplit(".", 1)[0]: item.owner for item in inventory.ITEMS}
    owners.pop("accounts.Member")
    return {
        label: apps.get_model(label).objects.filter(**{owner: member.pk}).count() for label, owner in owners.items()
    }


def _held(member: Member, item: inventory.Item, counts: dict[str, int]) -> HeldItem:
    label, field = item.field.rsplit(".", 1)
    if label != "accounts.Member":
        count = counts[label]
        return HeldItem(item, count, "records" if count else "empty")
    if field == "password":
        return HeldItem(item, member.password_changed_at, "password")
    value = getattr(member, field)
    if not value:
        return HeldItem(item, None, "empty")
    return HeldItem(item, value, "photo" if field == "photo" else "text")


def held_items(member: Member) -> list[HeldCategory]:
    """Every inventory item, with what is held for this member, grouped by category (P6.1)."""
    counts = record_counts(member)
    return [
        HeldCategory(label, [_held(member, item, counts) for item in items])
        for label, items in inventory.items_by_category()
    ]


def login_records(member: Member, limit: int = 50) -> QuerySet[LoginRecord]:
    return LoginRecord.objects.filter(member=member).order_by("-created_at", "-pk")[:limit]
