"""No personal item travels in a task: broker messages sit in Redis in plain text (Habit 14, P7.5).

The lifecycle test queues real messages on a real Redis broker, with no worker to take them, and reads
every one back from Redis; the other tests pin the rule in the code for tasks no test drives.
"""

import ast
import base64
import inspect
import json
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client

from groupket.accounts.models import Member
from groupket.accounts.tokens import make_verification_token
from groupket.celery import app
from groupket.core.tasks import MailTask
from tests.factories import DEFAULT_PASSWORD

BROKER_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9"
# Codes a task may take besides ids: none of them says anything about a person.
NOT_IDS = {("build_data_export", "language"), ("run_scheduled_job", "name")}


def groupket_tasks() -> dict[str, object]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith("groupket.")}


def test_every_task_takes_ids_only() -> None:
    tasks = groupket_tasks()
    assert len(tasks) >= 12
    for name, task in tasks.items():
        for parameter in inspect.signature(task.run).parameters.values():
            short = name.rsplit(".", 1)[1]
            if (short, parameter.name) in NOT_IDS:
                continue
            assert parameter.annotation is int and parameter.name.endswith("_id"), f"{name}({parameter.name})"


def test_every_mail_task_retries_with_backoff() -> None:
    mail_tasks = {name for name, task in groupket_tasks().items() if isinstance(task, MailTask)}
    sends_mail = {
        name
        for name, task in groupket_tasks().items()
        # A task named send_..., or one that calls a deliver_...() function (not one that hands off deliveries).
        if "send" in name.rsplit(".", 1)[1] or re.search(r"\bdeliver\w*\(", inspect.getsource(task.run))
    }
    assert sends_mail and sends_mail <= mail_tasks
    task = groupket_tasks()["groupket.accounts.tasks.send_email_changed_notice"]
    assert task.retry_backoff and task.retry_backoff_max >= 600 and task.max_retries >= 5


def test_tasks_are_queued_only_through_core_enqueue() -> None:
    """`.delay()` or `.apply_async()` anywhere else would let a failure reach a committed request."""
    offenders = []
    for path in Path(settings.BASE_DIR, "groupket").rglob("*.py"):
        if path.name == "tasks.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            # Calls only: an attribute merely named `delay` (the sandbox's fault.delay, in seconds) queues nothing.
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and called.attr in ("delay", "apply_async", "send_task"):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert offenders == []


# --- the messages themselves, on a real Redis broker ----------------------------------------------------


@pytest.fixture
def redis_broker() -> Iterator[tuple[redis.Redis, str]]:
    """Celery publishes to Redis instead of running tasks in-process; the keys get a prefix of this test's own."""
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {BROKER_URL}")
    prefix = f"groupket-test-{secrets.token_hex(4)}:"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(
        broker_url=BROKER_URL, task_always_eager=False, broker_transport_options={"global_keyprefix": prefix}
    )
    app._pool = app.amqp._producer_pool = None
    try:
        yield client, prefix
    finally:
        app.conf.update(saved)
        app._pool = app.amqp._producer_pool = None
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def queued_messages(client: redis.Redis, prefix: str) -> list[tuple[str, bytes]]:
    """Every message waiting in the default queue: its task name and everything it carries, decoded."""
    messages = []
    for raw in client.lrange(f"{prefix}celery", 0, -1):
        envelope = json.loads(raw)
        body = base64.b64decode(envelope.pop("body"))
        messages.append((envelope["headers"]["task"], json.dumps(envelope).encode() + b"\n" + body))
    return messages


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_no_queued_message_carries_the_members_email_name_or_id(
    client: Client, redis_broker, django_capture_on_commit_callbacks
) -> None:
    redis_client, prefix = redis_broker
    username, name, email, new_email = "yuna.scan", "Seo Yuna Scan", "yuna.scan@example.org", "yuna.next@example.org"

    def step(method: str, path: str, data: dict | None = None) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(path, data or {}, follow=True)
        assert response.status_code == 200, path

    step(
        "post",
        "/accounts/signup/",
        {
            "username": username,
            "name": name,
            "email": email,
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "agree_terms": "agree",
            "agree_privacy": "agree",
        },
    )
    member = Member.objects.get()
    # Signup signs nobody in (its answer is the same whether or not the address is taken): sign in.
    step("post", "/accounts/login/", {"username": username, "password": DEFAULT_PASSWORD})
    step("post", "/accounts/verify-resend/")
    step("post", "/me/edit/", {"name": name, "email": new_email, "phone": "", "bio": ""})
    step(
        "get", f"/accounts/verify/{make_verification_token(Member.objects.get())}/"
    )  # the new address replaces the old
    step("post", "/privacy/contact/", {"kind": "access", "message": "What do you hold about me?"})
    step("post", "/me/export/", {"password": DEFAULT_PASSWORD})
    step("post", "/accounts/logout/")
    step("post", "/accounts/password-reset/", {"email": new_email})
    client.post("/accounts/login/", {"username": username, "password": DEFAULT_PASSWORD})
    step("post", "/me/unregister/", {"password": DEFAULT_PASSWORD, "confirm": "on"})

    messages = queued_messages(redis_client, prefix)
    names = {task.rsplit(".", 1)[1] for task, _ in messages}
    # Every step that queues work did queue it: the scan below is over real messages, not an empty queue.
    assert {
        "send_verification_email",
        "send_email_changed_notice",
        "send_request_acknowledgement",
        "send_officer_notice",
        "build_data_export",
        "look_up_password_reset",  # the worker finds the member, then queues their mail
    } <= names
    assert Member.objects.filter(pk=member.pk).count() == 0  # unregistered at the end
    for task, content in messages:
        for secret in (username, name, email, new_email, "yuna"):
            assert secret.lower().encode() not in content.lower(), task
