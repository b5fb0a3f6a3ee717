"""Emails to the privacy officer become requests: read from a Maildir, parsed safely, filed once (P6.2).

The messages are real RFC 5322 bytes delivered into a Maildir made in tmp_path. The same messages
are read over IMAP from a real Dovecot in test_officer_mail_imap.py, which reuses the builders here.
"""

import logging
import mailbox
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groupket.accounts.models import Member
from groupket.core.schedules import get_job, run_job
from groupket.staff.models import PrivacyRequest, RequestAction, RequestAttachment
from tests.clamd_peer import EICAR, EICAR_FOUND_AS, Clamd
from tests.factories import MemberFactory
from tests.staff.test_contact import mail_to

PDF = b"%PDF-1.4\n% a small document that is only ever stored\n%%EOF\n"


def message(
    *, sender: str = "Jisoo Park <jisoo@example.org>", subject: str = "A question", body: str = "Hello.", **headers: str
) -> EmailMessage:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = "privacy@groupket.localhost"
    built["Subject"] = subject
    built["Date"] = format_datetime(timezone.now())
    built["Message-ID"] = headers.pop("message_id", make_msgid(domain="example.org"))
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    built.set_content(body)
    return built


@pytest.fixture
def maildir(tmp_path: Path, settings) -> mailbox.Maildir:
    box = mailbox.Maildir(tmp_path / "officer", create=True)
    settings.GROUPKET_OFFICER_MAILBOX = f"maildir:{tmp_path / 'officer'}"
    return box


def fetch() -> str:
    out = StringIO()
    call_command("fetch_officer_mail", stdout=out)
    return out.getvalue()


def deliver_everything(box: mailbox.Maildir, member_email: str) -> None:
    """Plain, alternative, HTML-only, with files, ours, a duplicate, a malformed and an oversized message."""
    plain = message(sender=f"Min-su Cho <{member_email}>", subject="Please delete my phone number", body="Thanks.")
    alternative = message(subject="=?utf-8?b?7KCV7KCVIOyalOyyrQ==?=", body="Plain words win.")  # "정정 요청"
    alternative.add_alternative("<p>HTML words <b>lose</b></p>", subtype="html")
    html_only = message(sender="Hana <hana@example.org>", subject="Complaint about a post")
    html_only.set_content(
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><p>I saw a post &amp; it hurt.</p><img src='https://tracker.example/p.gif'>"
        "<div>Second line</div></body>",
        subtype="html",
    )
    attached = message(sender="Jae <jae@example.org>", subject="My documents", body="See the files.")
    attached.add_attachment(PDF, maintype="application", subtype="pdf", filename="../../etc/id card.pdf")
    attached.add_attachment(b"x" * 6_000_000, maintype="application", subtype="octet-stream", filename="huge.bin")
    ours = message(
        sender="Groupket <no-reply@groupket.localhost>", subject="Request #1 received", Auto_Submitted="auto-generated"
    )
    for built in (plain, alternative, html_only, attached, ours):
        box.add(built.as_bytes())
    box.add(plain.as_bytes())  # delivered twice: filed once
    box.add(b"\x00\xff\xfe this is not an email at all \x00\r\n\r\n\x89PNG")
    big = message(subject="A very large message", body="y" * (10 * 1024 * 1024 + 10))
    box.add(big.as_bytes())


