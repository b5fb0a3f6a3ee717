"""Mail through EMAIL_URL's SMTP server, against a real aiosmtpd server (tests/smtp_peer.py).

Delivery works plain and with STARTTLS and AUTH. A message the server does not take raises MailNotSent,
temporary or not, naming the reply code and never the address, so a task can decide whether to try again
(the retry policy itself belongs to the tasks).
"""

import pytest

from groupket.core.mail import MailNotSent, send_bilingual
from tests.smtp_peer import SmtpPeer, smtp_peer_fixture, smtps_peer_fixture, use_email_url  # noqa: F401 (fixtures)
from tests.staff.imap_peer import free_port

TO = "seoyeon.kim@example.org"


def send() -> None:
    send_bilingual(
        to=TO,
        subject_en="Confirm your email address",
        subject_ko="이메일 주소를 확인해 주세요",
        body_en="Hello",
        body_ko="안녕하세요",
        headers={"Auto-Submitted": "auto-generated"},
    )


def test_plain_smtp_delivers_the_bilingual_message(smtp_peer: SmtpPeer, settings) -> None:
    use_email_url(settings, smtp_peer.url(auth=False))
    send()
    [(sender, recipients, over_tls)] = smtp_peer.sink.envelopes
    assert (sender, recipients, over_tls) == ("no-reply@groupket.localhost", [TO], False)
    [message] = smtp_peer.sink.messages
    assert message["Subject"].strip() == "[Groupket] Confirm your email address / 이메일 주소를 확인해 주세요"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert body.index("Hello") < body.index("안녕하세요")


def test_starttls_upgrades_before_signing_in_and_delivers(smtp_peer: SmtpPeer, settings) -> None:
    # The password has characters that must be percent-encoded in the URL: AUTH gets them decoded.
    use_email_url(settings, smtp_peer.url(starttls=True))
    send()
    assert smtp_peer.sink.envelopes == [("no-reply@groupket.localhost", [TO], True)]


def test_smtps_speaks_tls_from_the_first_byte_and_delivers(smtps_peer: SmtpPeer, settings) -> None:
    use_email_url(settings, smtps_peer.url(scheme="smtps"))
    send()
    assert smtps_peer.sink.envelopes == [("no-reply@groupket.localhost", [TO], True)]


def test_without_starttls_the_server_does_not_take_a_password(smtp_peer: SmtpPeer, settings) -> None:
    # The server offers AUTH only after STARTTLS; a URL without ?starttls=1 cannot sign in, and no password is sent.
    use_email_url(settings, smtp_peer.url(starttls=False))
    with pytest.raises(MailNotSent, match="does not offer the STARTTLS or AUTH") as refused:
        send()
    assert refused.value.temporary is False
    assert smtp_peer.sink.envelopes == []


def test_an_untrusted_certificate_is_refused_before_anything_is_sent(
    smtp_peer: SmtpPeer, settings, monkeypatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    use_email_url(settings, smtp_peer.url(starttls=True))
    with pytest.raises(MailNotSent, match="certificate is not trusted") as refused:
        send()
    assert refused.value.temporary is False
    assert smtp_peer.sink.envelopes == []


def test_a_wrong_password_is_a_permanent_failure(smtp_peer: SmtpPeer, settings) -> None:
    use_email_url(settings, smtp_peer.url(starttls=True, password="not it"))
    with pytest.raises(MailNotSent, match="answered 535") as refused:
        send()
    assert refused.value.temporary is False
    assert smtp_peer.sink.envelopes == []


@pytest.mark.parametrize(
    ("reply", "temporary"),
    [("550 5.1.1 <seoyeon.kim@example.org>: no such mailbox", False), ("451 4.3.0 try again later", True)],
)
def test_a_refused_recipient_says_whether_to_try_again_and_never_names_the_address(
    smtp_peer: SmtpPeer, settings, reply: str, temporary: bool
) -> None:
    smtp_peer.sink.refuse_recipients = reply
    use_email_url(settings, smtp_peer.url(auth=False))
    with pytest.raises(MailNotSent) as refused:
        send()
    assert refused.value.temporary is temporary
    assert str(refused.value) == f"the mail server refused the recipient ({reply[:3]})"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__  # smtplib's, naming TO, is dropped
    assert smtp_peer.sink.envelopes == []


def test_a_refused_message_body_says_whether_to_try_again(smtp_peer: SmtpPeer, settings) -> None:
    smtp_peer.sink.refuse_data = "554 5.6.0 message refused"
    use_email_url(settings, smtp_peer.url(auth=False))
    with pytest.raises(MailNotSent, match="answered 554") as refused:
        send()
    assert refused.value.temporary is False


def test_a_server_that_is_down_is_a_temporary_failure(settings) -> None:
    use_email_url(settings, f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(MailNotSent, match="ConnectionRefusedError") as refused:
        send()
    assert refused.value.temporary is True
    assert TO not in str(refused.value)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_up_while_the_mail_server_is_down_is_not_a_500(settings) -> None:
    from django.test import Client

    from tests.accounts.test_signup import post_signup

    use_email_url(settings, f"smtp://127.0.0.1:{free_port()}")
    response = post_signup(Client(raise_request_exception=False))
    assert response.status_code == 302
