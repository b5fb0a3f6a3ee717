"""Files that hold personal data or keys are readable by their owner only, and the outbox empties itself (P7.5)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from groupket.core.keyring import load_keyring
from groupket.core.mail import send_bilingual


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.clause("P7.5")
def test_a_new_sqlite_database_and_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(GROUPKET_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="groupket.settings")
    # A process of its own, holding its connection open while it looks: SQLite removes the -wal and -shm at close.
    script = (
        "import django, os, pathlib; django.setup()\n"
        "from django.core.management import call_command; from django.db import connection\n"
        "call_command('migrate', verbosity=0); connection.ensure_connection()\n"
        "for p in sorted(pathlib.Path(os.environ['GROUPKET_VAR_DIR']).glob('groupket.sqlite3*')):\n"
        "    print(p.name, oct(p.stat().st_mode & 0o777))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == [
        "groupket.sqlite3 0o600",
        "groupket.sqlite3-shm 0o600",
        "groupket.sqlite3-wal 0o600",
    ]


@pytest.mark.django_db
def test_this_runs_test_database_file_is_0600_too() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the database is PostgreSQL's, in its own data folder")
    database = Path(connection.settings_dict["NAME"])
    assert mode(database) == 0o600
    wal = database.with_name(database.name + "-wal")
    # The WAL exists while the test database is open in WAL mode; when it does, it is the owner's alone.
    if wal.exists():
        assert mode(wal) == 0o600


@pytest.mark.clause("P7.5")
def test_the_keyring_file_is_created_0600() -> None:
    load_keyring()
    assert mode(Path(settings.GROUPKET_KEYRING_FILE)) == 0o600


@pytest.mark.clause("P7.5")
def test_outgoing_mail_files_are_0600_in_a_0700_folder(mail_dir: Path) -> None:
    send_bilingual(to="yuna@example.org", subject_en="Hi", subject_ko="안녕", body_en="b", body_ko="b")
    [message] = mail_dir.glob("*.eml")
    assert mode(message) == 0o600
    assert mode(mail_dir) == 0o700


@pytest.mark.django_db
def test_the_daily_job_deletes_outbox_mail_older_than_seven_days(mail_dir: Path) -> None:
    for _ in range(2):
        send_bilingual(to="yuna@example.org", subject_en="Hi", subject_ko="안녕", body_en="b", body_ko="b")
    old, fresh = sorted(mail_dir.glob("*.eml"))
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    other = mail_dir / "notes.txt"
    other.write_text("not mail")
    os.utime(other, (eight_days_ago, eight_days_ago))

    call_command("run_schedules")

    assert sorted(mail_dir.iterdir()) == sorted([fresh, other])
