"""50 members for 60 s with Locust (headless), node B killed and Redis restarted in the middle; then every row
the load made is checked in the database."""

import csv
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cluster.processes import ClusterFailure
from cluster.scenarios import Outcome, expect

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
KILL_B_AT, RESTART_B_AT, RESTART_REDIS_AT = 15, 28, 40
# A request in flight on B when it died ends within this many seconds; later failures are not B's.
IN_FLIGHT_SECONDS = 5


@dataclass
class LoadResult:
    stats: list[dict[str, str]]
    errors: Counter = field(default_factory=Counter)
    outcome: Outcome | None = None
    made_usernames: list[str] = field(default_factory=list)


def _faults(cluster, started: float) -> dict[str, float]:
    """Kill B, start it again, restart Redis, at their seconds into the load; when each happened."""
    moments: dict[str, float] = {}
    for at, name, action in (
        (KILL_B_AT, "node B killed", cluster.kill_node_b),
        (RESTART_B_AT, "node B started", cluster.start_node_b),
        (RESTART_REDIS_AT, "Redis restarted", cluster.restart_redis),
    ):
        time.sleep(max(0.0, started + at - time.monotonic()))
        moments[name] = time.time()
        action()
        moments[f"{name} (done)"] = time.time()
    return moments


def run_load(cluster, *, users: int, seconds: int) -> LoadResult:
    out = cluster.folder / "load.jsonl"
    prefix = cluster.folder / "locust"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        "10",
        "--run-time",
        f"{seconds}s",
        "--host",
        cluster.balanced,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    log = (cluster.folder / "logs" / "locust.log").open("ab")
    locust = subprocess.Popen(
        command,
        cwd=cluster.root,
        env={**cluster.environment, "CLUSTER_OUT": str(out), "CLUSTER_CA": cluster.certificate},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        moments = _faults(cluster, time.monotonic())
        locust.wait(timeout=seconds + 60)
    finally:
        if locust.poll() is None:
            locust.send_signal(signal.SIGKILL)
        log.close()
    lines = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    stats = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    result = LoadResult(stats=stats)
    result.errors = _classify_failures([line for line in lines if line["kind"] == "failure"], moments)
    signups = [line for line in lines if line["kind"] == "signup"]
    result.outcome = _check_rows(cluster, signups)
    result.made_usernames = [line["username"] for line in signups if line["outcome"] == "ok"]
    return result


def _classify_failures(failures: list[dict], moments: dict[str, float]) -> Counter:
    """Failures while B died: only POSTs (nginx sends a GET again to A, never a POST); none at any other time."""
    killed = moments["node B killed"]
    errors: Counter = Counter()
    for failure in failures:
        what = f"{failure['method']} {failure['name']}: {failure['status'] or failure['error']}"
        in_flight_on_b = killed <= failure["t"] <= killed + IN_FLIGHT_SECONDS and failure["method"] == "POST"
        errors[f"in flight on B, {what}" if in_flight_on_b else what] += 1
    unexpected = {kind: count for kind, count in errors.items() if not kind.startswith("in flight on B")}
    if unexpected:
        when = {name: round(moment - moments["node B killed"], 1) for name, moment in moments.items()}
        seen = sorted(round(failure["t"] - killed, 1) for failure in failures)
        raise ClusterFailure(
            f"requests failed outside the kill of node B: {unexpected}; seconds after the kill: {seen[:40]}; "
            f"the faults: {when}"
        )
    return errors


def _check_rows(cluster, signups: list[dict]) -> Outcome:
    """Every signup answered as made has its one row; one that failed has one row or none, never two."""
    usernames = [line["username"] for line in signups]
    answer = cluster.probe("members", {"usernames": usernames + cluster.known_usernames()})
    found = answer["found"]
    made = [line["username"] for line in signups if line["outcome"] == "ok"]
    lost = [name for name in made if found[name] != 1]
    expect(not lost, f"{len(lost)} signup(s) answered as made have {[found[name] for name in lost]} rows")
    doubled = [name for name, count in found.items() if count > 1]
    expect(not doubled, f"{len(doubled)} ID(s) have more than one row")
    expect(answer["members"] == sum(found.values()), "the member table holds rows no signup made")
    failed = [line["username"] for line in signups if line["outcome"] != "ok"]
    committed = sum(found[name] for name in failed)
    return Outcome(
        f"load: {len(signups)} signups",
        f"{len(made)} made, each one row; {len(failed)} failed in flight on B "
        f"({committed} committed before B died, {len(failed) - committed} not)",
        rows_checked=answer["members"] + answer["sessions"],
    )


def stats_table(stats: list[dict[str, str]]) -> list[tuple[str, str, str, str, str]]:
    return [
        (row["Type"] + " " + row["Name"], row["Request Count"], row["Failure Count"], row["50%"], row["95%"])
        for row in stats
    ]
