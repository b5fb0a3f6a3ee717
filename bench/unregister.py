"""Unregister's database work on PostgreSQL, for a member with 10 against 10,000 rows (target <= 1.5 x).

The members are made as bench/unregister_cost.py makes them (sign-in records sealed under the member's key,
5 recent ones kept as retained records, the rest destroyed). What is timed is the destruction alone, the one
transaction Unregister runs once the password has been checked (accounts.services.unregister's
_destroy_membership): without the Argon2 check, which otherwise hides it (bench/unregister_cost.py measures the
whole of it on SQLite). The sizes alternate, seven of each; the figure is the median for 10,000 rows over the
median for 10. PostgreSQL database groupket_bench_unregister, dropped and made again.

    .venv/bin/python -m bench.unregister [--repeats 7]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write_result  # noqa: E402
from unregister_cost import RECENT, make_member  # noqa: E402

SIZES = (10, 10_000)
TARGET = 1.5


def destroy(member) -> tuple[float, int]:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groupket.accounts.services.unregister import DESTRUCTION_BASIS, _destroy_membership

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        _destroy_membership(member=member, basis=DESTRUCTION_BASIS, caused_by=None)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="members of each size")
    args = parser.parse_args()
    setup_django(postgres="unregister")
    from django.db import connection

    from groupket.privacy.models import RetainedRecord

    number = 1
    for _ in range(2):  # warm-up: imports, first keys, plans
        destroy(make_member(900_000 + number, SIZES[0]))
        number += 1
    times: dict[int, list[float]] = {size: [] for size in SIZES}
    queries: dict[int, set[int]] = {size: set() for size in SIZES}
    for _ in range(args.repeats):
        for size in SIZES:
            member = make_member(number, size)
            number += 1
            kept_before = RetainedRecord.objects.count()
            elapsed, count = destroy(member)
            assert RetainedRecord.objects.count() - kept_before == min(RECENT, size), "the recent records are kept"
            times[size].append(elapsed)
            queries[size].add(count)
    small, large = (statistics.median(times[size]) * 1000 for size in SIZES)
    ratio = large / small
    passed = ratio <= TARGET
    result = {
        "database": connection.vendor,
        "rows": list(SIZES),
        "repeats": args.repeats,
        "median_ms": {str(size): round(statistics.median(times[size]) * 1000, 3) for size in SIZES},
        "min_ms": {str(size): round(min(times[size]) * 1000, 3) for size in SIZES},
        "queries": {str(size): sorted(queries[size]) for size in SIZES},
        "ratio": round(ratio, 3),
        "target": f"ratio <= {TARGET} (Unregister's database work, 10,000 rows / 10 rows, PostgreSQL)",
        "passed": passed,
    }
    summary = (
        f"Unregister's database work on PostgreSQL: 10 rows {small:.1f} ms, 10,000 rows {large:.1f} ms, "
        f"ratio {ratio:.2f} (target <= {TARGET}); queries {sorted(queries[SIZES[0]])} / {sorted(queries[SIZES[1]])}"
    )
    write_result("unregister", result, summary, figure=f"ratio {ratio:.2f}")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
