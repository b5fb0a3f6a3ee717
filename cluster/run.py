"""`make cluster-test`: Groupket as README's "Running in production" lays it out, on loopback, under faults.

nginx (Debian's, with deploy/nginx/groupket.conf) in front of two gunicorn nodes with GROUPKET_ENV=production,
a Celery worker and beat on RabbitMQ, PostgreSQL, a private Redis and an aiosmtpd sink; then the checks of
cluster/scenarios.py and the load of cluster/load.py. Every process it started is stopped, also on failure.
Exit status 0 when every check held. Environment: CLUSTER_DATABASE_URL (a database it drops and makes again),
CLUSTER_BROKER_URL (else a RabbitMQ vhost of its own, made and removed with rabbitmqctl), CLUSTER_USERS,
CLUSTER_SECONDS.
"""

import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import httpx

from cluster import scenarios
from cluster.load import run_load, stats_table
from cluster.peers import (
    NginxPorts,
    keyring_json,
    port_open,
    rabbitmq_vhost,
    recreate_database,
    start_nginx,
    start_redis,
    start_smtp_sink,
)
from cluster.processes import ClusterFailure, Supervisor, wait_for
from tests.staff.imap_peer import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OWN_PREFIXES = ("GROUPKET_", "DJANGO_", "EMAIL_", "CLAMD_", "DATABASE_URL", "REDIS_URL", "CELERY_")


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.root, self.folder = ROOT, folder
        self.certificate = str(folder / "nginx" / "cert.pem")
        self.ports = {name: free_port() for name in ("redis", "smtp", "node_a", "node_b")}
        self.nginx_ports = NginxPorts(http=free_port(), https=free_port(), node_a=free_port(), node_b=free_port())
        self.balanced = f"https://127.0.0.1:{self.nginx_ports.https}"
        self.node_a = f"https://127.0.0.1:{self.nginx_ports.node_a}"
        self.node_b = f"https://127.0.0.1:{self.nginx_ports.node_b}"
        self.database_url = os.environ.get("CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gk_cluster_run")
        self.vhost = "" if os.environ.get("CLUSTER_BROKER_URL") else f"groupket-cluster-{secrets.token_hex(3)}"
        broker = os.environ.get("CLUSTER_BROKER_URL") or f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}"
        inherited = {key: value for key, value in os.environ.items() if not key.startswith(OWN_PREFIXES)}
        self.environment = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "groupket.settings",
            "GROUPKET_ENV": "production",
            "GROUPKET_SECRET_KEY": secrets.token_urlsafe(50),
            "GROUPKET_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GROUPKET_SITE_URL": self.balanced,
            "GROUPKET_VAR_DIR": str(folder / "var"),
            "GROUPKET_KEYRING": keyring_json(),  # the same keyring in every process
            "GROUPKET_TRUSTED_PROXIES": "127.0.0.1/32",
            "GROUPKET_LOG_LEVEL": "WARNING",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "CELERY_BROKER_URL": broker,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.ports['smtp']}",
        }
        self.supervisor = Supervisor(environment=self.environment, logs=folder / "logs", cwd=ROOT)
        self.members = scenarios.Members()
        self.sink = self.sink_controller = None
        self.nodes: dict[str, object] = {}
        self.worker = self.redis = None

    # --- starting and stopping -----------------------------------------------------------------------------
    def manage(self, *arguments: str) -> str:
        return self.supervisor.run([sys.executable, "manage.py", *arguments], timeout=600)

    def prepare(self) -> None:
        recreate_database(self.database_url)
        if self.vhost:
            rabbitmq_vhost(self.vhost, create=True)
        self.redis = start_redis(self.supervisor, port=self.ports["redis"], folder=self.folder / "redis")
        self.sink, self.sink_controller = start_smtp_sink(self.ports["smtp"])
        self.manage("migrate", "--noinput")
        self.manage("compile_translations")
        self.manage("collectstatic", "--noinput", "--clear")
        self.manage("check", "--deploy", "--fail-level", "WARNING")

    def start_node(self, name: str) -> None:
        port = self.ports[f"node_{name}"]
        command = [
            str(VENV_BIN / "gunicorn"),
            "groupket.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--no-control-socket",
        ]
        self.nodes[name] = self.supervisor.start(f"gunicorn-{name}", command)
        wait_for(f"gunicorn node {name}", lambda: port_open(port), timeout=90, process=self.nodes[name])

    def start_worker(self) -> None:
        log = self.folder / "logs" / "worker.log"
        ready_before = log.read_text().count(" ready.") if log.exists() else 0
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "groupket",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--queues",
            "celery,schedules",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            "worker@cluster",
        ]
        self.worker = self.supervisor.start("worker", command)
        wait_for(
            "the Celery worker",
            lambda: log.read_text().count(" ready.") > ready_before,
            timeout=120,
            process=self.worker,
        )

    def kill_worker(self) -> None:
        self.worker.kill(signal.SIGKILL)
        self.worker.popen.wait(timeout=30)
        self.supervisor.processes.remove(self.worker)

    def start(self) -> None:
        self.prepare()
        self.start_node("a")
        self.start_node("b")
        static = ROOT / "staticfiles"
        nodes = (self.ports["node_a"], self.ports["node_b"])
        start_nginx(self.supervisor, ports=self.nginx_ports, nodes=nodes, folder=self.folder / "nginx", static=static)
        self.start_worker()
        beat = [
            str(VENV_BIN / "celery"),
            "-A",
            "groupket",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(self.folder / "beat-schedule"),
        ]
        self.beat = self.supervisor.start("beat", beat)

    def stop(self) -> None:
        self.supervisor.stop_all()
        if self.sink_controller is not None:
            self.sink_controller.stop()
        if self.vhost:
            rabbitmq_vhost(self.vhost, create=False)

    # --- faults ------------------------------------------------------------------------------------------
    def kill_node_b(self) -> None:
        self.nodes["b"].kill(signal.SIGKILL)

    def start_node_b(self) -> None:
        self.nodes["b"].popen.wait(timeout=30)
        self.supervisor.processes.remove(self.nodes["b"])
        self.start_node("b")

    def restart_redis(self) -> None:
        self.redis.kill(signal.SIGTERM)
        self.redis.popen.wait(timeout=30)
        self.supervisor.processes.remove(self.redis)
        self.redis = start_redis(self.supervisor, port=self.ports["redis"], folder=self.folder / "redis")

    # --- reads -------------------------------------------------------------------------------------------
    def probe(self, command: str, arguments: dict) -> dict:
        output = self.supervisor.run([sys.executable, "-m", "cluster.probe", command], stdin=json.dumps(arguments))
        return json.loads(output.strip().splitlines()[-1])

    def known_usernames(self) -> list[str]:
        return [member.username for member in self.members.active]


