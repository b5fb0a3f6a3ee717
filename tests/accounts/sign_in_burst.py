"""Run by test_sign_in_concurrency in a process of its own: wrong sign-ins fired together at one moment.

    python -m tests.accounts.sign_in_burst DB_NAME USERNAME THREADS

The environment names the same Redis (REDIS_URL) and keyring file as the test's own process. Once
Django is loaded it prints "ready" and waits for a line on stdin, so that every process fires at once;
then it prints one JSON line: how many passwords it hashed or checked, and the answers it got.
"""

import json
import sys
import threading


def main() -> None:
    db_name, username, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.hashers import CountingArgon2Hasher

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2Hasher"]
    # The test database the calling test committed its member to, not the one DATABASE_URL names; every
    # thread's connection is made from this one dictionary.
    connections.settings["default"]["NAME"] = db_name
    statuses: list[int] = []
    barrier = threading.Barrier(threads)

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            response = Client().post("/accounts/login/", {"username": username, "password": f"wrong{n}password"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(threads)]
    print("ready", flush=True)
    sys.stdin.readline()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"checked": CountingArgon2Hasher.runs, "statuses": sorted(statuses)}))


if __name__ == "__main__":
    main()
