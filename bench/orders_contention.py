"""200 buyers ordering into one group order at once on PostgreSQL (issue 12, section 7): the ordering service with
the order row locked against the same inserts without the lock (target: >= 0.5 x the unlocked rate, no oversell).

Every round opens a fresh group order and releases 200 buyers at once, one order each (pickup, 1 to 3 items).
"locked" rounds call the product's own `orders.services.lines.place_order`: the group order's row locked with
select_for_update, the quantity checked and reserved, the line, its payment and its history row written, in one
transaction. "unlocked" rounds do the same inserts in the same kind of transaction (the same idempotency row,
permission checks, line, payment and history row) but read the order without a lock and neither check nor reserve
the quantity: what ordering would cost if no buyer ever waited for another. The two kinds alternate, so the
machine's other work falls on both. The figure is the locked rate over the unlocked rate (orders per second over
every round of the kind); p95 is of one order's service call (the wait for the lock included).

Two more locked rounds ask for more than the group order has (200 buyers asking about 400, a maximum of 300): the
total must stop at or under the maximum and equal the sum of the lines placed. Every locked round checks the same.

Each order is a transaction on a connection of its own, held open by a worker: `--processes` forked processes
(8) of `--threads` threads (8), 64 connections, since the server allows 100 for everyone on the machine (200 at
once is not possible here). The workers take the 200 buyers' orders as they come; the wait for a free worker is not
timed, as a web server's request queue is not. Processes rather than one process's threads, as production runs
gunicorn's sync workers: threads of one process also queue for Python's lock between statements, with the row
locked. Order notices are published to Celery's in-memory broker after the commit, as a site publishes them to its
broker, instead of being mailed in-process.

    .venv/bin/python -m bench.orders_contention [--buyers 200] [--processes 8] [--threads 8] [--turns 5]

It uses a fresh database groupket_bench_orders_contention (or BENCH_DATABASE, see bench/common.py), dropped and
made again; never the one DATABASE_URL names.
"""

import argparse
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, write_result  # noqa: E402

TARGET = 0.5
LOCKED, UNLOCKED = "locked", "unlocked"


def quantity_of(index: int) -> int:
    return 1 + index % 3


def place_without_lock(*, actor, order, checkout):  # noqa: ANN001, ANN201 - Django is configured at run time
    """place_order without its lock: the same reads, checks and rows (lines.write_line), but the order is never
    locked and no quantity is checked or reserved."""
    from django.db import transaction
    from django.utils import timezone

    from groupket.orders import permissions
    from groupket.orders.models import GroupOrder
    from groupket.orders.services import lines
    from groupket.spaces.selectors import membership_of

    with transaction.atomic():
        order = GroupOrder.objects.select_related("space").get(pk=order.pk)
        if not lines._first_submission(checkout.submission):
            return lines.Outcome(None, duplicate=True)
        has_line = lines._active_line(order, actor.pk) is not None
        permissions.check_can_place(order, membership_of(order.space, actor), now=timezone.now(), has_line=has_line)
        line = lines.write_line(actor=actor, order=order, checkout=checkout)
    return lines.Outcome(line)


def make_people(buyers: int):  # noqa: ANN201
    """An organiser, a space and its buyers, through the product's services (a cheap hasher: nobody signs in)."""
    from django.test import override_settings

    from groupket.accounts.services.registration import Signup, register_member
    from groupket.spaces.services.members import join_space
    from groupket.spaces.services.spaces import SpaceDetails, create_space

    def member(name: str):  # noqa: ANN202
        signup = Signup(
            username=name,
            name=f"Buyer {name}",
            email=f"{name}@example.org",
            password="orange7river-Stone",
            agree_terms=True,
            agree_privacy=True,
            marketing_opt_in=False,
        )
        return register_member(signup=signup)

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        organiser = member("organiser")
        details = SpaceDetails(name="Bench market", description="", rules=(), visibility="public", joining="open")
        space = create_space(actor=organiser, slug="bench-market", details=details)
        people = [member(f"buyer{index}") for index in range(buyers)]
    for person in people:
        join_space(actor=person, space=space)
    return organiser, space, people


def open_round_order(organiser, space, maximum: int):  # noqa: ANN001, ANN201
    from django.utils import timezone

    from groupket.orders.services.group_orders import BankAccount, OrderTerms, open_order

    now = timezone.now()
    terms = OrderTerms(
        item="Jeju tangerines, 5 kg box",
        description="",
        unit_price=25_000,
        min_total=1,
        max_total=maximum,
        min_per_member=1,
        max_per_member=3,
        order_deadline=now + timedelta(days=3),
        payment_deadline=now + timedelta(days=5),
        expected_delivery=(now + timedelta(days=10)).date(),
        shipping_partner="",
        offers_pickup=True,
        pickup_place="Community centre",
        pickup_time=now + timedelta(days=9),
    )
    account = BankAccount(bank="Shinhan", account_number="110-123-456789", account_holder="Organiser")
    return open_order(actor=organiser, space=space, terms=terms, account=account)


