"""Reads about a member that pages and other apps need."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Count, QuerySet, Value
from django.utils.functional import Promise

from groupket.accounts.models import LoginRecord, Member, SignIn
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
    """How many rows of each model holding items about the member as records, in one query (a UNION ALL of
    one count per model), so that /me/ costs the same whatever apps add records."""
    owners = {item.path.model: item.owner for item in inventory.ITEMS}
    owners.pop(inventory.MEMBER_MODEL)
    counts = [
        apps.get_model(label)
        .objects.filter(**{owner: member.pk})
        .order_by()
        .values(model=Value(label))
        .annotate(rows=Count("*"))
        .values_list("model", "rows")
        for label, owner in owners.items()
    ]
    return dict(counts[0].union(*counts[1:], all=True)) if counts else {}


def _held(member: Member, item: inventory.Item, counts: dict[str, int]) -> HeldItem:
    path = item.path
    if not path.on_member:
        count = counts[path.model]
        return HeldItem(item, count, "records" if count else "empty")
    if path.field == "password":
        return HeldItem(item, member.password_changed_at, "password")
    value = getattr(member, path.field)
    if not value:
        return HeldItem(item, None, "empty")
    return HeldItem(item, value, "photo" if path.field == "photo" else "text")


def held_items(member: Member) -> list[HeldCategory]:
    """Every inventory item, with what is held for this member, grouped by category (P6.1)."""
    counts = record_counts(member)
    return [
        HeldCategory(label, [_held(member, item, counts) for item in items])
        for label, items in inventory.items_by_category()
    ]


# Member items held only while something is under way (an email change awaiting its link): not "given".
UNDER_WAY = frozenset({"pending_email"})
# Saved delivery details are given at a group order's checkout, not on Edit Profile: records that come with use.
GIVEN_AT_CHECKOUT = inventory.DELIVERY


@dataclass(frozen=True)
class Absent:
    """Something not held: an item, or a whole category whose records do not exist yet."""

    label: Promise
    items: list[inventory.Item]


@dataclass(frozen=True)
class MyInformation:
    """My information, summary first (P6.1): what is held, then one line each for what is not."""

    held: list[HeldItem]
    not_given: list[HeldItem]  # optional items the member may give on [Edit Profile]
    none_yet: list[Absent]  # records that come with use (sign-ins, exports, requests), none so far
    purposes: list[tuple[Promise, list[inventory.Item]]]  # each purpose once, with every item used for it
    retention: list[tuple[Promise, list[inventory.Item]]]  # each period once, with every item kept for it
    request_count: int


def _grouped(items: tuple[inventory.Item, ...], keys_of: Callable) -> list[tuple[Promise, list[inventory.Item]]]:
    groups: dict[str, tuple[Promise, list[inventory.Item]]] = {}
    for item in items:
        for key, label in keys_of(item):
            groups.setdefault(key, (label, []))[1].append(item)
    return list(groups.values())


def _none_yet(categories: list[HeldCategory], empty: set[str]) -> list[Absent]:
    """The items of these keys, a whole category in one entry where nothing of it is held."""
    absent: list[Absent] = []
    for category in categories:
        missing = [held for held in category.items if held.item.key in empty]
        if len(missing) > 1 and len(missing) == len(category.items):
            absent.append(Absent(category.label, [held.item for held in missing]))
        else:
            absent += [Absent(held.item.label, [held.item]) for held in missing]
    return absent


def summarise_my_information(member: Member) -> MyInformation:
    categories = held_items(member)
    every = [held for category in categories for held in category.items]
    empty = [held for held in every if held.kind == "empty"]
    not_given = [
        held
        for held in empty
        if held.item.path.on_member
        and not held.item.required
        and held.item.key not in UNDER_WAY
        and held.item.category != GIVEN_AT_CHECKOUT
    ]
    requests = [held.value for held in every if held.item.category == inventory.REQUEST and held.kind == "records"]
    return MyInformation(
        held=[held for held in every if held.kind != "empty"],
        not_given=not_given,
        none_yet=_none_yet(categories, {held.item.key for held in empty} - {held.item.key for held in not_given}),
        purposes=_grouped(
            inventory.ITEMS, lambda item: [(key, inventory.PURPOSE_LABELS[key]) for key in item.purposes]
        ),
        retention=_grouped(inventory.ITEMS, lambda item: [(str(item.retention), item.retention)]),
        request_count=max(requests, default=0),
    )


def login_records(member: Member, limit: int = 50) -> QuerySet[LoginRecord]:
    return LoginRecord.objects.filter(member=member).order_by("-created_at", "-pk")[:limit]


# --- Reads the staff console needs --------------------------------------------------------------------------


def usernames_by_id(ids: Iterable[int | None]) -> dict[int, str]:
    """The usernames of these members in one query; a member who has unregistered is simply absent."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    return {member.pk: member.username for member in Member.objects.filter(pk__in=wanted).only("username", "data_key")}


def member_by_username_or_email(query: str, *, fields: Iterable[str]) -> Member | None:
    """The member with exactly this username, or exactly this email when the query has an "@" (blind index)."""
    # Usernames cannot contain "@", so the two kinds of lookup never overlap.
    matches = Member.objects.with_email(query) if "@" in query else Member.objects.with_username(query)
    return matches.only("data_key", *fields).first()


def active_member_with_username(username: str) -> Member | None:
    return Member.objects.with_username(username).filter(is_active=True).first()


def member_by_id(member_id: int | None) -> Member | None:
    """The member, or None for no id or a member who has unregistered."""
    return Member.objects.filter(pk=member_id).first() if member_id else None


def sign_in_started_at(sign_in_id: int | None) -> datetime | None:
    """When the sign-in behind a session happened; None when its listing is gone."""
    return SignIn.objects.filter(pk=sign_in_id).values_list("created_at", flat=True).first()
