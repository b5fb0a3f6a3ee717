"""The notice to an address a member left: sent by a task given an id, retried, never a 500 (P7.5, P8.5)."""

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import EmailChangeNotice, Member
from groupket.accounts.tasks import send_email_changed_notice
from groupket.privacy.models import DestructionLog
from tests.accounts.test_verification import verification_links
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.smtp_peer import SmtpPeer, recipients, smtp_peer_fixture, use_email_url  # noqa: F401 (a fixture)
from tests.staff.imap_peer import free_port

OLD, NEW = "old.address@example.org", "new.address@example.org"


def change_address(client: Client, member: Member, mail_dir: Path, capture=None) -> str:  # noqa: ANN001
    """Ask for the new address (its link goes to the outbox folder) and return the link."""
    if capture is None:  # a transactional test: on_commit runs in the request
        response = client.post("/me/edit/", {"name": member.name, "email": NEW, "phone": "", "bio": ""})
    else:
        with capture(execute=True):
            response = client.post("/me/edit/", {"name": member.name, "email": NEW, "phone": "", "bio": ""})
    assert response.status_code == 302
    return verification_links(mail_dir)[-1]  # the first confirmed the signup address


def raw_notice_columns() -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT old_email FROM accounts_emailchangenotice")
        return [bytes(row[0]) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
def test_confirming_an_address_with_the_mail_server_down_keeps_the_change_and_answers_without_error(
    mail_dir: Path, settings, caplog, smtp_peer: SmtpPeer
) -> None:
    member = MemberFactory(email=OLD)
    client = Client(raise_request_exception=False)
    sign_in(client, member)
    link = change_address(client, member, mail_dir)

    use_email_url(settings, f"smtp://127.0.0.1:{free_port()}")  # nothing listens there: the mail server is down
    with caplog.at_level(logging.INFO):
        response = client.get(link, follow=True)

    assert response.status_code == 200  # on main: 500, after the change had committed
    assert Member.objects.get(pk=member.pk).email == NEW
    assert "task groupket.accounts.tasks.send_email_changed_notice was not done: MailNotSent" in caplog.text
    assert OLD not in caplog.text and NEW not in caplog.text
    # The old address waits sealed for the next attempt, and nowhere in plain text.
    [sealed] = raw_notice_columns()
    assert OLD.encode() not in sealed and b"old.address" not in sealed
    assert EmailChangeNotice.objects.get(member=member).old_email == OLD

    # The worker's retry, once the server is back: sent to the old address, then the sealed copy is destroyed.
    use_email_url(settings, smtp_peer.url(auth=False))
    send_email_changed_notice.apply((EmailChangeNotice.objects.get().pk,))
    assert recipients(smtp_peer) == [OLD]
    [message] = smtp_peer.sink.messages
    assert "was changed" in message.get_body(preferencelist=("plain",)).get_content()
    assert not EmailChangeNotice.objects.exists()


@pytest.mark.django_db
def test_the_notice_task_retries_with_backoff_until_the_server_takes_it(
    client: Client, mail_dir: Path, settings, django_capture_on_commit_callbacks, smtp_peer: SmtpPeer
) -> None:
    member = MemberFactory(email=OLD)
    sign_in(client, member)
    link = change_address(client, member, mail_dir, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        client.get(link, follow=True)
    notice = EmailChangeNotice.objects.get(member=member)

    # Celery's own autoretry, run eagerly here: each retry at once, without the waits a worker makes between them.
    conf = send_email_changed_notice.app.conf
    conf.task_eager_propagates = False
    try:
        smtp_peer.sink.busy_for = 2
        use_email_url(settings, smtp_peer.url(auth=False))
        send_email_changed_notice.apply((notice.pk,))
    finally:
        conf.task_eager_propagates = True
    assert smtp_peer.sink.attempts == 3
    assert [to for _, to, _ in smtp_peer.sink.envelopes] == [[OLD]]
    assert send_email_changed_notice.retry_backoff and send_email_changed_notice.max_retries >= 5


@pytest.mark.django_db
def test_a_notice_that_could_not_be_sent_is_destroyed_after_two_days() -> None:
    member = MemberFactory()
    stale = EmailChangeNotice.objects.create(member=member, data_key_id=member.data_key_id, old_email=OLD)
    fresh = EmailChangeNotice.objects.create(member=member, data_key_id=member.data_key_id, old_email="x@example.org")
    EmailChangeNotice.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=3))

    call_command("run_schedules")

    assert list(EmailChangeNotice.objects.values_list("pk", flat=True)) == [fresh.pk]
    log = DestructionLog.objects.get(category="previous email address awaiting its change notice")
    assert log.count == 1


@pytest.mark.django_db
def test_unregister_destroys_a_notice_still_waiting() -> None:
    from groupket.accounts.services.unregister import unregister_member
    from tests.factories import DEFAULT_PASSWORD

    member = MemberFactory()
    EmailChangeNotice.objects.create(member=member, data_key_id=member.data_key_id, old_email=OLD)
    unregister_member(member=member, password=DEFAULT_PASSWORD)
    assert not EmailChangeNotice.objects.exists()


def test_a_refusal_quoting_the_address_is_logged_without_it(settings, caplog, smtp_peer: SmtpPeer) -> None:
    from groupket.core.mail import MailNotSent, send_bilingual

    smtp_peer.sink.busy_for = 1
    use_email_url(settings, smtp_peer.url(auth=False))
    with pytest.raises(MailNotSent) as refused:
        send_bilingual(to=OLD, subject_en="s", subject_ko="s", body_en="b", body_ko="b")
    assert str(refused.value) == "the mail server refused the recipient (451)"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert not re.search(r"old\.address", repr(refused.value))