class Workers:
    """`processes` forked processes of `threads` threads each, every thread holding its own connection, taking the
    buyers' orders one by one off a shared counter in every round.

    Processes, as production's gunicorn runs sync workers (deploy/systemd): threads of one process would also queue
    for Python's GIL while holding the row lock, which no sync worker does.
    """

    def __init__(self, *, processes: int, threads: int, buyers: list) -> None:
        import multiprocessing

        from django.db import connections

        context = multiprocessing.get_context("fork")
        parties = processes * threads
        self.parties, self.buyers = parties, buyers
        self.start, self.done = context.Barrier(parties + 1), context.Barrier(parties + 1)
        self.next = context.Value("i", 0)
        self.kind = context.Value("i", 0)  # 0 locked, 1 unlocked, -1 stop
        self.order_id = context.Value("q", 0)
        self.results = context.Queue()
        connections.close_all()  # no connection of this process may be shared with a child
        self.children = [context.Process(target=self.serve, args=(threads,), daemon=True) for _ in range(processes)]
        for child in self.children:
            child.start()

    def serve(self, threads: int) -> None:
        workers = [threading.Thread(target=self.work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _take(self) -> int | None:
        with self.next.get_lock():
            index = self.next.value
            self.next.value = index + 1
        return index if index < len(self.buyers) else None

    def work(self) -> None:
        from django.db import connection

        from groupket.orders.forms import new_submission_key
        from groupket.orders.models import GroupOrder
        from groupket.orders.permissions import OrderActionDenied
        from groupket.orders.services.lines import Checkout, place_order

        places = (place_order, place_without_lock)
        connection.ensure_connection()  # connected before any round's clock starts
        while True:
            self.start.wait()
            if self.kind.value < 0:
                connection.close()
                return
            place, order = places[self.kind.value], GroupOrder(pk=self.order_id.value)
            latencies, placed, refused, errors = [], 0, 0, []
            while (index := self._take()) is not None:
                checkout = Checkout(submission=new_submission_key(), quantity=quantity_of(index), method="pickup")
                started = time.perf_counter()
                try:
                    place(actor=self.buyers[index], order=order, checkout=checkout)
                    placed += 1
                except OrderActionDenied:
                    refused += 1
                except Exception as error:  # noqa: BLE001 - reported after the round, and the run fails
                    errors.append(repr(error))
                latencies.append(time.perf_counter() - started)
            self.results.put((latencies, placed, refused, errors))
            self.done.wait()

    def run_round(self, kind: str, order) -> dict:  # noqa: ANN001
        self.kind.value, self.order_id.value, self.next.value = (0 if kind == LOCKED else 1), order.pk, 0
        self.start.wait()
        started = time.perf_counter()
        self.done.wait()
        elapsed = time.perf_counter() - started
        latencies, placed, refused, errors = [], 0, 0, []
        for _ in range(self.parties):
            their_latencies, their_placed, their_refused, their_errors = self.results.get()
            latencies += their_latencies
            placed, refused, errors = placed + their_placed, refused + their_refused, errors + their_errors
        if errors:
            raise RuntimeError(f"orders failed: {sorted(set(errors))[:3]}")
        return {"seconds": elapsed, "latencies": latencies, "placed": placed, "refused": refused}

    def stop(self) -> None:
        self.kind.value = -1
        self.start.wait()
        for child in self.children:
            child.join()


def totals(order) -> tuple[int, int]:  # noqa: ANN001
    """(the order's reserved total, the sum of its active lines)."""
    from django.db.models import Sum

    from groupket.orders.models import GroupOrder, OrderLine

    reserved = GroupOrder.objects.get(pk=order.pk).reserved_total
    ordered = OrderLine.objects.filter(order=order, status=OrderLine.ACTIVE).aggregate(total=Sum("quantity"))["total"]
    return reserved, ordered or 0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:  # noqa: PLR0915 - one run, told in order
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=200, help="buyers released at once in every round")
    parser.add_argument("--processes", type=int, default=8, help="worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads of each process, each with a connection")
    parser.add_argument("--turns", type=int, default=5, help="rounds of each kind")
    args = parser.parse_args()
    setup_django(postgres="orders_contention")
    from django.db import connection

    from groupket.celery import app
    from groupket.core.keyring import load_keyring

    assert connection.vendor == "postgresql", "this benchmark is PostgreSQL's"
    # As on a site with a broker: the notice is published after the commit, not mailed in the buyer's request.
    app.conf.task_always_eager = False
    load_keyring()  # made before the threads start, as a running site's is
    organiser, space, buyers = make_people(args.buyers)
    room = 3 * args.buyers  # every buyer's order fits
    connections = args.processes * args.threads
    workers = Workers(processes=args.processes, threads=args.threads, buyers=buyers)
    rounds: dict[str, list[dict]] = {LOCKED: [], UNLOCKED: []}
    oversell: list[dict] = []
    try:
        for kind in (LOCKED, UNLOCKED):  # warm-up: plans, caches, the connections' first statements
            workers.run_round(kind, open_round_order(organiser, space, room))
        for turn in range(args.turns):
            kinds = (LOCKED, UNLOCKED) if turn % 2 == 0 else (UNLOCKED, LOCKED)
            for kind in kinds:
                order = open_round_order(organiser, space, room)
                measured = workers.run_round(kind, order)
                reserved, ordered = totals(order)
                assert measured["placed"] == args.buyers, (kind, measured["placed"], measured["refused"])
                if kind == LOCKED:
                    assert reserved == ordered, ("the reserved total is the lines' sum", reserved, ordered)
                rounds[kind].append(measured)
                print(f"  {kind}: {measured['placed']} orders in {measured['seconds']:.2f} s", flush=True)
        maximum = 3 * args.buyers // 2  # against 1, 2 or 3 asked by each: about 2 a buyer
        for _ in range(2):
            order = open_round_order(organiser, space, maximum)
            measured = workers.run_round(LOCKED, order)
            reserved, ordered = totals(order)
            asked = sum(quantity_of(index) for index in range(args.buyers))
            assert reserved == ordered <= maximum, ("oversold", reserved, ordered, maximum)
            assert measured["refused"] > 0, "the maximum was never reached: the oversell round proved nothing"
            oversell.append(
                {
                    "maximum": maximum,
                    "asked": asked,
                    "total": ordered,
                    "placed": measured["placed"],
                    "refused": measured["refused"],
                }
            )
    finally:
        workers.stop()

    def rate(kind: str) -> float:
        return sum(r["placed"] for r in rounds[kind]) / sum(r["seconds"] for r in rounds[kind])

    def latency_ms(kind: str) -> list[float]:
        return [value * 1000 for r in rounds[kind] for value in r["latencies"]]

    locked_rate, unlocked_rate = rate(LOCKED), rate(UNLOCKED)
    locked_p95, unlocked_p95 = p95(latency_ms(LOCKED)), p95(latency_ms(UNLOCKED))
    ratio = locked_rate / unlocked_rate
    passed = ratio >= TARGET and all(item["total"] <= item["maximum"] for item in oversell)
    result = {
        "database": connection.vendor,
        "buyers": args.buyers,
        "processes": args.processes,
        "threads_per_process": args.threads,
        "connections": connections,
        "turns": args.turns,
        "orders_per_second": {LOCKED: round(locked_rate, 1), UNLOCKED: round(unlocked_rate, 1)},
        "p95_ms": {LOCKED: round(locked_p95, 2), UNLOCKED: round(unlocked_p95, 2)},
        "median_ms": {kind: round(statistics.median(latency_ms(kind)), 2) for kind in (LOCKED, UNLOCKED)},
        "round_seconds": {kind: [round(r["seconds"], 3) for r in rounds[kind]] for kind in (LOCKED, UNLOCKED)},
        "oversell_rounds": oversell,
        "ratio": round(ratio, 3),
        "target": f"ratio >= {TARGET} (orders/s with the order row locked / the same inserts without the lock, "
        f"{args.buyers} buyers at once, PostgreSQL), and no total over the maximum",
        "passed": passed,
    }
    totals_seen = ", ".join(f"{item['total']}/{item['maximum']}" for item in oversell)
    summary = (
        f"{args.buyers} buyers at once on {connections} connections ({args.processes} processes): "
        f"locked {locked_rate:.0f} orders/s (p95 {locked_p95:.1f} ms), "
        f"unlocked {unlocked_rate:.0f} orders/s (p95 {unlocked_p95:.1f} ms), "
        f"ratio {ratio:.2f} (target >= {TARGET}); no oversell: totals {totals_seen} with more asked"
    )
    write_result(
        "orders_contention",
        result,
        summary,
        figure=f"ratio {ratio:.2f}; {locked_rate:.0f} against {unlocked_rate:.0f} orders/s, p95 {locked_p95:.0f} "
        f"against {unlocked_p95:.0f} ms; no oversell",
    )
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
