"""News of new services and events: only to members whose consent is in force, out in one click (P4.1).

Covers the mass-notice engine for news (batches, resume after a crash, counters),
the one-click unsubscribe (RFC 8058), the send_news command and the two-yearly
reminder to subscribers.
"""

import email
import re
from datetime import timedelta
from email import policy
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.core.mail import MailNotSent
from groupket.core.schedules import get_job, run_job
from groupket.privacy.delivery import notices
from groupket.privacy.delivery.notices import deliver_notice, send_mass_notice
from groupket.privacy.guard import ConsentNotInForce
from groupket.privacy.models import ConsentEvent, MassNotice, NoticeDelivery
from groupket.privacy.selectors import has_consent
from groupket.privacy.services import record_consent
from groupket.privacy.services.notices import create_mass_notice
from tests.conftest import TEST_SETUP
from tests.factories import MemberFactory
from tests.smtp_peer import SmtpPeer, smtp_peer_fixture, use_email_url  # noqa: F401 (the fixture)
from tests.smtp_peer import recipients as smtp_recipients


def mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]


def recipients(mail_dir: Path) -> list[str]:
    return sorted(str(message["To"]) for message in mails(mail_dir))


def subscriber(address: str) -> Member:
    return MemberFactory(email=address, marketing_opt_in=True)


def withdraw(member: Member) -> None:
    record_consent(member=member, document=ConsentEvent.MARKETING, version=None, granted=False, channel="test")


def news(**changes: object) -> MassNotice:
    """A news notice recorded but not yet sent (its task is not run)."""
    texts = {"subject_en": "Spring market", "subject_ko": "봄 장터", "body_en": "Come!", "body_ko": "오세요!"}
    return create_mass_notice(actor=TEST_SETUP, kind=MassNotice.NEWS, queue=False, **{**texts, **changes})


def unsubscribe_path(message: email.message.EmailMessage) -> str:
    header = str(message["List-Unsubscribe"]).strip()  # a long header is folded onto a second line
    url = re.fullmatch(r"<(.+)>", header).group(1)
    assert url.startswith(django_settings.SITE_URL + "/news/unsubscribe/")
    return url[len(django_settings.SITE_URL) :]


