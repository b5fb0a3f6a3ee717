"""Run by test_sign_in_concurrency in a process of its own: wrong sign-ins fired together at one moment.

    python -m tests.accounts.sign_in_burst DB_NAME USERNAME THREADS

The environment names the same Redis (REDIS_URL) and keyring file as the test's own process. Once
Django is loaded it prints "ready" and waits for a line on stdin, so that every process fires at once;
then it prints one JSON line: how many passwords it hashed or checked, and the answers it got.
"""

import json
import sys
import threading


def fire_together(tries: list[dict[str, str]]) -> list[int]:
    """Post each sign-in form from a thread of its own, all released at once; their answers, sorted."""
    from django.db import connections
    from django.test import Client

    barrier = threading.Barrier(len(tries))
    statuses: list[int] = []

    def attempt(data: dict[str, str]) -> None:
        try:
            barrier.wait()
            statuses.append(Client().post("/accounts/login/", data).status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=attempt, args=(data,)) for data in tries]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(statuses)


def main() -> None:
    db_name, username, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_test_environment

    from tests.hashers import CountingArgon2Hasher

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2Hasher"]
    # The test database the calling test committed its member to, not the one DATABASE_URL names; every
    # thread's connection is made from this one dictionary.
    connections.settings["default"]["NAME"] = db_name
    tries = [{"username": username, "password": f"wrong{n}password"} for n in range(threads)]
    print("ready", flush=True)
    sys.stdin.readline()
    statuses = fire_together(tries)
    print(json.dumps({"checked": CountingArgon2Hasher.runs, "statuses": statuses}))


if __name__ == "__main__":
    main()
