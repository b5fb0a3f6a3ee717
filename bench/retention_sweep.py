"""How fast the daily sweep destroys expired retained records (target: >= 100,000 records a second).

N = 300,000 expired records across four past months are bulk-inserted, each with a real sealed payload
under its month's key, beside 5,000 records not yet due that must survive. The sweep is timed as the
scheduler runs it: one transaction, a set-based delete, the empty month keys destroyed, the log written.
Three rounds; the target is judged on the median.
"""

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write_result  # noqa: E402

EXPIRED = 300_000
UNEXPIRED = 5_000
PAST_MONTHS = 4
ROUNDS = 3
TARGET = 100_000  # records destroyed per second of wall time
PAYLOAD = (
    b'{"created_at": "2026-01-05T10:00:00+09:00", "ip_address": "203.0.113.7", "succeeded": true, '
    b'"user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"}'
)


def insert_records(count: int, first_day: date, days: int) -> None:
    """`count` records due on days spread over [first_day, first_day + days), sealed like real ones."""
    from groupket.core.crypto import seal
    from groupket.core.ids import time_ordered_uuid
    from groupket.privacy import inventory
    from groupket.privacy.models import RetainedRecord
    from groupket.privacy.retention_keys import month_of, open_month_keys

    rule = inventory.RETENTION_RULES[inventory.LOGIN_RECORDS]
    due = [first_day + timedelta(days=index % days) for index in range(count)]
    keys = open_month_keys({month_of(day) for day in due})
    subject = time_ordered_uuid()
    batch = []
    for index, destroy_on in enumerate(due):
        key_row, key = keys[month_of(destroy_on)]
        ref = time_ordered_uuid()
        if index % 50 == 0:
            subject = time_ordered_uuid()  # 50 records per former member
        batch.append(
            RetainedRecord(
                record_ref=ref,
                subject_ref=subject,
                retention_key=key_row,
                category=rule.category,
                basis=rule.stored_basis,
                destroy_on=destroy_on,
                payload=seal(key, PAYLOAD, aad=ref.bytes),
            )
        )
        if len(batch) == 10_000:
            RetainedRecord.objects.bulk_create(batch)
            batch = []
    RetainedRecord.objects.bulk_create(batch)


def sweep_round() -> dict:
    """Insert the records, sweep once, check what is left; the round's numbers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from groupket.privacy.inventory import add_months
    from groupket.privacy.models import RetainedRecord, RetentionKey
    from groupket.privacy.services.retention import sweep_retained_records

    today = timezone.localdate()
    first = add_months(today.replace(day=1), -PAST_MONTHS)
    insert_records(EXPIRED, first, (today.replace(day=1) - first).days)
    insert_records(UNEXPIRED, today + timedelta(days=1), 60)
    keys_before = RetentionKey.objects.count()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        destroyed = sweep_retained_records()
        elapsed = time.perf_counter() - started
    assert destroyed == EXPIRED and RetainedRecord.objects.count() == UNEXPIRED, destroyed
    RetainedRecord.objects.all().delete()  # the next round starts empty
    return {
        "seconds": round(elapsed, 3),
        "records_per_second": round(destroyed / elapsed),
        "month_keys_destroyed": keys_before - RetentionKey.objects.count(),
        "queries": len(queries),
    }


def main() -> int:
    setup_django()
    rounds = [sweep_round() for _ in range(ROUNDS)]
    rate = statistics.median(entry["records_per_second"] for entry in rounds)
    passed = rate >= TARGET
    result = {
        "expired_records": EXPIRED,
        "unexpired_records_kept": UNEXPIRED,
        "rounds": rounds,
        "median_records_per_second": round(rate),
        "target": f">= {TARGET} records destroyed per second (median of {ROUNDS} rounds)",
        "passed": passed,
    }
    seconds = statistics.median(entry["seconds"] for entry in rounds)
    summary = f"{EXPIRED:,} records in {seconds:.2f} s = {rate:,.0f}/s, median of {ROUNDS} (target >= {TARGET:,}/s)"
    write_result("retention_sweep", result, summary)
    print(summary)
    print("rounds:", ", ".join(f"{entry['records_per_second']:,}/s" for entry in rounds))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
