"""/privacy/contact/: anyone writes to the privacy officer; the request is tracked, due in 10 days (P6.2, P11.1)."""

import email
import re
from datetime import timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupket.staff.models import PrivacyRequest, RequestAction
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.markup import fragment

junk = st.one_of(st.text(max_size=300), st.just(""), st.just("\x00"), st.sampled_from(["access", "other"]))
FORM = {"kind": "correction", "name": "Seo-yeon Han", "email": "seoyeon@example.org", "message": "Fix my name."}


def mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=default_policy) for path in sorted(mail_dir.glob("*.eml"))
    ]


def mail_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    return [message for message in mails(mail_dir) if message["To"] == address]


def send(client: Client, capture, **changes: str):
    with capture(execute=True):
        return client.post("/privacy/contact/", {**FORM, **changes})


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.clause("P11.1")
def test_anyone_writes_and_the_request_is_tracked_due_in_ten_days(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    page = client.get("/privacy/contact/").content.decode()
    assert "Groupket Privacy Officer" in page and 'name="message"' in page and "Stop processing my information" in page

    response = send(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == "/privacy/contact/sent/"
    assert "within 10 days" in client.get(response["Location"]).content.decode()
    filed = PrivacyRequest.objects.get()
    assert (filed.kind, filed.channel, filed.status, filed.member_id) == ("correction", "web", "open", None)
    assert (filed.requester_name, filed.requester_email, filed.body) == ("Seo-yeon Han", FORM["email"], "Fix my name.")
    assert filed.due_on == timezone.localdate(filed.received_at) + timedelta(days=10)
    assert filed.data_key_id is not None
    assert list(RequestAction.objects.values_list("action", "note")) == [("received", "by web")]

    [ack] = mail_to(mail_dir, FORM["email"])
    ack_text = ack.get_content()
    assert f"#{filed.pk}" in ack["Subject"] and "접수" in ack["Subject"]
    assert f"{filed.due_on:%Y-%m-%d}" in ack_text and "Correct my information" in ack_text
    assert "----------" in ack_text  # English, then Korean

    [notice] = mail_to(mail_dir, "privacy@groupket.localhost")
    notice_text = notice.get_content()
    assert f"Request #{filed.pk} was received" in notice_text and f"{filed.due_on:%Y-%m-%d}" in notice_text
    assert f"http://127.0.0.1:8000/staff/requests/{filed.pk}/" in notice_text
    for personal in ("Seo-yeon", "seoyeon@", "Fix my name"):
        assert personal not in notice.as_string()
    assert notice["Auto-Submitted"] == "auto-generated"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_requester_items_are_stored_sealed(client: Client, django_capture_on_commit_callbacks) -> None:
    send(client, django_capture_on_commit_callbacks, message="My unusual words: zebra-quartz-lantern")
    with connection.cursor() as cursor:
        cursor.execute("SELECT requester_name, requester_email, body FROM staff_privacyrequest")
        raw = b"".join(bytes(column) for column in cursor.fetchone())
    for plaintext in (b"Seo-yeon", b"seoyeon@example.org", b"zebra-quartz-lantern"):
        assert plaintext not in raw


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_signed_in_member_writes_under_their_own_name_and_address(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    member = MemberFactory(name="Dae-ho Lim", email="daeho@example.org")
    sign_in(client, member)
    page = client.get("/privacy/contact/").content.decode()
    assert re.search(r'name="email"[^>]*value="daeho@example.org"[^>]*disabled|disabled[^>]*value="daeho@', page)

    send(client, django_capture_on_commit_callbacks, name="Someone Else", email="someone@example.org")

    filed = PrivacyRequest.objects.get()
    assert filed.member_id == member.pk
    assert (filed.requester_name, filed.requester_email) == ("Dae-ho Lim", "daeho@example.org")
    assert filed.requester_verified_at is None  # a session alone does not let staff change the account
    assert mail_to(mail_dir, "daeho@example.org") and not mail_to(mail_dir, "someone@example.org")


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Choose what your request is about."),
        ({"kind": "gossip"}, "Choose one."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"name": ""}, "Enter your name."),
        ({"message": "   "}, "Write your message."),
        ({"message": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks, changes: dict, message: str
) -> None:
    response = send(client, django_capture_on_commit_callbacks, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PrivacyRequest.objects.count() == 0
    assert not list(mail_dir.glob("*.eml"))


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_the_form_is_not_a_mailer_more_than_five_an_hour_from_one_address_are_refused(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    for _ in range(5):
        assert send(client, django_capture_on_commit_callbacks).status_code == 302
    response = send(client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many requests were sent from here" in response.content.decode()
    assert PrivacyRequest.objects.count() == 5
    assert len(mail_to(mail_dir, FORM["email"])) == 5


@pytest.mark.django_db
@pytest.mark.clause("P11.1")
def test_policy_page_and_every_footer_lead_to_the_contact_page(client: Client) -> None:
    policy = client.get("/privacy/").content.decode()
    # Right under the officer's name and addresses, before the next section.
    link = fragment(policy, id="write-to-officer")
    assert 'href="/privacy/contact/"' in link and "Write to the privacy officer" in link
    officer_ends = policy.index(fragment(policy, id="officer")) + len(fragment(policy, id="officer"))
    assert officer_ends < policy.index(link) < policy.index('id="dispute-bodies"')
    footer = fragment(client.get("/").content.decode(), class_="site-footer")
    assert 'href="/privacy/contact/"' in footer


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(("kind", "name", "email", "message"), junk)))
def test_random_input_never_fails_and_never_leaves_half_a_request(data: dict) -> None:
    cache.clear()
    response = Client().post("/privacy/contact/", data)
    assert response.status_code in (302, 400)
    for filed in PrivacyRequest.objects.all():
        assert filed.body and filed.requester_email and RequestAction.objects.filter(request=filed).exists()
