"""The daily retention sweep on PostgreSQL: >= 200,000 records a second beside 10,000,000 retained records,
and the space it frees reused: over five fill-and-sweep cycles the table and its indexes do not keep growing.

The table is seeded with 10,000,000 records not yet due (destroy_on over the coming year) by one INSERT ...
SELECT over generate_series per million, into the migrated table with its indexes and constraints dropped and
then built again from their catalogue definitions (the seeding only); record_ref values ascend, as the
product's time-ordered UUIDs do. Each row carries the same real payload sealed under its month's
key: the sweep never opens a payload, and sealing ten million in Python would take far longer than the sweep.
Then five cycles: 1,000,000 expired records (due over the past four months) are added the same way, and
sweep_retained_records runs as the scheduler runs it (one transaction: the partition of each past month
counted and dropped, the current month's due rows deleted by a set-based DELETE, the empty month keys
destroyed, the log written; then, committed, a VACUUM of what rows were deleted from, if any). The table is
partitioned by destruction month (privacy.retained_partitions); the records expired here are all in past
months. After each, pg_total_relation_size over the table's partitions (heap, indexes, TOAST) and
pg_stat_user_tables' vacuum counters, autovacuum's included, summed over the partitions that remain, are read:
whether autovacuum ran is measured (a dropped partition's counters go with it), and the server's `autovacuum`
setting is recorded. Passed when the median sweep rate (the delete transaction) is >= 200,000 a second and no
cycle after the first leaves the table more than 2% above the first cycle's size. --scale 0.1 runs a tenth of
everything.
PostgreSQL database groupket_bench_sweep, dropped and made again.

    .venv/bin/python -m bench.retention_sweep [--scale 1.0] [--cycles 5]
"""

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write_result  # noqa: E402

RETAINED = 10_000_000
EXPIRED_PER_CYCLE = 1_000_000
TARGET = 200_000  # records destroyed per second, the sweep's transaction
GROWTH_ALLOWED = 1.02
CHUNK = 1_000_000
PAYLOAD = (
    b'{"created_at": "2026-01-05T10:00:00+09:00", "ip_address": "203.0.113.7", "succeeded": true, '
    b'"user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"}'
)

INSERT = """
INSERT INTO privacy_retainedrecord
    (record_ref, subject_ref, retention_key_id, category, basis, destroy_on, payload, created_at)
SELECT (lpad(to_hex(%(batch)s), 8, '0') || lpad(to_hex(i), 24, '0'))::uuid,
       (lpad(to_hex(%(batch)s), 8, '0') || lpad(to_hex(i / 50), 24, '0'))::uuid,
       key.id, %(category)s, %(basis)s, day.d, %(payload)s, now()
FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS i
CROSS JOIN LATERAL (SELECT %(first)s::date + ((i * %(days)s) / %(count)s)::int AS d) AS day
JOIN privacy_retentionkey AS key ON key.month = to_char(day.d, 'YYYY-MM')
"""


def insert_records(count: int, first_day: date, days: int, batch: int) -> float:
    """`count` records due over [first_day, first_day + days), in chunks; the seconds it took."""
    from django.db import connection, transaction

    from groupket.core.crypto import seal
    from groupket.privacy import inventory
    from groupket.privacy.retention_keys import month_of, open_month_keys

    rule = inventory.RETENTION_RULES[inventory.LOGIN_RECORDS]
    months = {month_of(first_day + timedelta(days=offset)) for offset in range(days + 1)}
    keys = open_month_keys(months)
    _, key = keys[month_of(first_day)]
    payload = seal(key, PAYLOAD, aad=b"bench")
    started = time.perf_counter()
    for low in range(0, count, CHUNK):
        high = min(low + CHUNK, count) - 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")  # seeding only: the sweep commits as usual
            cursor.execute(
                INSERT,
                {
                    "batch": batch,
                    "category": rule.category,
                    "basis": rule.stored_basis,
                    "payload": payload,
                    "low": low,
                    "high": high,
                    "first": first_day,
                    "days": days,
                    "count": count,
                },
            )
    return time.perf_counter() - started


@contextmanager
def without_indexes() -> Iterator[None]:
    """Seed the table without its unique, foreign-key and secondary indexes, then build them again as they were.

    Building an index once over sorted rows is many times faster than ten million index inserts and
    foreign-key checks; the definitions are read back from the catalogue, so the table ends exactly as migrated.
    """
    from django.db import connection

    table = "privacy_retainedrecord"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                # A partitioned table's index reads "ON ONLY": built that way it would skip the partitions.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")


