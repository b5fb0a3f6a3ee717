"""On PostgreSQL, retained records live in one partition per destruction month (P8.5).

Every record of a month is due once the month is over, so the daily sweep destroys a past month by dropping
its partition: no row is rewritten, no dead row is left for VACUUM, and the files go back to the system. Only
the current month's records that are due are deleted row by row. A daily job makes, each in its own short
transaction, the partitions of every month a record made today could be due in (the longest retention rule
ahead); making a partition locks the whole table, so a withdrawal should never have to. A month's partition is
also made with its key (retention_keys.open_month_keys), for a month past that horizon (an extended retention):
a record is always sealed under the key of its destruction month, so the partition it goes to always exists.
SQLite keeps one plain table (tests, development).

What partitioning costs: PostgreSQL's unique constraints on a partitioned table must include the partition
key, so record_ref is unique with its destroy_on (a record_ref is a time-ordered UUID with 74 random bits, and
extend_retention finds a record by it) and the primary key is (id, destroy_on) (ids come from one sequence).
"""

import re
from collections import Counter
from datetime import date

from django.db import connection

from groupket.privacy.inventory import add_months
from groupket.privacy.models import RetainedRecord

TABLE = RetainedRecord._meta.db_table
_MONTH_PARTITION = re.compile(rf"^{TABLE}_(\d{{4}})_(\d{{2}})$")


def partitioned() -> bool:
    """Whether the table is partitioned: on PostgreSQL, since migration privacy 0008."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partition_name(month: str) -> str:
    """The partition of a destruction month "YYYY-MM"."""
    year, number = (int(part) for part in month.split("-"))
    return f"{TABLE}_{year:04d}_{number:02d}"


def _bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    return first, add_months(first, 1)


def make_month_partitions(months: list[str]) -> int:
    """Make the partitions of these months that do not exist yet (PostgreSQL; nothing elsewhere); how many.

    Existing ones are left without a statement: CREATE TABLE ... PARTITION OF locks the whole table even when
    IF NOT EXISTS finds the partition there."""
    if not months or not partitioned():
        return 0
    existing = month_partitions()
    missing = [month for month in months if month not in existing]
    with connection.cursor() as cursor:
        for month in missing:
            first, after = _bounds(month)
            name = connection.ops.quote_name(partition_name(month))
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {connection.ops.quote_name(TABLE)}"
                f" FOR VALUES FROM ('{first.isoformat()}') TO ('{after.isoformat()}')"
            )
    return len(missing)


def months_ahead(today: date, count: int) -> list[str]:
    """This month and the `count` after it, as "YYYY-MM"."""
    index = today.year * 12 + today.month - 1
    return [f"{month // 12:04d}-{month % 12 + 1:02d}" for month in range(index, index + count + 1)]


def month_partitions() -> dict[str, str]:
    """The existing partitions by month "YYYY-MM"."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor]
    found = {}
    for name in names:
        if match := _MONTH_PARTITION.match(name):
            found[f"{match.group(1)}-{match.group(2)}"] = name
    return found


def drop_past_month_partitions(current_month: str) -> Counter[tuple[str, str]]:
    """Drop the partition of every month before `current_month`; how many records went, by (category, basis).

    Every record in such a partition is due (its destruction date is before the first of this month). The
    table is locked first, as DROP would lock it anyway, so no record can come or go between the count and
    the drop; the lock lasts until the sweep's transaction ends, a moment since nothing is rewritten.
    """
    past = sorted(name for month, name in month_partitions().items() if month < current_month)
    counts: Counter[tuple[str, str]] = Counter()
    if not past:
        return counts
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(TABLE)} IN ACCESS EXCLUSIVE MODE")
        # A table with deferred foreign-key checks still pending (rows added earlier in this transaction)
        # cannot be dropped: run them now, then defer again as Django's constraints are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in past:
            quoted = connection.ops.quote_name(name)
            cursor.execute(f"SELECT category, basis, count(*) FROM {quoted} GROUP BY category, basis")  # noqa: S608
            counts.update({(category, basis): count for category, basis, count in cursor})
            cursor.execute(f"DROP TABLE {quoted}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return counts
