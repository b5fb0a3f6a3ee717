"""What the benchmarks share: a throwaway SQLite database, migrated, and the results files.

A benchmark is a script, not a test: it configures Django itself, so run it from the project root
(`.venv/bin/python bench/unregister_cost.py`, or `make bench` for all of them).
"""

import atexit
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def setup_django() -> Path:
    """Point Django at a fresh var dir (SQLite database, keyring, mail), migrate it, and return the dir."""
    var_dir = Path(tempfile.mkdtemp(prefix="groupket-bench-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ["GROUPKET_VAR_DIR"] = str(var_dir)
    # Always the embedded SQLite database of the var dir, whatever the shell exports.
    os.environ.pop("DATABASE_URL", None)
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


def write_result(name: str, result: dict[str, Any], summary: str) -> dict[str, Any]:
    """Write results/<name>.json and add one line to results/README.md."""
    RESULTS.mkdir(exist_ok=True)
    record = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    record.update(result)
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
