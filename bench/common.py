"""What the benchmarks share: a throwaway database (SQLite, or PostgreSQL where production's figure is the one
that matters), migrated, and the results files.

A benchmark is a script, not a test: it configures Django itself, so run it from the project root
(`.venv/bin/python bench/unregister_cost.py` or `.venv/bin/python -m bench.unregister_cost`, or `make bench` for
all of them). The PostgreSQL ones use `BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`) with a
database `groupket_bench_<name>` they drop and make again; bench/feed.py keeps its own from run to run, since it
takes minutes to seed. `BENCH_DATABASE` names another, for one who was given a database of their own; its name
must begin with `groupket_bench`, so that no site's database is ever dropped. Redis is `BENCH_REDIS_URL`
(default db 12). `DATABASE_URL` is never read here.
"""

import atexit
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def _database_name(name: str) -> str:
    database = os.environ.get("BENCH_DATABASE") or f"groupket_bench_{name}"
    if not re.fullmatch(r"groupket_bench[a-z0-9_]*", database):
        raise ValueError(f"benchmark database name {database!r}: groupket_bench, then lower-case letters, digits, _")
    return database


def postgres_url(name: str, *, keep: bool = False) -> str:
    """A fresh PostgreSQL database for benchmark `name` (dropped and made again): its URL.

    keep: the database of an earlier run is kept, and made only if missing (bench/feed.py seeds for minutes)."""
    import psycopg

    database = _database_name(name)
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and keep:
            return f"{POSTGRES_SERVER}/{database}"
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")
    return f"{POSTGRES_SERVER}/{database}"


def setup_django(*, postgres: str | None = None, redis: bool = False) -> Path:
    """Point Django at a fresh var dir (keyring, mail) and database, migrate it, and return the dir.

    The database is the var dir's SQLite file, or with `postgres="<name>"` a fresh PostgreSQL database; with
    `redis`, the cache (and so the throttle counters) is the benchmarks' Redis database, emptied first.
    """
    var_dir = Path(tempfile.mkdtemp(prefix="groupket-bench-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ["GROUPKET_VAR_DIR"] = str(var_dir)
    # Only the database chosen here, whatever the shell exports.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if postgres:
        os.environ["DATABASE_URL"] = postgres_url(postgres)
    if redis:
        flush_redis()
        os.environ["REDIS_URL"] = REDIS_URL
    os.environ.pop("GROUPKET_KEYRING", None)
    os.environ.pop("GROUPKET_KEYRING_FILE", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["GROUPKET_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "groupket.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return var_dir


def cpu_clock() -> "Callable[[], float]":
    """A clock of the CPU seconds this process has used, plus its PostgreSQL backend's on PostgreSQL.

    On a machine shared with other work, wall time counts the waits for a core too; CPU time counts the work.
    The backend's time is read from /proc in clock ticks (10 ms), so sum it over many requests, not one.
    """
    from django.db import connection

    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def now() -> float:
        used = time.process_time()
        if pid is not None:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return used

    return now


def time_alternately(ways: "dict[str, Callable[[], object]]", *, repeats: int) -> dict[str, dict[str, float]]:
    """Run each way `repeats` times, the ways taking turns, so that the machine's other work falls on all of them.

    For each way: `median_ms`, its median wall-clock time, and `cpu_ms`, its mean CPU time (this process and,
    on PostgreSQL, its backend; see cpu_clock), summed over every run so the backend's coarse ticks even out.
    """
    cpu = cpu_clock()
    wall: dict[str, list[float]] = {name: [] for name in ways}
    cpu_used = dict.fromkeys(ways, 0.0)
    for _ in range(repeats):
        for name, way in ways.items():
            started, cpu_started = time.perf_counter(), cpu()
            way()
            wall[name].append(time.perf_counter() - started)
            cpu_used[name] += cpu() - cpu_started
    return {
        name: {"median_ms": statistics.median(wall[name]) * 1000, "cpu_ms": cpu_used[name] * 1000 / repeats}
        for name in ways
    }


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def commit() -> str:
    """The commit measured, with "+changes" when the worktree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S607
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        # Other work on the machine skews timings: the 1-minute load average when the result was written.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def write_result(name: str, result: dict[str, Any], summary: str, figure: str | None = None) -> dict[str, Any]:
    """Write results/<name>.json and add one line to results/README.md.

    `figure` is the short figure bench/README.md's table shows (the summary when not given).
    """
    RESULTS.mkdir(exist_ok=True)
    record = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
    }
    record.update(result)
    record["summary"] = summary
    record["figure"] = figure or summary
    (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    readme = RESULTS / "README.md"
    if not readme.exists():
        readme.write_text("# Benchmark results\n\nOne line per run, newest last; the details are in `<name>.json`.\n\n")
    verdict = "PASS" if record["passed"] else "FAIL"
    with readme.open("a") as handle:
        host = record["machine"]
        handle.write(
            f"- {record['date']} `{name}` {verdict}: {summary} ({host['platform']}, load {host['load_average_1m']})\n"
        )
    return record
