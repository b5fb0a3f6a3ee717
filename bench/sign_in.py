"""Complete sign-ins a second under the production layout, against the bare Argon2 verify rate (target >= 0.8).

A sign-in is the login form fetched (GET /accounts/login/) and then posted with the right password (302). The
site runs as production does (README, "Running in production"): gunicorn with one sync worker per core,
GROUPKET_ENV=production (persistent database connections, held through the run; Django's cached template loader,
DEBUG off; static files from collectstatic's manifest), PostgreSQL (database groupket_bench_signin, dropped and
made again) and Redis (the cache and the throttle counters, db 12), behind a trusted proxy (the client sends
X-Forwarded-For and X-Forwarded-Proto: https as nginx does). The clients are light processes speaking raw HTTP
on the same cores: what they cost counts against the sign-ins, as nginx's would.

The baseline is the same Argon2id verify (argon2-cffi, the hasher's costs: OWASP's minimum t=2, 19 MiB, p=1 by
default) in one process per core, for the same time. Both are measured in turns (baseline, sign-ins, baseline,
...) so that the other work on the machine falls on both; the figure is the median sign-in rate over the median
verify rate. 1.0 would mean the rest of a sign-in costs nothing beside its hash.

    .venv/bin/python -m bench.sign_in [--seconds 10] [--rounds 3] [--clients N]
"""

import argparse
import multiprocessing
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REDIS_URL, ROOT, flush_redis, postgres_url, write_result  # noqa: E402

TARGET = 0.8
PASSWORD = "orange7river-Stone"
MEMBERS = 16
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE = re.compile(r"^([^=;\s]+)=([^;]*)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(var_dir: Path) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from cluster.peers import keyring_json

    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GROUPKET_", "DJANGO_", "EMAIL_", "CLAMD_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    keep_costs = {key: value for key, value in os.environ.items() if key.startswith("GROUPKET_ARGON2_")}
    return {
        **inherited,
        **keep_costs,
        "DJANGO_SETTINGS_MODULE": "groupket.settings",
        "GROUPKET_ENV": "production",
        "GROUPKET_SECRET_KEY": secrets.token_urlsafe(50),
        "GROUPKET_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GROUPKET_SITE_URL": "https://127.0.0.1",
        "GROUPKET_VAR_DIR": str(var_dir),
        "GROUPKET_KEYRING": keyring_json(),
        "GROUPKET_TRUSTED_PROXIES": "127.0.0.1/32",
        "GROUPKET_LOG_LEVEL": "WARNING",
        # Production's persistent connections, but none ended during the run: a PostgreSQL backend that ends
        # within a turn takes the CPU it used in that turn with it, and the turn would read too little.
        "GROUPKET_DB_CONN_MAX_AGE": "3600",
        "DATABASE_URL": postgres_url("signin"),
        "REDIS_URL": REDIS_URL,
    }


def prepare(environment: dict[str, str]) -> list[str]:
    """Migrate, collect static files, make the members (with real Argon2 hashes); their IDs."""
    for command in (["migrate", "--noinput"], ["compile_translations"], ["collectstatic", "--noinput", "--clear"]):
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *command], cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL
        )
    script = f"""
from django.utils import timezone
from groupket.accounts.models import Member
from groupket.accounts.services.registration import Signup, register_member
for number in range({MEMBERS}):
    member = register_member(signup=Signup(username=f"signin{{number}}", name=f"Bench Member {{number}}",
        email=f"signin{{number}}@example.org", password={PASSWORD!r}, agree_terms=True, agree_privacy=True,
        marketing_opt_in=False))
    Member.objects.filter(pk=member.pk).update(email_verified_at=timezone.now())
"""
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=environment, check=True)  # noqa: S603
    return [f"signin{number}" for number in range(MEMBERS)]


def hasher_costs(environment: dict[str, str]) -> dict[str, int]:
    script = "from django.conf import settings; import json; print(json.dumps(settings.GROUPKET_ARGON2))"
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


# --- the clients ------------------------------------------------------------------------------------------------
def sign_in_once(connection: HTTPConnection, username: str, client_ip: str) -> bool:
    base = {"Host": "127.0.0.1", "X-Forwarded-For": client_ip, "X-Forwarded-Proto": "https"}
    connection.request("GET", "/accounts/login/", headers=base)
    response = connection.getresponse()
    page = response.read()
    cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and (match := COOKIE.match(value)):
            cookies[match.group(1)] = match.group(2)
    token = CSRF_INPUT.search(page)
    if response.status != 200 or token is None:
        return False
    body = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": PASSWORD})
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            **base,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "https://127.0.0.1",
            "Referer": "https://127.0.0.1/accounts/login/",
            "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        },
    )
    response = connection.getresponse()
    response.read()
    return response.status == 302 and response.getheader("Location", "").rstrip("/") != "/accounts/login"