def check_the_front(cluster: Cluster) -> scenarios.Outcome:
    """HTTP goes to HTTPS; nginx serves the static files itself; a body over the upload limit stops at nginx."""
    with httpx.Client(verify=cluster.certificate) as client:
        plain = client.get(f"http://127.0.0.1:{cluster.nginx_ports.http}/me/")
        scenarios.expect(plain.status_code == 301, f"plain HTTP answered {plain.status_code}")
        scenarios.expect(plain.headers["location"].startswith("https://"), "plain HTTP not sent to HTTPS")
        page = client.get(cluster.balanced + "/accounts/login/")
        scenarios.expect(page.status_code == 200, f"the sign-in page through nginx answered {page.status_code}")
        scenarios.expect("max-age=31536000" in page.headers.get("strict-transport-security", ""), "no HSTS")
        css = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
        static = client.get(cluster.balanced + css)
        scenarios.expect(
            static.status_code == 200 and "immutable" in static.headers.get("cache-control", ""),
            f"nginx did not serve {css} itself ({static.status_code})",
        )
        big = client.post(cluster.balanced + "/accounts/login/", content=b"x" * (7 * 1024 * 1024))
        scenarios.expect(big.status_code == 413, f"a 7 MiB body answered {big.status_code}, not 413")
    return scenarios.Outcome("nginx front", "HTTP→HTTPS 301, HSTS, static files from nginx, 413 over 6 MiB")


