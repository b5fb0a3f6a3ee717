"""Emails to the privacy officer read from an IMAP folder over TLS, from a real Dovecot the test starts (P6.2).

The same messages as in the Maildir tests are delivered into the Dovecot user's INBOX; the product
reads them through ImapSource with its own `ssl.create_default_context()`, which trusts the test
certificate only through SSL_CERT_FILE. What it leaves on the server is read back over IMAP by a
second client. Skipped, with the reason, where dovecot-imapd is not installed (tests/staff/imap_peer.py).
"""

import contextlib
import gc
import logging
import re
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError
from django.utils import timezone

from groupket.core.schedules import get_job, run_job
from groupket.staff.models import PrivacyRequest, RequestAction
from groupket.staff.services.intake_mailboxes import ImapSource
from tests.clamd_peer import EICAR, EICAR_FOUND_AS, Clamd
from tests.factories import MemberFactory
from tests.staff.imap_peer import ImapPeer, imap_peer_fixture  # noqa: F401
from tests.staff.test_contact import mail_to
from tests.staff.test_officer_mail import PDF, deliver_everything, fetch, message

# The Maildir run's assertions on the requests filed must hold for the IMAP run unchanged; imported under
# another name so that pytest does not collect it here a second time.
from tests.staff.test_officer_mail import (
    test_each_email_is_filed_once_as_plain_text_with_its_files_sealed as assert_filed_as_from_a_maildir,
)

NOTHING_TO_DO = "filed 0, duplicates 0, skipped 0, malformed 0, oversized 0, deferred 0"


@pytest.fixture
def officer_inbox(imap_peer: ImapPeer, settings) -> ImapPeer:
    settings.GROUPKET_OFFICER_MAILBOX = imap_peer.url()
    return imap_peer