def fetch_form_once(connection: HTTPConnection, username: str, client_ip: str) -> bool:
    """The login page alone: what the GET half of a sign-in costs."""
    connection.request(
        "GET",
        "/accounts/login/",
        headers={"Host": "127.0.0.1", "X-Forwarded-For": client_ip, "X-Forwarded-Proto": "https"},
    )
    response = connection.getresponse()
    return response.status == 200 and CSRF_INPUT.search(response.read()) is not None


def client(
    port: int,
    usernames: list[str],
    number: int,
    start: float,
    stop: float,
    out: "multiprocessing.Queue",
    form_only: bool = False,
) -> None:
    once = fetch_form_once if form_only else sign_in_once
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    ip = f"203.0.113.{10 + number}"
    done = failed = late = 0
    while time.time() < start:
        time.sleep(0.001)
    index = number
    while time.time() < stop:
        try:
            ok = once(connection, usernames[index % len(usernames)], ip)
        except OSError:
            connection.close()
            connection = HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
        if time.time() <= stop:
            done += ok
            failed += not ok
        else:  # ended after the bell: not in the rate, but the server's CPU for it is in the turn's reading
            late += ok
        index += 1
    out.put((done, failed, time.process_time(), late))


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time each process has used so far (/proc/<pid>/stat)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between the two readings, process by process: one that started meanwhile counts from 0.

    Not the difference of two sums: a PostgreSQL backend replaced during the turn (CONN_MAX_AGE ends a
    connection, the worker opens another) would subtract the old backend's whole life from the turn.
    """
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


class Server:
    """The processes that serve a sign-in: gunicorn's workers and their PostgreSQL backends."""

    def __init__(self, gunicorn: subprocess.Popen, database_url: str) -> None:
        import psycopg

        self.gunicorn = gunicorn
        self.database = database_url.rsplit("/", 1)[1]
        self.admin = psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)

    def pids(self) -> dict[str, list[int]]:
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
        ).fetchall()
        return {"gunicorn": children(self.gunicorn.pid), "postgres": [row[0] for row in rows]}

    def cpu(self) -> dict[str, dict[int, float]]:
        return {kind: cpu_seconds(pids) for kind, pids in self.pids().items()}


def measure_sign_ins(
    server: Server, port: int, usernames: list[str], clients: int, seconds: float, form_only: bool = False
) -> dict:
    out: multiprocessing.Queue = multiprocessing.Queue()
    start = time.time() + 0.5
    processes = [
        multiprocessing.Process(target=client, args=(port, usernames, number, start, start + seconds, out, form_only))
        for number in range(clients)
    ]
    for process in processes:
        process.start()
    while time.time() < start:
        time.sleep(0.001)
    cpu_before = server.cpu()
    results = [out.get() for _ in processes]
    cpu_after = server.cpu()
    for process in processes:
        process.join()
    done = sum(result[0] for result in results)
    # The CPU reading ends when the last client has finished the sign-in it was in at the bell, so the sign-ins it
    # covers are those ended after the bell too.
    served = done + sum(result[3] for result in results)
    server_cpu = {kind: cpu_used(cpu_before.get(kind, {}), cpu_after[kind]) for kind in cpu_after}
    return {
        "sign_ins": done,
        "ended_after_the_bell": served - done,
        "failed": sum(result[1] for result in results),
        "per_second": done / seconds,
        "server_cpu_s": {kind: round(value, 2) for kind, value in server_cpu.items()},
        "server_cpu_ms_per_sign_in": sum(server_cpu.values()) * 1000 / max(served, 1),
        "gunicorn_cpu_ms_per_sign_in": server_cpu["gunicorn"] * 1000 / max(served, 1),
        "client_cpu_s": round(sum(result[2] for result in results), 2),
    }


# --- the baseline -----------------------------------------------------------------------------------------------
def verifier(costs: dict[str, int], start: float, stop: float, out: "multiprocessing.Queue") -> None:
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher(
        time_cost=costs["time_cost"], memory_cost=costs["memory_cost"], parallelism=costs["parallelism"], type=Type.ID
    )
    encoded = hasher.hash(PASSWORD)
    done = 0
    while time.time() < start:
        time.sleep(0.001)
    cpu_start = time.process_time()
    while time.time() < stop:
        hasher.verify(encoded, PASSWORD)
        done += 1
    out.put((done, time.process_time() - cpu_start))


def measure_verifies(costs: dict[str, int], processes_count: int, seconds: float) -> dict:
    out: multiprocessing.Queue = multiprocessing.Queue()
    start = time.time() + 0.5
    processes = [
        multiprocessing.Process(target=verifier, args=(costs, start, start + seconds, out))
        for _ in range(processes_count)
    ]
    for process in processes:
        process.start()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    done, cpu = sum(result[0] for result in results), sum(result[1] for result in results)
    return {"verifies": done, "per_second": done / seconds, "cpu_ms_per_verify": cpu * 1000 / max(done, 1)}


