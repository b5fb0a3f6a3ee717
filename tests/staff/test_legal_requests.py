"""Legal requests: recorded by the privacy officer, released once with only the scope, told to members (P1.3, P5.2)."""

import dataclasses
import email
import email.header
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from groupket.accounts.models import LoginRecord
from groupket.accounts.services.sign_in import record_login_attempt
from groupket.accounts.services.unregister import unregister_member
from groupket.core.schedules import get_job, run_job
from groupket.privacy.models import Disclosure
from groupket.staff.models import AccessLogEntry, LegalRequest
from groupket.staff.roles import PRIVACY_OFFICER, ROLES
from tests.conftest import CONSOLE_QUERIES, make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory

AGENCY = "Seoul Metropolitan Police Agency"


def request_fields(**overrides: object) -> dict[str, object]:
    fields = {
        "agency": AGENCY,
        "legal_basis": "Criminal Procedure Act, art. 215",
        "reference": "warrant 2026-11-0042",
        "received_on": timezone.localdate().isoformat(),
        "usernames": "suspect.one",
        "items": ["phone"],
        "period_start": "",
        "period_end": "",
        "notice_forbidden_until": "",
        "notice_forbidden_reason": "",
    }
    return {**fields, **overrides}


@pytest.fixture
def officer_client(client: Client) -> Client:
    sign_in_staff(client, make_staff("privacy_officer"))
    return client


def record(client: Client, **overrides: object) -> LegalRequest:
    response = client.post("/staff/legal/new/", request_fields(**overrides))
    assert response.status_code == 302, response.content.decode()
    legal_request = LegalRequest.objects.get()
    assert response["Location"] == f"/staff/legal/{legal_request.pk}/"
    return legal_request


