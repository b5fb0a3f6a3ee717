"""Another process for the key tests: it rotates, destroys, fails or is killed, against the test's own database.

Run as `python -m tests.core.keys_worker ACTION` with the environment from `worker_env()`, which names the
test database and the test's keyring file. Each action prints one line per thing it did, flushed, so the test
can follow it (and kill it at a known point).
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

# A killed worker must die between two committed batches, not while the test waits for a slow start.
TICK_PAUSE = 0.3


def worker_env(keyring_file: Path) -> dict[str, str]:
    """The environment of a worker: this test's database and keyring, everything else as in the tests."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "GROUPKET_KEYRING_FILE": str(keyring_file),
        "GROUPKET_KEYRING": "",
        "DJANGO_SETTINGS_MODULE": "groupket.settings",
    }


def start_worker(*args: str) -> subprocess.Popen:
    """A worker running one action against this test's database and keyring file; its output as text."""
    from django.conf import settings

    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.keys_worker", *args],
        cwd=settings.BASE_DIR,
        env=worker_env(settings.GROUPKET_KEYRING_FILE),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def say(line: str) -> None:
    print(line, flush=True)


def rotate_failing_after_rewrap() -> None:
    """A rotation that re-wraps every key, then fails before recomputing any blind index."""
    from groupket.core import rotation

    def fail(**kwargs: object) -> int:
        say("re-wrapped; failing now")
        raise RuntimeError("forced failure after re-wrap")

    rotation.recompute_blind_indexes = fail
    rotation.rotate_master_key()


def rotate_slowly() -> None:
    """A rotation of one row per batch, pausing after each, so the test can kill it mid-way."""
    from groupket.core import rotation

    rotation.BATCH = 1
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        say(f"tick {done}")
        time.sleep(TICK_PAUSE)

    rotation.rotate_master_key(progress=tick)


def rotate_many(times: str) -> None:
    from groupket.core.rotation import rotate_master_key

    for _ in range(int(times)):
        say(f"made {rotate_master_key().new_key_id}")


def destroy_until(stop_file: str) -> None:
    """The destroy job, as often as it can run, until the stop file appears."""
    from groupket.core.rotation import destroy_expired_master_keys

    while not Path(stop_file).exists():
        for key_id in destroy_expired_master_keys(grace=False):
            say(f"destroyed {key_id}")


def add_keys(times: str) -> None:
    from groupket.core.keyring import add_master_key

    for _ in range(int(times)):
        say(f"made {add_master_key().current_id}")


def remove_retired_until(stop_file: str) -> None:
    from groupket.core.keyring import load_keyring, remove_master_keys

    while not Path(stop_file).exists():
        retired = [key.key_id for key in load_keyring().retired()]
        if retired:
            remove_master_keys(retired)
            for key_id in retired:
                say(f"destroyed {key_id}")


def sign_up(username: str) -> None:
    """Another web process signing a member up."""
    from tests.factories import MemberFactory

    say(f"member {MemberFactory(username=username).pk}")


ACTIONS = {
    "sign-up": sign_up,
    "rotate-failing-after-rewrap": rotate_failing_after_rewrap,
    "rotate-slowly": rotate_slowly,
    "rotate-many": rotate_many,
    "destroy-until": destroy_until,
    "add-keys": add_keys,
    "remove-retired-until": remove_retired_until,
}

if __name__ == "__main__":
    import django

    django.setup()
    ACTIONS[sys.argv[1]](*sys.argv[2:])
