"""Sign-in throttling under concurrency: at most 5 passwords per ID are ever checked in a window (P7.1).

Each try takes its slot before its password is checked, so tries fired at the same moment, from threads
or from processes sharing Redis, cannot all pass the limit before any of them is counted.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from groupket.accounts import throttle
from groupket.accounts.models import LoginRecord, Member
from groupket.core.keyring import load_keyring
from tests.accounts.sign_in_burst import fire_together
from tests.hashers import CountingArgon2Hasher

ATTEMPTS = 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def counting_hasher(settings: pytest.FixtureRequest) -> type[CountingArgon2Hasher]:
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2Hasher"]
    CountingArgon2Hasher.reset()
    return CountingArgon2Hasher


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.1")
def test_40_simultaneous_wrong_passwords_from_threads_get_5_checked(
    member: Member, counting_hasher: type[CountingArgon2Hasher]
) -> None:
    statuses = fire_together([{"username": member.username, "password": f"wrong{n}password"} for n in range(ATTEMPTS)])
    assert counting_hasher.runs == throttle.USERNAME_LIMIT
    assert len(statuses) == ATTEMPTS and statuses.count(429) >= ATTEMPTS - throttle.USERNAME_LIMIT
    assert set(statuses) <= {400, 429}
    assert LoginRecord.objects.filter(member=member, succeeded=False).count() == throttle.USERNAME_LIMIT
    # The ID stays paused: even the right password is not checked now.
    assert Client().post("/accounts/login/", {"username": member.username, "password": "x"}).status_code == 429
    assert counting_hasher.runs == throttle.USERNAME_LIMIT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.1")
def test_simultaneous_guesses_from_one_address_get_20_checked(counting_hasher: type[CountingArgon2Hasher]) -> None:
    # Unknown IDs, each tried once: only the address's limit applies, and an unknown ID costs one hash.
    load_keyring()  # made before the threads start, as a running site's is
    statuses = fire_together([{"username": f"guess{n}", "password": "wrong9password"} for n in range(ATTEMPTS)])
    assert statuses.count(429) >= ATTEMPTS - throttle.IP_LIMIT
    assert counting_hasher.runs == throttle.IP_LIMIT


def _burst(db_name: str, username: str, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "groupket.settings",
        "GROUPKET_KEYRING_FILE": str(settings.GROUPKET_KEYRING_FILE),
        "GROUPKET_KEYRING": "",
    }
    command = [sys.executable, "-m", "tests.accounts.sign_in_burst", db_name, username, str(threads)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, **pipes)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis shared by two processes (REDIS_URL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.1")
def test_40_simultaneous_wrong_passwords_from_two_processes_sharing_redis_get_5_checked(member: Member) -> None:
    processes = [_burst(connection.settings_dict["NAME"], member.username, ATTEMPTS // 2) for _ in "ab"]
    for process in processes:  # both have loaded Django and wait, their threads ready
        assert process.stdout.readline().strip() == "ready", process.stderr.read()[-2000:]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(result["checked"] for result in results) == throttle.USERNAME_LIMIT
    statuses = sorted(status for result in results for status in result["statuses"])
    assert len(statuses) == ATTEMPTS and statuses.count(429) >= ATTEMPTS - throttle.USERNAME_LIMIT
    assert LoginRecord.objects.filter(member=member, succeeded=False).count() == throttle.USERNAME_LIMIT