@pytest.fixture
def fetched(officer_inbox: ImapPeer, django_capture_on_commit_callbacks) -> tuple[str, dict[str, PrivacyRequest]]:
    """Every kind of message of the Maildir tests delivered, then one run: its summary and the requests, by subject."""
    MemberFactory(email="minsu@example.org")
    deliver_everything(officer_inbox, "minsu@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        out = fetch()
    return out, {request.body.split("\n")[0]: request for request in PrivacyRequest.objects.all()}


def unix_lines(raw: bytes) -> bytes:
    """IMAP sends CRLF line ends; the messages were delivered with LF."""
    return raw.replace(b"\r\n", b"\n")


def flags_in(peer: ImapPeer, folder: str = "INBOX") -> list[set[str]]:
    return [flags for flags, _ in peer.messages(folder)]


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_each_email_is_filed_once_as_from_a_maildir(fetched) -> None:
    assert_filed_as_from_a_maildir(fetched)


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_the_folder_is_left_in_order_on_the_server_and_our_own_mail_is_never_filed(
    fetched, officer_inbox: ImapPeer, mail_dir: Path
) -> None:
    # The six read are flagged Seen; the unreadable and the oversized ones are gone from INBOX, expunged.
    assert [flags & {"\\Seen", "\\Deleted"} for flags in flags_in(officer_inbox)] == [{"\\Seen"}] * 6
    aside = officer_inbox.messages("Unfiled")
    assert len(aside) == 2 and not any("\\Deleted" in flags for flags, _ in aside)
    assert b"this is not an email at all" in aside[0][1]
    assert b"Subject: A very large message" in aside[1][1] and len(aside[1][1]) > 10 * 1024 * 1024

    # A second run finds nothing: the Seen messages are not even listed.
    assert NOTHING_TO_DO in fetch()

    # The officer's notices, delivered back, are not filed in turn.
    notices = mail_to(mail_dir, "privacy@groupket.localhost")
    assert len(notices) == 4
    for notice in notices:
        officer_inbox.add(notice.as_bytes())
    assert "filed 0, duplicates 0, skipped 4" in fetch()
    assert PrivacyRequest.objects.count() == 4
    assert flags_in(officer_inbox).count({"\\Seen"}) == 10


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_fetching_twice_files_once(officer_inbox: ImapPeer) -> None:
    officer_inbox.add(message(subject="Access to my data").as_bytes())
    assert "filed 1," in fetch()
    assert flags_in(officer_inbox) == [{"\\Seen"}]
    assert NOTHING_TO_DO in fetch()

    # Marked unread again by a mail client, the same Message-ID is not filed again, and is read once more.
    with officer_inbox.client() as client:
        client.select("INBOX")
        assert client.uid("STORE", "1:*", "-FLAGS", r"(\Seen)")[0] == "OK"
    assert flags_in(officer_inbox) == [set()]
    assert "filed 0, duplicates 1" in fetch()
    assert flags_in(officer_inbox) == [{"\\Seen"}]
    assert PrivacyRequest.objects.get().kind == "access"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_request_is_dated_when_the_server_received_the_message(officer_inbox: ImapPeer) -> None:
    arrived = (timezone.now() - timedelta(days=3, hours=5)).replace(microsecond=0)
    officer_inbox.add(message(subject="Delete my account").as_bytes(), received_at=arrived)
    assert "filed 1," in fetch()
    filed = PrivacyRequest.objects.get()
    assert filed.received_at == arrived
    assert filed.due_on == timezone.localdate(arrived) + timedelta(days=10)


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_an_unreadable_and_an_oversized_message_are_moved_to_unfiled_as_they_are(
    officer_inbox: ImapPeer, settings
) -> None:
    settings.GROUPKET_OFFICER_MAIL_MAX_BYTES = 20_000
    no_sender = b"Subject: no sender\n\nNobody wrote this.\n"
    large = message(subject="Large", body="z" * 30_000).as_bytes()
    officer_inbox.add(message(subject="Kept").as_bytes())
    officer_inbox.add(no_sender)
    officer_inbox.add(large)
    assert "filed 1, duplicates 0, skipped 0, malformed 1, oversized 1, deferred 0" in fetch()

    assert flags_in(officer_inbox) == [{"\\Seen"}]
    assert [unix_lines(raw) for _, raw in officer_inbox.messages("Unfiled")] == [no_sender, large]

    # The folder now exists; the next message set aside joins it.
    officer_inbox.add(b"From: nobody\n\n\n")
    assert "malformed 1" in fetch()
    assert len(officer_inbox.messages("Unfiled")) == 3
    assert flags_in(officer_inbox) == [{"\\Seen"}]


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.clause("P7.2")
def test_a_message_the_scanner_could_not_judge_stays_unread_on_the_server(
    officer_inbox: ImapPeer, settings, tmp_path: Path, clamd_daemon: Clamd
) -> None:
    infected = message(subject="Files", body="Two files.")
    infected.add_attachment(PDF, maintype="application", subtype="pdf", filename="letter.pdf")
    infected.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="tool.exe")
    officer_inbox.add(infected.as_bytes())

    settings.CLAMD_SOCKET = str(tmp_path / "clamd-is-down.sock")
    assert "deferred 1" in fetch()
    # Read with BODY.PEEK: still unread, so the next run takes it.
    assert flags_in(officer_inbox) == [set()]
    assert PrivacyRequest.objects.count() == 0

    settings.CLAMD_SOCKET = clamd_daemon.address
    with clamd_daemon.watch() as verdicts:
        assert "filed 1," in fetch()
    assert verdicts == ["OK", f"{EICAR_FOUND_AS} FOUND"]  # the letter, then the tool
    assert flags_in(officer_inbox) == [{"\\Seen"}]
    assert RequestAction.objects.get(action="attachments_refused").note == "1 found harmful by the virus scanner"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_folder_named_in_the_address_is_read_instead_of_inbox(officer_inbox: ImapPeer, settings) -> None:
    with officer_inbox.client() as client:
        assert client.create('"Privacy requests"')[0] == "OK"
        appended = client.append('"Privacy requests"', None, None, message(subject="Erase me").as_bytes())
        assert appended[0] == "OK"
    officer_inbox.add(message(subject="Not for the officer").as_bytes())
    settings.GROUPKET_OFFICER_MAILBOX = officer_inbox.url("Privacy requests")
    assert "filed 1, duplicates 0" in fetch()
    assert PrivacyRequest.objects.get().kind == "deletion"
    assert flags_in(officer_inbox, "Privacy requests") == [{"\\Seen"}]
    assert flags_in(officer_inbox) == [set()]


