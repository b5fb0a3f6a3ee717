"""How Unregister's cost grows with the member's data: 10 against 10,000 rows (target: ratio <= 1.5).

Each member's rows are sign-in records, bulk-created and sealed under the member's key like real ones.
Both members have the same 5 records from the last days (which Unregister keeps as retained records,
3 months under the Protection of Communications Secrets Act); every other record is older than 3 months
and is destroyed. So the kept work is the same and the ratio shows what the rest of the data costs.

The target is judged on unregister_member as the product runs it, with the project's password hashers
(Argon2id checks the confirmation password first). The same run is repeated with a fast hasher, which
leaves only the database work, and that ratio is reported too: it shows the growth Argon2 hides.
"""

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write_result  # noqa: E402

SIZES = (10, 10_000)
RECENT = 5
REPEATS = 7
TARGET = 1.5
PASSWORD = "orange7river-Stone"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def make_member(number: int, rows: int):  # noqa: ANN201 - Django is configured at run time
    from django.utils import timezone

    from groupket.accounts.models import LoginRecord
    from groupket.accounts.services.registration import Signup, register_member

    member = register_member(
        signup=Signup(
            username=f"bench{number}",
            name=f"Bench Member {number}",
            email=f"bench{number}@example.org",
            password=PASSWORD,
            agree_terms=True,
            agree_privacy=True,
            marketing_opt_in=False,
        )
    )
    now = timezone.now()
    LoginRecord.objects.bulk_create(
        [
            LoginRecord(
                member=member,
                data_key_id=member.data_key_id,
                succeeded=index % 7 != 0,
                ip_address=f"203.0.113.{index % 250}",
                user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
                created_at=now - (timedelta(days=1 + index) if index < RECENT else timedelta(days=100 + index % 900)),
            )
            for index in range(rows)
        ],
        batch_size=1000,
    )
    return member


def time_unregister(member) -> tuple[float, int]:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groupket.accounts.services.unregister import unregister_member

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        unregister_member(member=member, password=PASSWORD)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def measure(sizes: tuple[int, ...], repeats: int, first_number: int) -> dict[int, dict]:
    from groupket.privacy.models import RetainedRecord

    results, number = {}, first_number
    for size in sizes:
        times, query_counts = [], set()
        for _ in range(repeats):
            member = make_member(number, size)
            number += 1
            kept_before = RetainedRecord.objects.count()
            elapsed, queries = time_unregister(member)
            assert RetainedRecord.objects.count() - kept_before == min(RECENT, size), "the recent records are kept"
            times.append(elapsed)
            query_counts.add(queries)
        results[size] = {"median_s": statistics.median(times), "min_s": min(times), "queries": sorted(query_counts)}
    return results


def main() -> int:
    setup_django()
    from django.test import override_settings

    measure((10,), 2, 900_000)  # warm-up: imports, first keys, SQLite cache
    product = measure(SIZES, REPEATS, 1)
    ratio = product[SIZES[1]]["median_s"] / product[SIZES[0]]["median_s"]
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        fast = measure(SIZES, REPEATS, 100_000)
    fast_ratio = fast[SIZES[1]]["median_s"] / fast[SIZES[0]]["median_s"]
    passed = ratio <= TARGET
    result = {
        "rows": list(SIZES),
        "recent_rows_kept": RECENT,
        "repeats": REPEATS,
        "project_hashers": {str(size): values for size, values in product.items()},
        "ratio": round(ratio, 3),
        "fast_hasher": {str(size): values for size, values in fast.items()},
        "fast_hasher_ratio": round(fast_ratio, 3),
        "target": f"ratio <= {TARGET} (unregister_member with the project's hashers)",
        "passed": passed,
    }
    small, large = (product[size]["median_s"] * 1000 for size in SIZES)
    fast_small, fast_large = (fast[size]["median_s"] * 1000 for size in SIZES)
    summary = (
        f"10 rows {small:.1f} ms, 10,000 rows {large:.1f} ms, ratio {ratio:.2f} (target <= {TARGET}); "
        f"without Argon2 {fast_small:.1f} / {fast_large:.1f} ms, ratio {fast_ratio:.2f}"
    )
    write_result("unregister_cost", result, summary)
    print(summary)
    print(f"queries per unregister: {product[SIZES[0]]['queries']} (10 rows), {product[SIZES[1]]['queries']} (10,000)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