def release(client: Client, legal_request: LegalRequest, capture) -> dict:
    with capture(execute=True):
        response = client.post(f"/staff/legal/{legal_request.pk}/release/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="legal-request-{legal_request.pk}-release.json"'
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def mails(mail_dir: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(mail_dir.glob("*.eml"))]


@pytest.mark.django_db
@pytest.mark.clause("P5.2")
def test_only_the_privacy_officer_reaches_legal_requests(client: Client) -> None:
    assert client.get("/staff/legal/").status_code == 404
    sign_in(client, MemberFactory())
    assert client.get("/staff/legal/").status_code == 404
    support = Client()
    sign_in_staff(support, make_staff("support_handler"))
    assert support.get("/staff/legal/").status_code == 403
    assert support.post("/staff/legal/new/", request_fields()).status_code == 403
    assert LegalRequest.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P5.2")
def test_the_officer_records_agency_basis_reference_and_scope(officer_client: Client) -> None:
    target = MemberFactory(username="Suspect.One")
    form = officer_client.get("/staff/legal/new/").content.decode()
    # Only items the officer's role may see can be put in scope (P7.8).
    assert 'value="phone"' in form and 'value="login_ip"' in form
    assert 'value="password"' not in form and 'value="bio"' not in form

    legal_request = record(officer_client, period_start="2026-01-01", period_end="2026-06-30")

    assert legal_request.member_refs == [target.pk]
    assert legal_request.items == ["phone"]
    assert (legal_request.agency, legal_request.reference) == (AGENCY, "warrant 2026-11-0042")
    assert legal_request.period_start == date(2026, 1, 1) and legal_request.released_at is None
    page = officer_client.get(f"/staff/legal/{legal_request.pk}/").content.decode()
    assert "Criminal Procedure Act, art. 215" in page and "Phone number" in page
    assert "suspect" not in page.lower()  # the scope is shown as a count: no member's items on the page


@pytest.mark.django_db
@pytest.mark.clause("P5.2")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"usernames": "suspect.one\nnobody.here\n\nno.one.either"}, "No member has the IDs on lines 2, 4."),
        ({"items": []}, "This field is required."),
        ({"items": ["password"]}, "Select a valid choice."),
        ({"period_start": "2026-06-01", "period_end": "2026-05-01"}, "The period ends before it starts."),
        ({"notice_forbidden": "on"}, "Give the day until which notice is forbidden."),
        ({"notice_forbidden": "on", "notice_forbidden_until": "2099-01-01"}, "Give the reason notice is forbidden."),
        ({"received_on": "2099-01-01"}, "The request cannot have been received in the future."),
        ({"received_on": "someday"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_records_nothing(
    officer_client: Client, overrides: dict, message: str
) -> None:
    MemberFactory(username="suspect.one")
    response = officer_client.post("/staff/legal/new/", request_fields(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert LegalRequest.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P1.3")
@pytest.mark.clause("P5.2")
def test_release_file_holds_exactly_the_items_in_scope_and_the_member_is_told(
    officer_client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    target = MemberFactory(username="suspect.one", name="Kim Suspect", email="suspect@example.org")
    target.phone = "+821012345678"
    target.save(update_fields=["phone"])
    bystander = MemberFactory(username="bystander", email="bystander@example.org")
    legal_request = record(officer_client, usernames="suspect.one\nbystander")
    unregister_member(member=bystander, password=DEFAULT_PASSWORD)  # left before the release

    content = release(officer_client, legal_request, django_capture_on_commit_callbacks)

    assert content["legal_request"]["reference"] == "warrant 2026-11-0042"
    assert content["members"] == [
        {"scope_position": 1, "held": True, "items": {"phone": "+821012345678"}, "records": {}},
        {"scope_position": 2, "held": False},
    ]
    raw = json.dumps(content)
    for outside_scope in ("suspect@example.org", "Kim Suspect", "suspect.one", "bystander"):
        assert outside_scope not in raw

    disclosure = Disclosure.objects.get()
    assert (disclosure.member_id, disclosure.recipient, disclosure.items) == (target.pk, AGENCY, ["phone"])
    assert (disclosure.basis, disclosure.reference, disclosure.member_notified) == ("law", "warrant 2026-11-0042", True)
    [notice] = mails(mail_dir)
    assert notice["To"] == "suspect@example.org"
    [logged] = AccessLogEntry.objects.all()
    assert (logged.member_ref, logged.items, logged.reason) == (target.pk, ["phone"], "legal_request")
    assert logged.reference == "warrant 2026-11-0042"

    member_view = Client()
    sign_in(member_view, target)
    assert AGENCY in member_view.get("/me/disclosures/").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P5.2")
def test_a_request_is_released_once(officer_client: Client, django_capture_on_commit_callbacks) -> None:
    MemberFactory(username="suspect.one")
    legal_request = record(officer_client)
    release(officer_client, legal_request, django_capture_on_commit_callbacks)

    again = officer_client.post(f"/staff/legal/{legal_request.pk}/release/")

    assert again.status_code == 400
    assert "already been released" in again.content.decode()
    assert Disclosure.objects.count() == 1 and AccessLogEntry.objects.count() == 1
    assert officer_client.get("/staff/legal/1000/").status_code == 404
    assert officer_client.get(f"/staff/legal/{legal_request.pk}/release/").status_code == 405


@pytest.mark.django_db
@pytest.mark.clause("P5.2")
def test_records_in_scope_are_only_those_dated_in_the_period(
    officer_client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    # An officer whose role may see sign-in IPs: the period applies to records such as sign-in records.
    monkeypatch.setitem(
        ROLES, "privacy_officer", dataclasses.replace(PRIVACY_OFFICER, items=PRIVACY_OFFICER.items | {"login_ip"})
    )
    target = MemberFactory(username="suspect.one")
    for day, address in (
        (date(2026, 2, 28), "198.51.100.1"),
        (date(2026, 3, 1), "198.51.100.2"),
        (date(2026, 3, 31), "198.51.100.3"),
        (date(2026, 4, 1), "198.51.100.4"),
    ):
        login = record_login_attempt(
            member=target, request=RequestFactory().get("/", REMOTE_ADDR=address), succeeded=True
        )
        moment = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=12)
        LoginRecord.objects.filter(pk=login.pk).update(created_at=moment)
    legal_request = record(officer_client, items=["login_ip"], period_start="2026-03-01", period_end="2026-03-31")

    content = release(officer_client, legal_request, django_capture_on_commit_callbacks)

    [member] = content["members"]
    assert member["items"] == {}
    records = member["records"]["accounts.LoginRecord"]
    assert [row["login_ip"] for row in records] == ["198.51.100.2", "198.51.100.3"]
    assert set(records[0]) == {"recorded_at", "login_ip"}  # no browser, no success flag: not in scope


@pytest.mark.django_db
@pytest.mark.clause("P5.2")
def test_forbidden_notice_is_withheld_with_its_reason_then_sent_on_the_day(
    officer_client: Client, mail_dir: Path, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    target = MemberFactory(username="suspect.one", email="suspect@example.org")
    due = timezone.localdate() + timedelta(days=30)
    legal_request = record(
        officer_client,
        notice_forbidden="on",
        notice_forbidden_until=due.isoformat(),
        notice_forbidden_reason="Telling the suspect would compromise the investigation (court order 12).",
    )
    release(officer_client, legal_request, django_capture_on_commit_callbacks)

    disclosure = Disclosure.objects.get()
    assert disclosure.member_notified is False and disclosure.notice_due_on == due
    assert (
        disclosure.notice_withheld_reason == "Telling the suspect would compromise the investigation (court order 12)."
    )
    assert mails(mail_dir) == []
    member_view = Client()
    sign_in(member_view, target)
    assert AGENCY not in member_view.get("/me/disclosures/").content.decode()

    job = get_job("send_due_disclosure_notices")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: due - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job(job) == 0
    assert mails(mail_dir) == []

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: due)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job(job) == 1
        assert run_job(job) == 0  # told once
    [notice] = mails(mail_dir)
    assert notice["To"] == "suspect@example.org"
    assert AGENCY in notice.get_payload(decode=True).decode()
    assert Disclosure.objects.get().member_notified is True
    assert AGENCY in member_view.get("/me/disclosures/").content.decode()


@pytest.mark.django_db
def test_the_list_shows_each_request_in_a_fixed_number_of_queries(
    officer_client: Client, django_assert_num_queries
) -> None:
    MemberFactory(username="suspect.one")
    record(officer_client)
    record_more = request_fields(reference="order 77", items=["phone", "email"])
    assert officer_client.post("/staff/legal/new/", record_more).status_code == 302

    with django_assert_num_queries(CONSOLE_QUERIES + 1):
        page = officer_client.get("/staff/legal/").content.decode()

    assert page.count("data-legal-request=") == 2
    assert "Email address, Phone number" in page and "warrant 2026-11-0042" in page