@contextlib.contextmanager
def no_connection_left_open() -> Iterator[None]:
    """A connection the product opened is closed by it, not found still open by the garbage collector."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        gc.collect()
    assert [str(warning.message) for warning in caught if warning.category is ResourceWarning] == []


def assert_unreadable_mailbox_is_logged(caplog: pytest.LogCaptureFixture, kind: str, password: str) -> None:
    """As for a Maildir that cannot be read: the job logs the kind of failure only, and the command fails cleanly.

    Neither says the password, as typed or as written in the address.
    """
    with no_connection_left_open():
        with caplog.at_level(logging.ERROR, logger="groupket.staff.services.intake"):
            assert run_job(get_job("fetch_officer_mail")) == 0
        with pytest.raises(CommandError, match=rf"could not be read \({re.escape(kind)}\)") as refused:
            fetch()
    assert f"the mailbox could not be read ({kind})" in caplog.text
    for secret in (password, quote(password, safe="")):
        assert secret not in caplog.text and secret not in str(refused.value)
    assert PrivacyRequest.objects.count() == 0


def wait_for_log(peer: ImapPeer, words: str) -> str:
    """Dovecot's log, once it holds these words: its log process writes a moment after the event."""
    deadline = time.monotonic() + 5
    while words not in peer.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    return peer.log()


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_wrong_password_is_logged_files_nothing_and_the_next_run_with_the_right_one_files(
    officer_inbox: ImapPeer, settings, caplog: pytest.LogCaptureFixture
) -> None:
    officer_inbox.add(message(subject="Hello").as_bytes())
    settings.GROUPKET_OFFICER_MAILBOX = officer_inbox.url(password="not-the-password")
    assert_unreadable_mailbox_is_logged(caplog, "IMAP error AUTHENTICATIONFAILED", "not-the-password")
    assert "auth failed" in wait_for_log(officer_inbox, "auth failed")
    assert flags_in(officer_inbox) == [set()]

    settings.GROUPKET_OFFICER_MAILBOX = officer_inbox.url()
    assert run_job(get_job("fetch_officer_mail")) == 1


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_folder_that_does_not_exist_is_logged_and_files_nothing(
    officer_inbox: ImapPeer, settings, caplog: pytest.LogCaptureFixture
) -> None:
    officer_inbox.add(message(subject="Hello").as_bytes())
    settings.GROUPKET_OFFICER_MAILBOX = officer_inbox.url("No such folder")
    assert_unreadable_mailbox_is_logged(caplog, "IMAP error", officer_inbox.password)
    assert flags_in(officer_inbox) == [set()]


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_an_untrusted_certificate_is_logged_and_the_password_is_never_sent(
    officer_inbox: ImapPeer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    officer_inbox.add(message(subject="Hello").as_bytes())
    monkeypatch.delenv("SSL_CERT_FILE")
    assert_unreadable_mailbox_is_logged(caplog, "SSLCertVerificationError", officer_inbox.password)

    # The server saw the client refuse its certificate, and no login.
    log = wait_for_log(officer_inbox, "unknown ca")
    assert "alert unknown ca" in log and "Login:" not in log
    assert flags_in(officer_inbox) == [set()]

    monkeypatch.setenv("SSL_CERT_FILE", str(officer_inbox.cert_file))
    assert run_job(get_job("fetch_officer_mail")) == 1


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_message_another_client_expunges_while_the_folder_is_listed_is_passed_over(officer_inbox: ImapPeer) -> None:
    officer_inbox.add(bytes(message(subject="Stays")))
    officer_inbox.add(bytes(message(subject="Goes")))
    source = ImapSource(officer_inbox.url())
    search_and_fetch = source.conn.uid

    def another_client_expunges_after_the_search(command: str, *args: str) -> tuple[str, list]:
        reply = search_and_fetch(command, *args)
        if command == "SEARCH":
            with officer_inbox.client() as other:
                other.select("INBOX")
                other.uid("STORE", reply[1][0].split()[-1], "+FLAGS", r"(\Deleted)")
                other.expunge()
        return reply

    source.conn.uid = another_client_expunges_after_the_search
    try:
        pending = source.pending()
    finally:
        source.close()

    assert len(pending) == 1
    assert [raw.split(b"Subject: ")[1].split(b"\n")[0].strip() for _, raw in officer_inbox.messages()] == [b"Stays"]
