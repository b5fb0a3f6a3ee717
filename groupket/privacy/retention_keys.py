"""Month keys of retained records (P8.2, P8.5).

Every retained record due for destruction in one month is sealed under that
month's random 256-bit key, stored only wrapped by the current master key (like
a member's data key, through core.keys, so master-key rotation re-wraps it).
Deleting the month's key row destroys every copy of those records, backups
included, once the master key that wrapped it is gone too.
"""

from collections.abc import Collection
from datetime import date

from groupket.core.keys import unwrap_key, wrap_new_key
from groupket.privacy.models import RetentionKey
from groupket.privacy.retained_partitions import make_month_partitions


def month_of(day: date) -> str:
    """The RetentionKey.month of a destruction date: "YYYY-MM"."""
    return f"{day.year:04d}-{day.month:02d}"


def _new_month_key(month: str) -> RetentionKey:
    _plain, wrapped, master_key_id = wrap_new_key(RetentionKey._meta.label)
    return RetentionKey(month=month, wrapped=wrapped, master_key_id=master_key_id)


def open_month_keys(months: Collection[str]) -> dict[str, tuple[RetentionKey, bytes]]:
    """Each month's key row and plaintext key, making the missing ones (and their partitions); few queries."""
    rows = {row.month: row for row in RetentionKey.objects.filter(month__in=months)}
    missing = [month for month in sorted(months) if month not in rows]
    if missing:
        # Another withdrawal may make the same month's key at the same moment: the first one stored wins.
        RetentionKey.objects.bulk_create([_new_month_key(month) for month in missing], ignore_conflicts=True)
        # A month's records go to its partition (PostgreSQL), made with its key: the sweep drops it whole.
        make_month_partitions(missing)
        rows = {row.month: row for row in RetentionKey.objects.filter(month__in=months)}
    return {month: (row, unwrap_key(row)) for month, row in rows.items()}


def open_month_key(retention_key: RetentionKey) -> bytes:
    return unwrap_key(retention_key)