def check_worker_log(cluster: Cluster) -> scenarios.Outcome:
    """Every task the worker received finished exactly once, the one it was killed in included."""
    text = (cluster.folder / "logs" / "worker.log").read_text(errors="replace")
    received = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] received", text))
    succeeded = re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] succeeded", text)
    failed = re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] raised", text)
    twice = [task for task in set(succeeded) if succeeded.count(task) > 1]
    scenarios.expect(not twice, f"{len(twice)} task(s) finished twice")
    scenarios.expect(not failed, f"{len(failed)} task(s) raised an error")
    unfinished = received - set(succeeded)
    scenarios.expect(not unfinished, f"{len(unfinished)} task(s) received but never finished")
    return scenarios.Outcome("worker: tasks", f"{len(received)} tasks, each finished exactly once")


def print_summary(result, outcomes: list[scenarios.Outcome], took: float) -> None:
    print("\n== make cluster-test: summary ==")
    if result is not None:
        print(f"{'requests':<34}{'count':>8}{'failed':>8}{'p50 ms':>9}{'p95 ms':>9}")
        for name, count, failed, p50, p95 in stats_table(result.stats):
            print(f"{name[:33]:<34}{count:>8}{failed:>8}{p50:>9}{p95:>9}")
        print("errors by kind:" if result.errors else "errors by kind: none")
        for kind, count in sorted(result.errors.items()):
            print(f"  {count:>5}  {kind}")
    print("checks:")
    for outcome in outcomes:
        rows = f" [{outcome.rows_checked} rows checked]" if outcome.rows_checked else ""
        print(f"  ok  {outcome.name}: {outcome.detail}{rows}")
    print(f"rows checked in the database: {sum(outcome.rows_checked for outcome in outcomes)}")
    print(f"took {took:.0f} s")


def main() -> int:
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="groupket-cluster-"))
    cluster = Cluster(folder)
    outcomes: list[scenarios.Outcome] = []
    result = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        cluster.start()
        outcomes.append(check_the_front(cluster))
        outcomes.append(scenarios.lockout_holds_on_the_other_node(cluster, cluster.members))
        outcomes.append(scenarios.ended_session_is_gone_on_the_other_node(cluster, cluster.members))
        outcomes.append(scenarios.unregistered_member_is_gone_on_the_other_node(cluster, cluster.members))
        outcomes.append(scenarios.notice_survives_a_killed_worker(cluster, cluster.members, extra_members=40))
        users, seconds = int(os.environ.get("CLUSTER_USERS", "50")), int(os.environ.get("CLUSTER_SECONDS", "60"))
        result = run_load(cluster, users=users, seconds=seconds)
        outcomes.append(result.outcome)
        made = [member.email for member in cluster.members.active + cluster.members.withdrawn]
        made += [f"{username}@cluster.example" for username in result.made_usernames]
        outcomes.append(scenarios.every_signup_mailed_at_most_once(cluster, made_emails=made))
        outcomes.append(check_worker_log(cluster))
        print_summary(result, outcomes, time.monotonic() - started)
        return 0
    except (ClusterFailure, AssertionError) as failure:
        print_summary(result, outcomes, time.monotonic() - started)
        print(f"\nFAILED: {failure}", file=sys.stderr)
        for process in cluster.supervisor.processes:
            print(f"--- {process.name} (last lines of {process.log.name}) ---\n{process.tail(15)}", file=sys.stderr)
        return 1
    finally:
        cluster.stop()
        if os.environ.get("CLUSTER_KEEP"):
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
