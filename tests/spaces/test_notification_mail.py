"""Notification mail: per-kind switches, at most one mail per 15 minutes, a one-click link to stop it (§2).

These are service mails about the member's own use, not news: they need no news consent, and a member
who never agreed to news gets them.
"""

import email
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from groupket.core.schedules import get_job, run_due_jobs
from groupket.spaces.models import Notification, NotificationSettings
from groupket.spaces.notifications.mail import send_due_notification_mail
from groupket.spaces.notifications.tokens import make_off_token
from groupket.spaces.services.posts import add_comment
from tests.conftest import sign_in
from tests.factories import MemberFactory, join, make_post, make_space
from tests.smtp_peer import SmtpPeer, smtp_peer_fixture, use_email_url  # noqa: F401 (fixtures)
from tests.staff.imap_peer import free_port
from tests.test_bad_input import FUZZ


def mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    if not mail_dir.exists():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in sorted(mail_dir.glob("*.eml"))
    ]


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def a_post_with_a_commenter(title: str = "Hidden-in-mail title"):
    author, replier = MemberFactory(), MemberFactory(username="mail.replier")
    space = make_space(author)
    join(replier, space)
    return author, replier, make_post(author, space, "the post's body", title=title)


@pytest.fixture
def reply(django_capture_on_commit_callbacks):
    """add_comment, with what it leaves for after the commit (the mail task) run, as in a request."""

    def comment(**arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return add_comment(**arguments)

    return comment


def fifteen_minutes_pass(member) -> None:
    NotificationSettings.objects.filter(member=member).update(
        last_mailed_at=timezone.now() - timedelta(minutes=15, seconds=1)
    )


@pytest.mark.django_db
def test_the_first_notification_is_mailed_at_once_saying_only_how_many_and_where(reply, mail_dir: Path) -> None:
    author, replier, post = a_post_with_a_commenter()
    reply(actor=replier, post=post, body="Hidden-in-mail comment")

    [message] = mails(mail_dir)
    body = text_of(message)
    assert message["To"] == author.email
    assert "New notifications on Groupket" in message["Subject"] and "그룹켓의 새 알림" in message["Subject"]
    assert "Comments on my posts and replies to my comments: 1 new" in body
    assert "http://127.0.0.1:8000/me/notifications/" in body and "알림 페이지에서 확인해 주세요" in body
    # Other members' writing and IDs stay on Groupket: a mailbox is outside its keys.
    for hidden in ("Hidden-in-mail", "mail.replier"):
        assert hidden not in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/notifications/off/")
    assert not Notification.objects.filter(mail_due=True).exists()


@pytest.mark.django_db
def test_at_most_one_mail_in_15_minutes_and_the_job_gathers_the_rest_into_the_next(reply, mail_dir: Path) -> None:
    author, replier, post = a_post_with_a_commenter()
    reply(actor=replier, post=post, body="first")
    reply(actor=replier, post=post, body="second")
    reply(actor=author, post=post, body=f"third, thanking @{replier.username}")

    assert len(mails(mail_dir)) == 2  # the author's first and the replier's mention: one each
    assert send_due_notification_mail() == 0  # the author's second waits for their 15 minutes

    fifteen_minutes_pass(author)
    reply(actor=replier, post=post, body="fourth")  # tries at once: now due, it gathers both
    assert len(mails(mail_dir)) == 3
    assert "Comments on my posts and replies to my comments: 2 new" in text_of(mails(mail_dir)[-1])

    reply(actor=replier, post=post, body="fifth")
    assert len(mails(mail_dir)) == 3
    fifteen_minutes_pass(author)
    assert send_due_notification_mail() == 1
    assert "1 new" in text_of(mails(mail_dir)[-1])
    assert send_due_notification_mail() == 0


@pytest.mark.django_db
def test_the_job_is_scheduled_every_few_minutes_and_runs_from_run_schedules(reply, mail_dir: Path) -> None:
    job = get_job("send_due_notification_mail")
    assert job.every <= timedelta(minutes=5)
    author, replier, post = a_post_with_a_commenter()
    reply(actor=replier, post=post, body="first")
    reply(actor=replier, post=post, body="second")
    fifteen_minutes_pass(author)
    assert run_due_jobs(force=True)["send_due_notification_mail"] == 1
    assert len(mails(mail_dir)) == 2


@pytest.mark.django_db
def test_a_kind_switched_off_is_listed_but_not_mailed_and_needs_no_news_consent(
    reply, client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    author, replier, post = a_post_with_a_commenter()
    sign_in(client, author)
    page = client.get("/me/notifications/").content.decode()
    assert 'name="replies" id="id_replies" checked' in page

    response = client.post("/me/notifications/email/", {"mentions": "on", "moderation": "on"})

    assert response.status_code == 302
    reply(actor=replier, post=post, body="not mailed")
    assert mails(mail_dir) == []
    assert "not mailed" in client.get("/me/notifications/").content.decode()
    settings_row = NotificationSettings.objects.get(member=author)
    assert set(settings_row.email_off) == {"replies", "join_requests", "join_answers"}
    assert settings_row.changed_via == "settings page"
    from groupket.privacy.selectors import has_consent

    assert not has_consent(author.pk, "marketing")  # never agreed to news, still mailed about mentions
    with django_capture_on_commit_callbacks(execute=True):
        make_post(replier, post.space, f"hello @{author.username}")
    assert len(mails(mail_dir)) == 1


@pytest.mark.django_db
def test_the_one_click_link_asks_then_stops_that_kind_without_signing_in(reply, mail_dir: Path) -> None:
    author, replier, post = a_post_with_a_commenter()
    reply(actor=replier, post=post, body="first")
    link = next(
        line.split("open: ")[1]
        for line in text_of(mails(mail_dir)[0]).splitlines()
        if line.startswith('To stop mails about "Comments')
    )
    path = link.removeprefix("http://127.0.0.1:8000")
    visitor = Client(enforce_csrf_checks=True)

    asked = visitor.get(path)
    assert asked.status_code == 200 and "Stop mails about" in asked.content.decode(), asked.content.decode()[-1500:]
    assert not NotificationSettings.objects.filter(member=author).exclude(email_off=[]).exists()
    done = visitor.post(path)
    assert done.status_code == 200 and "You will get no more mails about" in done.content.decode()
    settings_row = NotificationSettings.objects.get(member=author)
    assert settings_row.email_off == ["replies"] and settings_row.changed_via == "link in a mail"

    fifteen_minutes_pass(author)
    reply(actor=replier, post=post, body="second")
    assert len(mails(mail_dir)) == 1


@pytest.mark.django_db
def test_the_header_link_stops_every_kind_in_one_post(reply, mail_dir: Path) -> None:
    author, replier, post = a_post_with_a_commenter()
    reply(actor=replier, post=post, body="first")
    header = mails(mail_dir)[0]["List-Unsubscribe"].strip().strip("<>")

    response = Client(enforce_csrf_checks=True).post(header.removeprefix("http://127.0.0.1:8000"), {})

    assert response.status_code == 200
    assert len(NotificationSettings.objects.get(member=author).email_off) == 5


@pytest.mark.django_db
def test_a_forged_or_foreign_link_changes_nothing(mail_dir: Path) -> None:
    author = MemberFactory()
    forged = make_off_token(author.pk, "replies")[:-3] + "abc"
    for token in (forged, make_off_token(author.pk, "no-such-switch"), make_off_token(10**12, "replies")):
        response = Client().post(f"/notifications/off/{token}/")
        assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    assert not NotificationSettings.objects.exists()


@pytest.mark.django_db
def test_random_tokens_in_the_link_get_a_clear_answer() -> None:
    from urllib.parse import quote

    MemberFactory()
    client = Client(raise_request_exception=True)

    @FUZZ
    @given(token=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
    def open_link(token: str) -> None:
        for method in (client.get, client.post):
            response = method(f"/notifications/off/{quote(token, safe='')}/")
            assert response.status_code in (400, 404), token

    open_link()
    assert not NotificationSettings.objects.exists()


@pytest.mark.django_db
def test_a_server_that_is_down_leaves_the_mail_due_for_the_job_and_the_reply_stands(reply, settings) -> None:
    use_email_url(settings, f"smtp://127.0.0.1:{free_port()}")
    author, replier, post = a_post_with_a_commenter()

    comment = reply(actor=replier, post=post, body="still posted")

    assert Notification.objects.get(member=author, comment=comment).mail_due
    row = NotificationSettings.objects.get(member=author)
    assert row.last_mailed_at is None  # given back: the job may try again at once


@pytest.mark.django_db
def test_a_real_smtp_server_receives_one_mail_and_the_task_was_given_only_an_id(
    reply, smtp_peer: SmtpPeer, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_email_url(settings, smtp_peer.url(auth=False))
    from groupket.spaces.notifications import services

    sent_with: list[tuple] = []
    real_enqueue = services.enqueue
    monkeypatch.setattr(services, "enqueue", lambda task, *args: (sent_with.append(args), real_enqueue(task, *args))[1])
    author, replier, post = a_post_with_a_commenter()
    reply(actor=replier, post=post, body="over SMTP")

    assert sent_with == [(author.pk,)]
    [(_, addresses, _)] = smtp_peer.sink.envelopes
    assert addresses == [author.email]