@pytest.fixture
def fetched(maildir: mailbox.Maildir, django_capture_on_commit_callbacks) -> tuple[str, dict[str, PrivacyRequest]]:
    """Every kind of message delivered, then one run: its summary and the requests filed, by subject."""
    MemberFactory(email="minsu@example.org")
    deliver_everything(maildir, "minsu@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        out = fetch()
    return out, {request.body.split("\n")[0]: request for request in PrivacyRequest.objects.all()}


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_each_email_is_filed_once_as_plain_text_with_its_files_sealed(fetched) -> None:
    out, by_subject = fetched
    assert "filed 4, duplicates 1, skipped 1, malformed 1, oversized 1, deferred 0" in out
    assert set(by_subject) == {"Please delete my phone number", "정정 요청", "Complaint about a post", "My documents"}

    plain = by_subject["Please delete my phone number"]
    assert (plain.kind, plain.channel, plain.status) == ("deletion", "email", "open")
    assert plain.member_id == Member.objects.with_email("minsu@example.org").get().pk
    assert (plain.requester_name, plain.requester_email) == ("Min-su Cho", "minsu@example.org")
    assert plain.due_on == timezone.localdate(plain.received_at) + timedelta(days=10)
    assert plain.body == "Please delete my phone number\n\nThanks."

    alternative = by_subject["정정 요청"]
    assert alternative.kind == "correction" and alternative.member_id is None
    assert "Plain words win." in alternative.body and "HTML words" not in alternative.body

    html = by_subject["Complaint about a post"]
    assert html.kind == "complaint"
    assert html.body == "Complaint about a post\n\nI saw a post & it hurt.\n\nSecond line"

    documents = by_subject["My documents"]
    [kept] = RequestAttachment.objects.filter(request=documents)
    assert (kept.filename, kept.content_type, kept.content) == ("id card.pdf", "application/pdf", PDF)
    assert kept.size == len(PDF) and kept.data_key_id == documents.data_key_id
    refusal = RequestAction.objects.get(request=documents, action="attachments_refused")
    assert refusal.note == "1 larger than the size limit"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_the_mailbox_is_left_in_order_and_our_own_mail_is_never_filed(
    fetched, maildir: mailbox.Maildir, mail_dir: Path
) -> None:
    # Processed messages are in cur/ flagged Seen; the unreadable and the oversized ones are set aside.
    folder = Path(maildir._path)
    assert not list((folder / "new").iterdir())
    assert sorted(path.name.rsplit(":", 1)[1] for path in (folder / "cur").iterdir()) == ["2,S"] * 6
    assert len(maildir.get_folder("Unfiled")) == 2

    # The officer hears of each filed request; those notices, delivered back, are not filed in turn.
    notices = mail_to(mail_dir, "privacy@groupket.localhost")
    assert len(notices) == 4
    for notice in notices:
        maildir.add(notice.as_bytes())
    assert "filed 0, duplicates 0, skipped 4" in fetch()
    assert PrivacyRequest.objects.count() == 4
    assert not mail_to(mail_dir, "jisoo@example.org")  # no automatic reply to a sender who may be forged


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_fetching_twice_files_once(maildir: mailbox.Maildir) -> None:
    maildir.add(message(subject="Access to my data").as_bytes())
    assert "filed 1," in fetch()
    key = maildir.keys()[0]
    # Even put back as new (a mail client marking it unread), the same Message-ID is not filed again.
    msg = maildir.get_message(key)
    msg.set_subdir("new")
    msg.remove_flag("S")
    maildir[key] = msg
    assert "filed 0, duplicates 1" in fetch()
    assert PrivacyRequest.objects.get().kind == "access"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.clause("P7.2")
def test_attachments_are_scanned_and_an_unreachable_scanner_keeps_the_message_for_the_next_run(
    maildir: mailbox.Maildir, settings, tmp_path: Path, clamd_daemon: Clamd
) -> None:
    infected = message(subject="Files", body="Two files.")
    infected.add_attachment(PDF, maintype="application", subtype="pdf", filename="letter.pdf")
    infected.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="tool.exe")
    maildir.add(infected.as_bytes())

    settings.CLAMD_SOCKET = str(tmp_path / "clamd-is-down.sock")
    assert "filed 0, duplicates 0, skipped 0, malformed 0, oversized 0, deferred 1" in fetch()
    assert PrivacyRequest.objects.count() == 0
    assert len(list((Path(maildir._path) / "new").iterdir())) == 1

    settings.CLAMD_SOCKET = clamd_daemon.address
    with clamd_daemon.watch() as verdicts:
        assert "filed 1," in fetch()
    assert verdicts == ["OK", f"{EICAR_FOUND_AS} FOUND"]  # the letter, then the tool
    filed = PrivacyRequest.objects.get()
    assert [attachment.filename for attachment in filed.attachments.all()] == ["letter.pdf"]
    assert RequestAction.objects.get(action="attachments_refused").note == "1 found harmful by the virus scanner"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_attachments_beyond_ten_are_not_kept(maildir: mailbox.Maildir) -> None:
    many = message(subject="Eleven files")
    for number in range(11):
        many.add_attachment(b"%d" % number, maintype="application", subtype="octet-stream", filename=f"f{number}.bin")
    maildir.add(many.as_bytes())
    fetch()
    assert RequestAttachment.objects.count() == 10
    assert RequestAction.objects.get(action="attachments_refused").note == "1 over the limit of files per message"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_attachments_are_stored_sealed(maildir: mailbox.Maildir) -> None:
    secret = message(subject="Sealed", body="body words")
    secret.add_attachment(b"passport number M12345678", maintype="text", subtype="plain", filename="passport.txt")
    maildir.add(secret.as_bytes())
    fetch()
    with connection.cursor() as cursor:
        cursor.execute("SELECT filename, content FROM staff_requestattachment")
        raw = b"".join(bytes(column) for column in cursor.fetchone())
    assert b"passport" not in raw and b"M12345678" not in raw
    assert RequestAttachment.objects.get().content == b"passport number M12345678"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_logs_name_no_sender_and_no_subject(maildir: mailbox.Maildir, caplog: pytest.LogCaptureFixture) -> None:
    maildir.add(message(sender="Secret Name <secret.sender@example.org>", subject="Secret subject").as_bytes())
    maildir.add(b"Subject: Secret subject\r\n\r\nno sender at all")
    with caplog.at_level(logging.INFO, logger="groupket.staff.services.intake"):
        fetch()
    logged = caplog.text
    assert "filed 1" in logged and "set aside" in logged
    for personal in ("Secret", "secret.sender"):
        assert personal not in logged


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_the_hourly_job_reads_the_mailbox_and_does_nothing_without_one(maildir: mailbox.Maildir, settings) -> None:
    maildir.add(message(subject="Hello").as_bytes())
    assert get_job("fetch_officer_mail").every == timedelta(hours=1)
    assert run_job(get_job("fetch_officer_mail")) == 1
    maildir.add(message(subject="Later").as_bytes())
    settings.GROUPKET_OFFICER_MAILBOX = ""
    assert run_job(get_job("fetch_officer_mail")) == 0
    assert PrivacyRequest.objects.count() == 1
    with pytest.raises(CommandError, match="no mailbox"):
        fetch()


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@hypothesis_settings(max_examples=60, deadline=None)
@given(
    head=st.binary(max_size=400),
    body=st.binary(max_size=400),
    sender=st.sampled_from([b"From: a@example.org\r\n", b"From: =?x?q?\xff?= <@>\r\n", b""]),
)
def test_any_bytes_are_filed_or_refused_as_malformed_never_a_crash(head: bytes, body: bytes, sender: bytes) -> None:
    from groupket.staff.services.intake import Malformed, file_message

    try:
        outcome = file_message(sender + head + b"\r\n\r\n" + body, received_at=timezone.now())
    except Malformed:
        outcome = "malformed"
    assert outcome in ("filed", "duplicate", "skipped", "malformed")


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_mailbox_that_cannot_be_read_is_logged_and_the_other_jobs_still_run(
    settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.GROUPKET_OFFICER_MAILBOX = f"maildir:{tmp_path / 'no-such-maildir'}"
    with caplog.at_level(logging.ERROR, logger="groupket.staff.services.intake"):
        assert run_job(get_job("fetch_officer_mail")) == 0
    assert "the mailbox could not be read (NoSuchMailboxError)" in caplog.text
    assert "no-such-maildir" not in caplog.text
    with pytest.raises(CommandError, match=r"could not be read \(NoSuchMailboxError\)"):
        fetch()