# --- who receives news ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_news_reaches_only_members_whose_consent_is_in_force_when_it_is_sent(
    mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    subscriber("opted-in@example.org")
    later = MemberFactory(email="later@example.org")
    record_consent(member=later, document=ConsentEvent.MARKETING, version=None, granted=True, channel="settings")
    MemberFactory(email="never@example.org")
    leaving = subscriber("withdrew-after@example.org")

    with django_capture_on_commit_callbacks() as queued:
        notice = create_mass_notice(
            actor=TEST_SETUP,
            kind=MassNotice.NEWS,
            subject_en="Spring market",
            subject_ko="봄 장터",
            body_en="Come!",
            body_ko="오세요!",
        )
    withdraw(leaving)  # after the notice was made, before it is sent
    assert len(queued) == 1
    queued[0]()  # the task runs, in-process as without a broker

    assert recipients(mail_dir) == ["later@example.org", "opted-in@example.org"]
    notice.refresh_from_db()
    assert (notice.status, notice.total, notice.sent) == (MassNotice.DONE, 2, 2)
    assert NoticeDelivery.objects.filter(notice=notice, sent_at__isnull=False).count() == 2
    assert not NoticeDelivery.objects.filter(member=leaving).exists()


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_member_chosen_explicitly_still_gets_nothing_without_consent(
    mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = subscriber("wants-news@example.org")
    chosen = MemberFactory(email="chosen-by-hand@example.org")
    notice = news()

    # Whatever picks the recipients (here: everyone, by hand), the guard decides at each mail.
    monkeypatch.setattr(notices, "notice_audience", lambda notice: Member.objects.filter(pk__in=[wanted.pk, chosen.pk]))
    assert send_mass_notice(notice_id=notice.pk) == 1
    assert recipients(mail_dir) == ["wants-news@example.org"]
    assert NoticeDelivery.objects.get(notice=notice, member=chosen).sent_at is None

    # And the one function that mails a member refuses by itself.
    with pytest.raises(ConsentNotInForce):
        deliver_notice(notice=notice, member=chosen)
    assert recipients(mail_dir) == ["wants-news@example.org"]


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_news_mail_is_bilingual_with_one_click_unsubscribe_headers(mail_dir: Path) -> None:
    subscriber("reader@example.org")
    send_mass_notice(notice_id=news().pk)

    [message] = mails(mail_dir)
    assert "Spring market" in str(message["Subject"]) and "봄 장터" in str(message["Subject"])
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    body = message.get_content()
    assert "Come!" in body and "오세요!" in body and django_settings.SITE_URL + path in body
    assert "reader" not in path and "example.org" not in path  # the link carries no address


# --- one-click unsubscribe ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_the_unsubscribe_url_works_with_a_post_from_a_mail_client_without_session_or_csrf(
    mail_dir: Path, django_assert_num_queries
) -> None:
    member = subscriber("one-click@example.org")
    send_mass_notice(notice_id=news().pk)
    path = unsubscribe_path(mails(mail_dir)[0])
    mail_client = Client(enforce_csrf_checks=True)

    # member, then in one transaction: lock, latest consent, new event (+ 2 savepoints opened and released)
    with django_assert_num_queries(8):
        response = mail_client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 200 and "You will receive no more news" in response.content.decode()
    latest = ConsentEvent.objects.filter(member=member, document=ConsentEvent.MARKETING).first()
    assert (latest.granted, latest.channel) == (False, "unsubscribe link")
    assert not has_consent(member.pk, ConsentEvent.MARKETING)

    # A second click records nothing more, and the next news does not reach them.
    assert mail_client.post(path).status_code == 200
    assert ConsentEvent.objects.filter(member=member, document=ConsentEvent.MARKETING).count() == 2
    assert send_mass_notice(notice_id=news().pk) == 0


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_opening_the_link_only_asks_and_changes_nothing(mail_dir: Path) -> None:
    member = subscriber("prefetched@example.org")
    send_mass_notice(notice_id=news().pk)
    response = Client().get(unsubscribe_path(mails(mail_dir)[0]))
    assert response.status_code == 200 and 'type="submit"' in response.content.decode()
    assert has_consent(member.pk, ConsentEvent.MARKETING)


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_token_is_refused_with_400_and_changes_nothing(mail_dir: Path, method: str) -> None:
    member = subscriber("target@example.org")
    send_mass_notice(notice_id=news().pk)
    path = unsubscribe_path(mails(mail_dir)[0])
    token = path.split("/")[-2]
    other_salt = notices.signing.dumps({"m": member.pk}, salt="another.purpose")
    before = ConsentEvent.objects.count()

    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), other_salt, "abc", "x" * 300):
        response = getattr(Client(enforce_csrf_checks=True), method)(f"/news/unsubscribe/{forged}/")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert ConsentEvent.objects.count() == before and has_consent(member.pk, ConsentEvent.MARKETING)


@pytest.mark.django_db
def test_a_link_of_a_member_who_left_is_refused(mail_dir: Path) -> None:
    member = subscriber("gone@example.org")
    send_mass_notice(notice_id=news().pk)
    path = unsubscribe_path(mails(mail_dir)[0])
    Member.objects.filter(pk=member.pk).delete()
    assert Client().post(path).status_code == 400