def table_state() -> dict:
    """Sizes and vacuum counters of the table: on PostgreSQL, the sum over its month partitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), 0), coalesce(sum(pg_relation_size(relid)), 0),"
            " coalesce(sum(pg_indexes_size(relid)), 0) FROM pg_partition_tree('privacy_retainedrecord')"
        )
        total, heap, indexes = cursor.fetchone()
        cursor.execute(
            "SELECT coalesce(sum(n_live_tup), 0), coalesce(sum(n_dead_tup), 0), coalesce(sum(vacuum_count), 0),"
            " coalesce(sum(autovacuum_count), 0), max(last_autovacuum), count(*) FROM pg_stat_user_tables"
            " WHERE relid IN (SELECT relid FROM pg_partition_tree('privacy_retainedrecord'))"
        )
        live, dead, vacuums, autovacuums, last_autovacuum, tables = cursor.fetchone()
    return {
        "total_bytes": int(total),
        "heap_bytes": int(heap),
        "index_bytes": int(indexes),
        "live_rows": int(live),
        "dead_rows": int(dead),
        "vacuum_count": int(vacuums),
        "autovacuum_count": int(autovacuums),
        "last_autovacuum": last_autovacuum.isoformat() if last_autovacuum else None,
        "tables": tables,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 10,000,000 and 1,000,000 records")
    parser.add_argument("--cycles", type=int, default=5, help="fill-and-sweep cycles")
    args = parser.parse_args()
    setup_django(postgres="sweep")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from groupket.privacy.inventory import add_months
    from groupket.privacy.models import RetainedRecord
    from groupket.privacy.services.retention import sweep_retained_records

    retained, expired = int(RETAINED * args.scale), int(EXPIRED_PER_CYCLE * args.scale)
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    started = time.perf_counter()
    with without_indexes():
        insert_records(retained, today + timedelta(days=1), 365, batch=0)
    seed_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE privacy_retainedrecord")
    print(f"seeded {retained:,} retained records in {seed_seconds:.0f} s", flush=True)
    first_past = add_months(today.replace(day=1), -4)
    past_days = (today.replace(day=1) - first_past).days - 1
    cycles = []
    for cycle in range(1, args.cycles + 1):
        fill_seconds = insert_records(expired, first_past, past_days, batch=cycle)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            destroyed = sweep_retained_records()
            elapsed = time.perf_counter() - started
        vacuum_seconds = sum(float(query["time"]) for query in queries.captured_queries if "VACUUM" in query["sql"])
        sweep_seconds = elapsed - vacuum_seconds
        assert destroyed == expired, (destroyed, expired)
        state = table_state()
        cycles.append(
            {
                "cycle": cycle,
                "fill_seconds": round(fill_seconds, 2),
                "destroyed": destroyed,
                "sweep_seconds": round(sweep_seconds, 3),
                "vacuum_seconds": round(vacuum_seconds, 3),
                "records_per_second": round(destroyed / sweep_seconds),
                "records_per_second_with_vacuum": round(destroyed / elapsed),
                **state,
            }
        )
        print(
            f"cycle {cycle}: swept {destroyed:,} in {sweep_seconds:.2f} s + VACUUM {vacuum_seconds:.2f} s; "
            f"table {state['total_bytes'] / 2**20:,.0f} MiB (indexes {state['index_bytes'] / 2**20:,.0f} MiB), "
            f"autovacuum runs {state['autovacuum_count']}",
            flush=True,
        )
    assert RetainedRecord.objects.count() == retained, "every record not yet due survives"
    rate = statistics.median(entry["records_per_second"] for entry in cycles)
    first_size = cycles[0]["total_bytes"]
    largest_later = max((entry["total_bytes"] for entry in cycles[1:]), default=first_size)
    growth = largest_later / first_size
    passed = rate >= TARGET and growth <= GROWTH_ALLOWED
    result = {
        "database": "postgresql",
        "scale": args.scale,
        "retained_records": retained,
        "expired_per_cycle": expired,
        "server_autovacuum": autovacuum,
        "seed_seconds": round(seed_seconds, 1),
        "cycles": cycles,
        "median_records_per_second": round(rate),
        "size_growth_after_first_cycle": round(growth, 4),
        "target": (
            f">= {TARGET:,} records/s (median sweep transaction) beside {retained:,} retained, and no cycle after the "
            f"first leaves the table + indexes more than {GROWTH_ALLOWED:.2f} x the first's size"
        ),
        "passed": passed,
    }
    vacuum = statistics.median(entry["vacuum_seconds"] for entry in cycles)
    summary = (
        f"{expired:,} expired beside {retained:,} retained: {rate:,.0f} records/s, median of {args.cycles} "
        f"(target >= {TARGET:,}); then VACUUM {vacuum:.1f} s; table + indexes after cycles 2-{args.cycles} at most "
        f"{growth:.3f} x cycle 1's {first_size / 2**20:,.0f} MiB; server autovacuum {autovacuum}, ran "
        f"{cycles[-1]['autovacuum_count']} times"
    )
    write_result("retention_sweep", result, summary, figure=f"{rate:,.0f} records/s; size x{growth:.3f}")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
