"""What the access log costs a staff member lookup (P7.8): with its log row against without (target <= 1.2 x).

A privacy officer (every item shown), signed in with the second factor passed, posts the lookup form for a
member by exact ID through Django's test client: the staff gate, the form, the blind-index lookup, the items
opened and the result page. With the log row, each lookup also appends to the hash chain as the product does
(the chain lock, the key, the last row, the MAC, the insert, the application-log anchor on commit). Without, the
view is given the same entry unsaved, so everything else is the same. The two kinds alternate; the figure is
the CPU time of the first over the second, summed over every lookup (this process's, and on PostgreSQL its
backend's too); the wall-clock medians are kept beside it (on a loaded machine they count waits for a core).
--postgres runs it on PostgreSQL (groupket_bench_staff), where the chain lock is an advisory lock.

    .venv/bin/python -m bench.staff_lookup [--repeats 200] [--postgres]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, setup_django, time_alternately, write_result  # noqa: E402

TARGET = 1.2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=200, help="lookups of each kind")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    setup_django(postgres="staff" if args.postgres else None)
    sys.path.insert(0, str(ROOT))
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from groupket.staff.models import AccessLogEntry
    from groupket.staff.services.access_log import verify_access_log
    from groupket.staff.views import members as lookup_view
    from tests.conftest import make_staff, sign_in_staff
    from tests.factories import MemberFactory

    looked_up = MemberFactory(username="looked.up", name="Seo-yeon Park", email="seoyeon.park@example.org")
    looked_up.phone = "010-2345-6789"
    looked_up.save(update_fields=["phone"])
    officer = make_staff("privacy_officer")
    client = Client(HTTP_HOST="127.0.0.1")
    sign_in_staff(client, officer)
    logged = lookup_view.log_member_view

    def unlogged(*, staff, member_id, items, reason, reference, ip_address):  # noqa: ANN001, ANN202
        return AccessLogEntry(
            sequence=0,
            staff_ref=staff.pk,
            member_ref=member_id,
            items=items,
            reason=reason,
            reference=reference,
            ip_address=ip_address,
            created_at=timezone.now(),
        )

    def look_up() -> None:
        response = client.post(
            "/staff/members/", {"query": "looked.up", "reason": "member_request", "reference": "REQ-42", "note": ""}
        )
        assert response.status_code == 200 and b"seoyeon.park@example.org" in response.content, response.status_code

    def with_log() -> None:
        lookup_view.log_member_view = logged
        look_up()

    def without_log() -> None:
        lookup_view.log_member_view = unlogged
        look_up()

    for _ in range(10):  # warm-up
        look_up()
    rows_before = AccessLogEntry.objects.count()
    times = time_alternately({"with": with_log, "without": without_log}, repeats=args.repeats)
    lookup_view.log_member_view = logged
    assert AccessLogEntry.objects.count() - rows_before == args.repeats, "one row per logged lookup, none otherwise"
    assert verify_access_log() is None, "the chain is intact"
    with_ms, without_ms = times["with"]["median_ms"], times["without"]["median_ms"]
    wall_ratio = with_ms / without_ms
    ratio = times["with"]["cpu_ms"] / times["without"]["cpu_ms"]
    passed = ratio <= TARGET
    result = {
        "database": connection.vendor,
        "repeats": args.repeats,
        "access_log_rows_at_end": AccessLogEntry.objects.count(),
        "with_log_median_ms": round(with_ms, 3),
        "without_log_median_ms": round(without_ms, 3),
        "with_log_cpu_ms": round(times["with"]["cpu_ms"], 3),
        "without_log_cpu_ms": round(times["without"]["cpu_ms"], 3),
        "wall_ratio": round(wall_ratio, 3),
        "ratio": round(ratio, 3),
        "target": f"ratio <= {TARGET} (CPU of the lookup with its access-log row / without it)",
        "passed": passed,
    }
    summary = (
        f"staff lookup on {connection.vendor} with its access-log row {result['with_log_cpu_ms']:.2f} ms of CPU, "
        f"without {result['without_log_cpu_ms']:.2f} ms: ratio {ratio:.2f} (target <= {TARGET}); wall-clock medians "
        f"{with_ms:.2f} / {without_ms:.2f} ms, ratio {wall_ratio:.2f}"
    )
    write_result("staff_lookup", result, summary, figure=f"ratio {ratio:.2f} (CPU), {wall_ratio:.2f} (wall)")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