# --- batches, crashes and counters ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_run_that_crashes_part_way_is_resumed_and_nobody_gets_the_news_twice(
    smtp_peer: SmtpPeer, settings: pytest.FixtureRequest
) -> None:
    addresses = [f"reader{number}@example.org" for number in range(5)]
    for address in addresses:
        subscriber(address)
    MemberFactory(email="not-subscribed@example.org")
    notice = news()
    use_email_url(settings, smtp_peer.url(auth=False))
    smtp_peer.sink.accept_at_most = 2  # the mail server goes away at the third message

    with pytest.raises(MailNotSent) as stopped:
        send_mass_notice(notice_id=notice.pk, batch_size=2)

    assert stopped.value.temporary is True
    notice.refresh_from_db()
    assert len(smtp_peer.sink.messages) == 2
    assert (notice.status, notice.total, notice.sent) == (MassNotice.SENDING, 5, 2)
    # The refused mail left no delivery row behind, so the resumed run may try that member again.
    assert NoticeDelivery.objects.filter(notice=notice).count() == 2

    smtp_peer.sink.accept_at_most = None
    assert send_mass_notice(notice_id=notice.pk, batch_size=2) == 3

    assert smtp_recipients(smtp_peer) == sorted(addresses)  # each exactly once
    notice.refresh_from_db()
    assert (notice.status, notice.total, notice.sent) == (MassNotice.DONE, 5, 5)
    assert send_mass_notice(notice_id=notice.pk) == 0  # a finished notice sends nothing more


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_member_whose_mail_is_in_doubt_after_a_hard_crash_is_not_mailed_again(mail_dir: Path) -> None:
    in_doubt, waiting = subscriber("in-doubt@example.org"), subscriber("waiting@example.org")
    notice = news()
    # The process died between recording this member and marking the mail sent: it may have gone out.
    MassNotice.objects.filter(pk=notice.pk).update(status=MassNotice.SENDING, started_at=timezone.now())
    NoticeDelivery.objects.create(notice=notice, member=in_doubt)

    assert send_mass_notice(notice_id=notice.pk) == 1
    assert recipients(mail_dir) == ["waiting@example.org"]
    assert NoticeDelivery.objects.get(notice=notice, member=waiting).sent_at is not None


@pytest.mark.django_db
def test_notice_texts_are_checked_before_anything_is_stored() -> None:
    for changes in ({"subject_en": "Two\nlines"}, {"subject_ko": " "}, {"body_en": ""}, {"subject_en": "x" * 201}):
        with pytest.raises(ValueError, match="notice"):
            news(**changes)
    with pytest.raises(ValueError, match="unknown notice kind"):
        create_mass_notice(actor=TEST_SETUP, kind="advert", subject_en="a", subject_ko="b", body_en="c", body_ko="d")
    assert MassNotice.objects.count() == 0


# --- the send_news command --------------------------------------------------------------------------------------


def bodies(tmp_path: Path) -> list[str]:
    (tmp_path / "news.en.txt").write_text("A new space for bakers opens on Monday.\n", encoding="utf-8")
    (tmp_path / "news.ko.txt").write_text("월요일에 제빵사를 위한 새 공간이 열립니다.\n", encoding="utf-8")
    return ["--body-en-file", str(tmp_path / "news.en.txt"), "--body-ko-file", str(tmp_path / "news.ko.txt")]


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_send_news_sends_to_subscribers_and_prints_progress_and_the_count(mail_dir: Path, tmp_path: Path) -> None:
    subscriber("first@example.org")
    subscriber("second@example.org")
    MemberFactory(email="quiet@example.org")
    out = StringIO()

    call_command("send_news", "--subject-en", "Bakers", "--subject-ko", "제빵사", *bodies(tmp_path), stdout=out)

    notice = MassNotice.objects.get()
    text = out.getvalue()
    assert "sent 1/2" in text and "sent 2/2" in text
    assert text.rstrip().endswith(f"sent 2 (notice {notice.pk}: 2/2 sent)")
    assert recipients(mail_dir) == ["first@example.org", "second@example.org"]
    assert "월요일에" in mails(mail_dir)[0].get_content() and notice.kind == MassNotice.NEWS


@pytest.mark.django_db
def test_send_news_refuses_bad_input_and_stores_nothing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--subject-ko"):
        call_command("send_news", "--subject-en", "Bakers", *bodies(tmp_path))
    with pytest.raises(CommandError, match="one line"):
        call_command("send_news", "--subject-en", "Two\nlines", "--subject-ko", "제빵사", *bodies(tmp_path))
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    files = ["--body-en-file", str(tmp_path / "latin1.txt"), "--body-ko-file", str(tmp_path / "missing.txt")]
    with pytest.raises(CommandError, match="cannot read"):
        call_command("send_news", "--subject-en", "Bakers", "--subject-ko", "제빵사", *files)
    assert MassNotice.objects.count() == 0
    with pytest.raises(CommandError, match="no news notice 999"):
        call_command("send_news", "--resume", "999")