def start_gunicorn(environment: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "groupket.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--no-control-socket",
    ]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured turn")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each kind")
    parser.add_argument("--clients", type=int, default=0, help="concurrent clients (default: 2 per worker)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    clients = args.clients or 2 * cores
    var_dir = Path(tempfile.mkdtemp(prefix="groupket-bench-signin-"))
    environment = site_environment(var_dir)
    flush_redis()
    usernames = prepare(environment)
    costs = hasher_costs(environment)
    port = free_port()
    gunicorn = start_gunicorn(environment, port, cores, var_dir / "gunicorn.log")
    try:
        server = Server(gunicorn, environment["DATABASE_URL"])
        measure_sign_ins(server, port, usernames, clients, 2.0)  # warm-up: imports, connections, template cache
        baseline, sign_ins = [], []
        for _ in range(args.rounds):
            baseline.append(measure_verifies(costs, cores, args.seconds))
            sign_ins.append(measure_sign_ins(server, port, usernames, clients, args.seconds))
        # Where the rest goes: the login page alone, for a shorter turn.
        form = measure_sign_ins(server, port, usernames, clients, max(2.0, args.seconds / 3), form_only=True)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    verify_rate = statistics.median(entry["per_second"] for entry in baseline)
    sign_in_rate = statistics.median(entry["per_second"] for entry in sign_ins)
    wall_ratio = sign_in_rate / verify_rate
    verify_ms = statistics.median(entry["cpu_ms_per_verify"] for entry in baseline)
    sign_in_ms = statistics.median(entry["server_cpu_ms_per_sign_in"] for entry in sign_ins)
    ratio = verify_ms / sign_in_ms
    failed = sum(entry["failed"] for entry in sign_ins)
    passed = ratio >= TARGET and failed == 0
    rounded = [
        {key: round(value, 2) if isinstance(value, float) else value for key, value in entry.items()}
        for entry in baseline + sign_ins
    ]
    result = {
        "layout": f"gunicorn {cores} sync workers, GROUPKET_ENV=production, PostgreSQL, Redis, {clients} clients",
        "argon2": costs,
        "cores": cores,
        "seconds_per_turn": args.seconds,
        "baseline_turns": rounded[: len(baseline)],
        "sign_in_turns": rounded[len(baseline) :],
        "verify_cpu_ms": round(verify_ms, 2),
        "sign_in_server_cpu_ms": round(sign_in_ms, 2),
        "rest_of_sign_in_cpu_ms": round(sign_in_ms - verify_ms, 2),
        # The figure counts PostgreSQL's backends as server work; the workers alone, for comparison (Redis, shared
        # with other programs, is counted in neither).
        "ratio_gunicorn_workers_only": round(
            verify_ms / statistics.median(entry["gunicorn_cpu_ms_per_sign_in"] for entry in sign_ins), 3
        ),
        "login_page_alone_cpu_ms": round(form["server_cpu_ms_per_sign_in"], 2),
        "login_page_turn": {key: round(value, 2) if isinstance(value, float) else value for key, value in form.items()},
        "sign_ins_per_core_second": round(1000 / sign_in_ms, 1),
        "verifies_per_core_second": round(1000 / verify_ms, 1),
        "ratio": round(ratio, 3),
        "wall": {
            "verifies_per_second": round(verify_rate, 2),
            "sign_ins_per_second": round(sign_in_rate, 2),
            "ratio": round(wall_ratio, 3),
        },
        "target": f"ratio >= {TARGET} (sign-ins per server core-second / Argon2 verifies per core-second)",
        "passed": passed,
    }
    summary = (
        f"a sign-in costs {sign_in_ms:.1f} ms of server CPU (gunicorn + PostgreSQL) against {verify_ms:.1f} ms for "
        f"the bare Argon2 verify (t={costs['time_cost']}, {costs['memory_cost']} KiB, p={costs['parallelism']}): "
        f"ratio {ratio:.2f} (target >= {TARGET}), {1000 / sign_in_ms:.0f} sign-ins per core-second (the login page "
        f"alone {form['server_cpu_ms_per_sign_in']:.1f} ms); wall clock "
        f"{sign_in_rate:.1f} sign-ins/s against {verify_rate:.1f} verifies/s on {cores} cores, ratio {wall_ratio:.2f}; "
        f"{failed} failed"
    )
    write_result("sign_in", result, summary, figure=f"ratio {ratio:.2f} (CPU), {wall_ratio:.2f} (wall)")
    print(summary)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
