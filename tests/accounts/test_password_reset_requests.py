"""Password reset requests: the same work for any address, and limits on the mails anyone can ask for.

The request only records what was typed (as blind indexes) and queues a task given the row's id; the
task finds the member, if any, and mails. So a known and an unknown address cost the request the same
queries, and the page is the same. At most 3 mails per address and 20 requests per IP address an hour.
"""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groupket.accounts import throttle
from groupket.accounts.models import Member, PasswordResetRequest
from groupket.accounts.services.cleanup import purge_stale_reset_requests
from tests.accounts.test_passwords import mails, without_csrf

TOO_MANY = "Too many requests were sent from here in the last hour."
# The request's queries, whatever the address: the savepoint around the insert, and the insert.
REQUEST_QUERIES = 3


def travel(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    now = throttle._now()
    monkeypatch.setattr(throttle, "_now", lambda: now + seconds)


def post_reset(client: Client, address: str, **extra: str) -> object:
    return client.post("/accounts/password-reset/", {"email": address}, **extra)


@pytest.mark.django_db
def test_a_known_and_an_unknown_address_cost_the_request_the_same_queries_and_answer(
    client: Client, member: Member, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    answers = []
    for address in (member.email, "nobody@example.org"):
        with django_capture_on_commit_callbacks() as queued, CaptureQueriesContext(connection) as queries:
            response = post_reset(client, address)
        assert response.status_code == 200
        answers.append((len(queries), len(queued), without_csrf(response.content.decode())))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (REQUEST_QUERIES, 1)  # one task queued, given a row id
    assert not mails(mail_dir)  # nothing was looked up or sent in the request
    rows = list(PasswordResetRequest.objects.all())
    assert len(rows) == 2 and not any("example.org" in row.email_indexes for row in rows)


@pytest.mark.django_db
def test_the_background_task_mails_only_a_member_and_leaves_no_row(
    client: Client, member: Member, mail_dir: Path, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    for address in (member.email.upper(), "nobody@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            post_reset(client, address)
    assert [message["To"] for message in mails(mail_dir)] == [member.email]
    assert not PasswordResetRequest.objects.exists()


@pytest.mark.django_db
def test_at_most_3_mails_per_address_per_hour(
    client: Client,
    member: Member,
    mail_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = set()
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_reset(client, member.email, REMOTE_ADDR=f"198.51.100.{n}")
        assert response.status_code == 200
        pages.add(without_csrf(response.content.decode()))
    assert len(pages) == 1  # the 4th and 5th answer like the others
    assert len(mails(mail_dir)) == 3
    travel(monkeypatch, 60 * 60 + 60)
    with django_capture_on_commit_callbacks(execute=True):
        post_reset(client, member.email)
    assert len(mails(mail_dir)) == 4


@pytest.mark.django_db
def test_at_most_20_requests_per_ip_address_per_hour(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    statuses = [post_reset(client, f"someone{n}@example.org", REMOTE_ADDR="203.0.113.9").status_code for n in range(21)]
    assert statuses == [200] * 20 + [429]
    response = post_reset(client, "another@example.org", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429 and TOO_MANY in response.content.decode()
    assert PasswordResetRequest.objects.count() == 20
    assert post_reset(client, "another@example.org", REMOTE_ADDR="198.51.100.1").status_code == 200
    travel(monkeypatch, 60 * 60 + 60)
    assert post_reset(client, "another@example.org", REMOTE_ADDR="203.0.113.9").status_code == 200


@pytest.mark.django_db
def test_requests_whose_task_never_ran_are_deleted_after_an_hour(client: Client) -> None:
    post_reset(client, "old@example.org")
    post_reset(client, "new@example.org")
    old, new = PasswordResetRequest.objects.order_by("pk")
    PasswordResetRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    assert purge_stale_reset_requests() == 1
    assert list(PasswordResetRequest.objects.values_list("pk", flat=True)) == [new.pk]