@pytest.mark.django_db
def test_send_news_resumes_a_run_that_stopped(smtp_peer: SmtpPeer, tmp_path: Path, settings) -> None:
    for number in range(4):
        subscriber(f"resume{number}@example.org")
    use_email_url(settings, smtp_peer.url(auth=False))
    smtp_peer.sink.accept_at_most = 2
    with pytest.raises(CommandError, match="run again with --resume") as stopped:
        call_command("send_news", "--subject-en", "B", "--subject-ko", "빵", *bodies(tmp_path), stdout=StringIO())
    assert "resume0" not in str(stopped.value)  # the error names no address

    smtp_peer.sink.accept_at_most = None
    out = StringIO()
    call_command("send_news", "--resume", str(MassNotice.objects.get().pk), stdout=out)
    assert "sent 2 (" in out.getvalue() and "4/4 sent" in out.getvalue()
    assert smtp_recipients(smtp_peer) == [f"resume{number}@example.org" for number in range(4)]


# --- the reminder every two years --------------------------------------------------------------------------------


def subscribed_days_ago(address: str, days: int) -> Member:
    member = subscriber(address)
    ConsentEvent.objects.filter(member=member, document=ConsentEvent.MARKETING).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return member


def run_reminders(capture) -> int:
    with capture(execute=True):
        return run_job(get_job("remind_news_subscribers"))


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_subscriber_of_two_years_and_a_day_is_reminded_once(
    mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    subscribed_days_ago("two-years@example.org", 2 * 365 + 1)
    subscriber("fresh@example.org")
    MemberFactory(email="never@example.org")
    withdrawn = subscribed_days_ago("withdrawn@example.org", 3 * 365)
    withdraw(withdrawn)

    assert run_reminders(django_capture_on_commit_callbacks) == 1

    [message] = mails(mail_dir)
    assert str(message["To"]) == "two-years@example.org"
    body = message.get_content()
    assert "still subscribed" in body and "You do not need to do anything to keep receiving news" in body
    assert "/me/consents/" in body and unsubscribe_path(message) in body
    notice = MassNotice.objects.get()
    assert (notice.kind, notice.total, notice.sent) == (MassNotice.SUBSCRIPTION_REMINDER, 1, 1)

    # The next day's run, and any run within two years, finds nobody due.
    assert run_reminders(django_capture_on_commit_callbacks) == 0
    assert MassNotice.objects.count() == 1 and len(mails(mail_dir)) == 1


@pytest.mark.django_db
@pytest.mark.clause("P4.1")
def test_a_reminder_not_yet_sent_is_resumed_rather_than_doubled(
    mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    subscribed_days_ago("due@example.org", 800)
    with django_capture_on_commit_callbacks(execute=False):  # queued, but the worker has not run it yet
        run_job(get_job("remind_news_subscribers"))
    assert run_reminders(django_capture_on_commit_callbacks) == 1

    assert MassNotice.objects.count() == 1 and recipients(mail_dir) == ["due@example.org"]


def test_the_reminder_runs_daily() -> None:
    job = get_job("remind_news_subscribers")
    assert job.every == timedelta(hours=24)
    assert job.function == "groupket.privacy.services.reminders.remind_news_subscribers"


@pytest.mark.django_db
def test_each_mail_costs_a_fixed_number_of_queries(mail_dir: Path, django_assert_num_queries) -> None:
    for number in range(3):
        subscriber(f"counted{number}@example.org")
    notice = news()
    # Start (savepoint, lock, count, update, release), a batch, then per member: record (savepoint, insert,
    # release), the guard's consent, mark sent (savepoint, two updates, release); an empty batch; done.
    with django_assert_num_queries(5 + 1 + 3 * 8 + 1 + 1):
        assert send_mass_notice(notice_id=notice.pk) == 3
