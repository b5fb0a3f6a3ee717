"""The staff access log: who looked at which member's items, why, and when (P7.8).

Rows are append-only and hash-chained: each row's hash covers its own fields and
the previous row's hash, so editing, deleting or inserting a row breaks the chain
at that point and `verify_access_log` names it. Rows are kept 2 years; the purge
removes the oldest rows, so verification trusts the previous_hash of the oldest
row that remains.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.privacy import inventory
from groupket.privacy.services import record_destruction
from groupket.staff.models import AccessLogEntry
from groupket.staff.permissions import StaffActionDenied
from groupket.staff.roles import ROLES
from groupket.staff.selectors import active_role_slugs

MEMBER_REQUEST = "member_request"
DISPUTE = "dispute"
LEGAL_REQUEST = "legal_request"
SECURITY = "security"

REASONS: dict[str, Promise] = {
    MEMBER_REQUEST: _("The member's own request"),
    DISPUTE: _("A dispute"),
    LEGAL_REQUEST: _("A legal request from an authority"),
    SECURITY: _("Security (abuse, fraud or an attack)"),
}
REASON_CHOICES = list(REASONS.items())

GENESIS_HASH = "0" * 64
RETENTION_MONTHS = 24
PURGE_METHOD = "rows deleted"
PURGE_BASIS = "retention period of staff access records (2 years) ended"
# Any constant works: it only has to be the same number in every process that appends.
_POSTGRES_LOCK_KEY = 0x6B7461636C6F67
_REFERENCE_LIMIT = 200


def allowed_items(staff_id: int) -> frozenset[str]:
    """The inventory items the staff member's live roles let them see."""
    return frozenset(item for slug in active_role_slugs(staff_id) for item in ROLES[slug].items)


def _check_items(staff: AbstractBaseUser, items: Iterable[str]) -> list[str]:
    items = sorted(set(items))
    known = {item.key for item in inventory.ITEMS}
    # Checked before the row is written, so the log never claims a view that was not allowed.
    if any(item not in known for item in items) or not set(items) <= allowed_items(staff.pk):
        raise StaffActionDenied("these items are not allowed to this staff member's roles")
    return items


def _canonical(entry: AccessLogEntry) -> bytes:
    fields = {
        "staff_ref": entry.staff_ref,
        "member_ref": entry.member_ref,
        "items": list(entry.items),
        "reason": entry.reason,
        "reference": entry.reference,
        "ip_address": entry.ip_address,
        # Microseconds in UTC, so the text is the same before saving and after reading back.
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def compute_hash(entry: AccessLogEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _lock_chain() -> None:
    """Serialise appends, so two at once cannot both chain onto the same last row.

    On SQLite every transaction is IMMEDIATE (settings), which already holds the write
    lock. On PostgreSQL a row lock on the last row is not enough: under READ COMMITTED
    the second appender would still read the old last row after waiting. A transaction
    advisory lock taken before reading the last row is.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_LOCK_KEY])
    elif connection.vendor != "sqlite":
        list(AccessLogEntry.objects.select_for_update().order_by("-pk").values_list("pk")[:1])


def append_entry(
    *, staff_ref: int, member_ref: int, items: list[str], reason: str, reference: str, request: HttpRequest
) -> AccessLogEntry:
    """Append one row to the chain, unchecked: callers check what the staff member may see first.

    log_member_view is the way for member views; this is public for other logged reads on the same
    chain (a retained record, which belongs to no live member), so none of them re-implements the lock.
    """
    with transaction.atomic():
        _lock_chain()
        last_hash = AccessLogEntry.objects.order_by("-pk").values_list("entry_hash", flat=True).first()
        entry = AccessLogEntry(
            staff_ref=staff_ref,
            member_ref=member_ref,
            items=items,
            reason=reason,
            reference=reference,
            ip_address=(request.META.get("REMOTE_ADDR") or "")[:45],
            created_at=timezone.now(),
            previous_hash=last_hash or GENESIS_HASH,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry


def log_member_view(
    *, staff: AbstractBaseUser, member_id: int, items: list[str], reason: str, reference: str, request: HttpRequest
) -> AccessLogEntry:
    """Append one row: `staff` was shown `items` of member `member_id` for `reason`.

    Raises StaffActionDenied when an item is not allowed to the staff member's roles,
    and ValueError for a reason outside REASONS or an over-long reference.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown access reason {reason!r}")
    reference = reference.strip()
    if len(reference) > _REFERENCE_LIMIT:
        raise ValueError("the reference is too long")
    items = _check_items(staff, items)
    return append_entry(
        staff_ref=staff.pk, member_ref=member_id, items=items, reason=reason, reference=reference, request=request
    )


def verify_access_log() -> int | None:
    """The pk of the first row whose hash or link is wrong, or None when the chain is intact.

    The oldest remaining row's previous_hash is trusted, since the purge deletes from the start.
    """
    expected_previous: str | None = None
    for entry in AccessLogEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if expected_previous is not None and entry.previous_hash != expected_previous:
            return entry.pk
        if compute_hash(entry) != entry.entry_hash:
            return entry.pk
        expected_previous = entry.entry_hash
    return None


def purge_old_access_log() -> int:
    """Delete access records older than 2 years (scheduled daily); how many."""
    cutoff = inventory.add_months(timezone.now(), -RETENTION_MONTHS)
    with transaction.atomic():
        deleted, _ = AccessLogEntry.objects.filter(created_at__lt=cutoff).delete()
        if deleted:
            record_destruction(category="staff access records", count=deleted, method=PURGE_METHOD, basis=PURGE_BASIS)
    return deleted
