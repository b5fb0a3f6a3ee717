"""The staff access log: who looked at which member's items, why, and when (P7.8).

Rows are append-only and chained by MACs under a key kept outside the database (staff.access_chain
says how, and how verification finds an edited, inserted or deleted row). Each append writes its
sequence and MAC to the application log; the hourly checkpoint job writes the head to a signed file
beside the keyring; rows are kept 2 years, and the purge signs where the chain now begins.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.core.actors import acting
from groupket.privacy import inventory
from groupket.privacy.services import record_destruction
from groupket.staff import access_keys
from groupket.staff.access_anchors import HEAD, START, anchor_key_ids, write_anchor
from groupket.staff.access_chain import APPEND_LOG_FORMAT, ChainBreak, chain_start, row_mac, verify_chain
from groupket.staff.models import AccessLogEntry
from groupket.staff.permissions import StaffActionDenied
from groupket.staff.roles import items_of
from groupket.staff.selectors import active_role_slugs

MEMBER_REQUEST = "member_request"
DISPUTE = "dispute"
LEGAL_REQUEST = "legal_request"
SECURITY = "security"
MODERATION = "moderation"

REASONS: dict[str, Promise] = {
    MEMBER_REQUEST: _("The member's own request"),
    DISPUTE: _("A dispute"),
    LEGAL_REQUEST: _("A legal request from an authority"),
    SECURITY: _("Security (abuse, fraud or an attack)"),
    MODERATION: _("Reviewing a held or reported post or comment (moderation)"),
}
REASON_CHOICES = list(REASONS.items())

logger = logging.getLogger(__name__)
RETENTION_MONTHS = 24
PURGE_METHOD = "rows deleted"
PURGE_BASIS = "retention period of staff access records (2 years) ended"
# Any constant works: it only has to be the same number in every process that appends.
_POSTGRES_LOCK_KEY = 0x6B7461636C6F67
_REFERENCE_LIMIT = 200


def allowed_items(staff_id: int) -> frozenset[str]:
    """The inventory items the staff member's live roles let them see."""
    return items_of(active_role_slugs(staff_id))


def _items_of_roles(staff: AbstractBaseUser) -> frozenset[str]:
    """The items the staff member's roles allow: from the roles the console's gate read for this request, if it
    did (permissions.staff_view), else read now (a command, a job)."""
    slugs = getattr(staff, "_staff_role_cache", None)
    if slugs is None:
        return allowed_items(staff.pk)
    return items_of(slugs)


def _check_items(staff: AbstractBaseUser, items: Iterable[str]) -> list[str]:
    items = sorted(set(items))
    known = {item.key for item in inventory.ITEMS}
    # Checked before the row is written, so the log never claims a view that was not allowed.
    if any(item not in known for item in items) or not set(items) <= _items_of_roles(staff):
        raise StaffActionDenied("these items are not allowed to this staff member's roles")
    return items


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


def _log_append(sequence: int, entry_hash: str, key_id: str) -> None:
    logger.info(APPEND_LOG_FORMAT, sequence, entry_hash, key_id)


def append_entry(
    *, staff_ref: int, member_ref: int, items: list[str], reason: str, reference: str, ip_address: str
) -> AccessLogEntry:
    """Append one row to the chain, unchecked: callers check what the staff member may see first.

    log_member_view is the way for member views; this is public for other logged reads on the same
    chain (a retained record, which belongs to no live member), so none of them re-implements the lock.
    """
    with transaction.atomic():
        _lock_chain()
        key_id, secret = access_keys.current_key()
        last = AccessLogEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
        sequence, previous = (last[0] + 1, last[1]) if last else chain_start()
        entry = AccessLogEntry(
            sequence=sequence,
            key_id=key_id,
            staff_ref=staff_ref,
            member_ref=member_ref,
            items=items,
            reason=reason,
            reference=reference,
            ip_address=ip_address[:45],
            created_at=timezone.now(),
            previous_hash=previous,
        )
        entry.entry_hash = row_mac(entry, secret)
        entry.save(force_insert=True)
        # Logged once committed, so the application log anchors only rows that exist.
        transaction.on_commit(partial(_log_append, sequence, entry.entry_hash, key_id))
    return entry


@acting("staff")
def log_member_view(
    *, staff: AbstractBaseUser, member_id: int, items: list[str], reason: str, reference: str, ip_address: str
) -> AccessLogEntry:
    """Append one row: `staff` was shown `items` of member `member_id` for `reason`, from `ip_address`.

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
        staff_ref=staff.pk, member_ref=member_id, items=items, reason=reason, reference=reference, ip_address=ip_address
    )


def verify_access_log(*, app_log: Iterable[str] = ()) -> ChainBreak | None:
    """The first break of the chain (a row, or an anchor outside the database), or None when intact."""
    return verify_chain(app_log=app_log)


def _refuse(job: str, broken: ChainBreak) -> int:
    # Sequence numbers and pks only: no personal data in the log.
    logger.error("%s refused: the access log does not verify (%s)", job, broken.describe())
    return 0


def checkpoint_access_log() -> int:
    """Write the newest row as the signed head checkpoint (scheduled hourly); 1 when written.

    Refused while the chain does not verify, so a checkpoint never blesses rows deleted since the last.
    """
    broken = verify_chain()
    if broken:
        return _refuse("checkpoint_access_log", broken)
    head = AccessLogEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    if head is None:
        return 0
    write_anchor(kind=HEAD, sequence=head[0], entry_hash=head[1], at=timezone.now())
    return 1


def purge_old_access_log() -> int:
    """Delete access records older than 2 years (scheduled daily); how many.

    The purge writes a signed start checkpoint naming where the chain now begins, so what it removed is
    not taken for a deleted start. Refused while the chain does not verify: it would bless a deletion.
    """
    broken = verify_chain()
    if broken:
        return _refuse("purge_old_access_log", broken)
    cutoff = inventory.add_months(timezone.now(), -RETENTION_MONTHS)
    with transaction.atomic():
        _lock_chain()
        old = AccessLogEntry.objects.filter(created_at__lt=cutoff)
        last_old = old.order_by("-sequence").values_list("sequence", "entry_hash").first()
        if last_old is None:
            return 0
        # Rows are appended in time order, so everything up to the newest old row goes.
        deleted, _ = AccessLogEntry.objects.filter(sequence__lte=last_old[0]).delete()
        # Written inside the transaction: if the file cannot be written, no row is deleted.
        write_anchor(kind=START, sequence=last_old[0] + 1, entry_hash=last_old[1], at=timezone.now())
        record_destruction(category="staff access records", count=deleted, method=PURGE_METHOD, basis=PURGE_BASIS)
    used = set(AccessLogEntry.objects.values_list("key_id", flat=True).distinct())
    access_keys.forget_keys_except(used | anchor_key_ids())
    return deleted
