"""The privacy officer's request desk: requests by due date, each step logged, the requester answered (P6.2, P11.1)."""

import dataclasses
import mailbox
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.core.models import DataKey
from groupket.privacy.models import DestructionLog
from groupket.staff.models import AccessLogEntry, PrivacyRequest, RequestAction
from groupket.staff.roles import ROLES
from groupket.staff.services.requests import IncomingAttachment, NewRequest, file_request, file_web_request
from tests.conftest import make_staff, sign_in, sign_in_staff
from tests.factories import MemberFactory
from tests.staff.test_contact import FORM, mail_to
from tests.staff.test_officer_mail import fetch, message

REQUEST_ITEMS = frozenset(
    {"request_name", "request_email", "request_body", "request_notes", "request_answer", "request_attachment",
     "request_attachment_name"}
)  # fmt: skip


@pytest.fixture(autouse=True)
def officer_sees_request_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """The officer's role lists the request items (a no-op once roles.py itself lists them)."""
    officer = ROLES["privacy_officer"]
    monkeypatch.setitem(ROLES, "privacy_officer", dataclasses.replace(officer, items=officer.items | REQUEST_ITEMS))


@pytest.fixture
def officer(client: Client, db: None) -> Member:
    staff = make_staff("privacy_officer")
    sign_in_staff(client, staff)
    return staff


def web_request(member: Member | None = None, **changes: str) -> PrivacyRequest:
    data = {**FORM, **changes}
    return file_web_request(
        member=member, kind=data["kind"], name=data["name"], email=data["email"], body=data["message"]
    )


def verified(filed: PrivacyRequest) -> PrivacyRequest:
    PrivacyRequest.objects.filter(pk=filed.pk).update(requester_verified_at=timezone.now())
    return PrivacyRequest.objects.get(pk=filed.pk)


def received_days_ago(filed: PrivacyRequest, days: int) -> None:
    received = timezone.now() - timedelta(days=days)
    PrivacyRequest.objects.filter(pk=filed.pk).update(
        received_at=received, due_on=timezone.localdate(received) + timedelta(days=10)
    )


def step(client: Client, filed: PrivacyRequest, name: str, capture=None, **data: str):
    if capture is None:
        return client.post(f"/staff/requests/{filed.pk}/{name}/", data)
    with capture(execute=True):
        return client.post(f"/staff/requests/{filed.pk}/{name}/", data)


def actions(filed: PrivacyRequest) -> list[tuple[int, str]]:
    return list(RequestAction.objects.filter(request=filed).values_list("staff_ref", "action"))


# --- The list ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_the_desk_lists_requests_by_due_date_and_marks_the_overdue(
    client: Client, officer: Member, django_assert_num_queries
) -> None:
    late, fresh, answered, closed = (web_request(name=f"Requester {n}") for n in "ABCD")
    received_days_ago(late, 12)
    received_days_ago(answered, 15)
    received_days_ago(closed, 20)
    PrivacyRequest.objects.filter(pk=answered.pk).update(status="answered")
    PrivacyRequest.objects.filter(pk=closed.pk).update(status="closed")
    client.get("/staff/requests/")

    # Session, member, devices, sign-in, roles and agreements as on every console page; count and page of the list.
    with django_assert_num_queries(13):
        page = client.get("/staff/requests/").content.decode()
    web_request()
    with django_assert_num_queries(13):
        client.get("/staff/requests/")

    listed = [int(pk) for pk in re.findall(r'data-request="(\d+)"', page)]
    assert listed == [answered.pk, late.pk, fresh.pk]
    late_row = page.split(f'data-request="{late.pk}"')[1].split("</tr>")[0]
    assert late_row.startswith(' class="overdue"') and "Overdue" in late_row and "Correct my information" in late_row
    assert "Overdue" not in page.split(f'data-request="{answered.pk}"')[1].split("</tr>")[0]
    assert "Requester" not in page and "seoyeon@" not in page  # no personal item on the list
    assert not AccessLogEntry.objects.exists()
    everything = client.get("/staff/requests/?show=all").content.decode()
    assert f'data-request="{closed.pk}"' in everything


@pytest.mark.django_db
@pytest.mark.clause("P11.1")
@pytest.mark.clause("P6.2")
def test_a_web_request_and_an_emailed_request_both_reach_the_officers_desk(
    client: Client, settings, tmp_path: Path, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    settings.GROUPKET_PRIVACY_OFFICER = {**settings.GROUPKET_PRIVACY_OFFICER, "email": "dpo@company.example"}
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/privacy/contact/", {**FORM, "kind": "complaint"}).status_code == 302
    box = mailbox.Maildir(tmp_path / "officer", create=True)
    settings.GROUPKET_OFFICER_MAILBOX = f"maildir:{tmp_path / 'officer'}"
    box.add(message(subject="A complaint about my data").as_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        fetch()

    sign_in_staff(client, make_staff("privacy_officer"))
    page = client.get("/staff/requests/").content.decode()

    web, emailed = PrivacyRequest.objects.order_by("pk")
    assert (web.channel, emailed.channel) == ("web", "email") and web.kind == emailed.kind == "complaint"
    for filed, channel in ((web, "Contact form"), (emailed, "Email")):
        row = page.split(f'data-request="{filed.pk}"')[1].split("</tr>")[0]
        assert channel in row and "A complaint" in row
    notices = mail_to(mail_dir, "dpo@company.example")
    assert sorted(str(notice["Subject"]).strip() for notice in notices) == sorted(
        f"[Groupket] Request #{filed.pk} received / 요청 #{filed.pk} 접수" for filed in (web, emailed)
    )


# --- One request ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.clause("P7.8")
def test_a_request_page_shows_the_requester_items_and_logs_each_look(client: Client, officer: Member) -> None:
    stranger = web_request(message="Please tell me what you hold.\n<script>alert(1)</script>")
    member = MemberFactory()
    from_member = web_request(member=member)

    page = client.get(f"/staff/requests/{stranger.pk}/").content.decode()
    client.get(f"/staff/requests/{from_member.pk}/")

    assert "Seo-yeon Han" in page and "seoyeon@example.org" in page and "Please tell me what you hold." in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    first, second = AccessLogEntry.objects.order_by("pk")
    assert (first.staff_ref, first.member_ref, first.reason) == (officer.pk, 0, "member_request")
    assert first.items == ["request_body", "request_email", "request_name"]
    assert first.reference == f"privacy request {stranger.pk}"
    assert (second.member_ref, second.reference) == (member.pk, f"privacy request {from_member.pk}")


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_role_without_the_request_items_sees_none_of_them_and_no_look_is_logged(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = ROLES["support_handler"]
    monkeypatch.setitem(ROLES, "support_handler", dataclasses.replace(handler, items=handler.items - REQUEST_ITEMS))
    sign_in_staff(client, make_staff("support_handler"))
    filed = web_request()

    page = client.get(f"/staff/requests/{filed.pk}/").content.decode()

    assert "Your roles do not include the requester's items." in page
    assert "Seo-yeon Han" not in page and "Fix my name." not in page
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.4")
@pytest.mark.clause("P6.2")
def test_only_staff_who_work_requests_reach_the_desk(client: Client) -> None:
    filed = web_request()
    assert client.get("/staff/requests/").status_code == 404
    sign_in(client, MemberFactory())
    assert client.get(f"/staff/requests/{filed.pk}/").status_code == 404
    sign_in_staff(client, make_staff("moderator"))
    assert client.get("/staff/requests/").status_code == 403
    assert step(client, filed, "close").status_code == 403
    assert step(client, filed, "answer", answer="Done.").status_code == 403
    filed.refresh_from_db()
    assert filed.status == "open" and filed.answer is None and actions(filed) == [(0, "received")]


# --- Steps ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_notes_are_saved_and_the_request_is_taken_up(client: Client, officer: Member) -> None:
    filed = web_request()
    response = step(client, filed, "notes", notes="Called back; waiting for their ID.")
    assert response.status_code == 302 and response["Location"] == f"/staff/requests/{filed.pk}/"
    filed.refresh_from_db()
    assert filed.officer_notes == "Called back; waiting for their ID." and filed.status == "in_progress"
    assert actions(filed) == [(0, "received"), (officer.pk, "notes_saved")]
    page = client.get(f"/staff/requests/{filed.pk}/").content.decode()
    assert "Called back; waiting for their ID." in page
    assert "request_notes" in AccessLogEntry.objects.last().items


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_verification_link_proves_the_requester_controls_the_address(
    client: Client, officer: Member, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    filed = web_request()
    assert step(client, filed, "verify", django_capture_on_commit_callbacks).status_code == 302
    [mail] = mail_to(mail_dir, FORM["email"])
    [link] = dict.fromkeys(re.findall(r"http://127\.0\.0\.1:8000(/privacy/contact/verify/[^\s]+/)", mail.get_content()))

    requester = Client()
    assert requester.post(link[:-4] + "xx/").status_code == 400
    shown = requester.get(link, follow=True)
    assert shown.status_code == 200 and "Yes, I wrote this request" in shown.content.decode()
    filed.refresh_from_db()
    assert filed.requester_verified_at is None  # a mail scanner fetching the link confirms nothing
    confirmed = requester.post(shown.redirect_chain[-1][0])
    assert confirmed.status_code == 200 and "Your address is confirmed" in confirmed.content.decode()
    filed.refresh_from_db()
    assert filed.requester_verified_at is not None
    assert actions(filed) == [(0, "received"), (officer.pk, "verification_sent"), (0, "requester_verified")]

    again = step(client, filed, "verify")
    assert again.status_code == 400 and "already confirmed" in again.content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_the_answer_is_emailed_and_the_request_marked_answered(
    client: Client, officer: Member, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    filed = web_request()
    empty = step(client, filed, "answer", django_capture_on_commit_callbacks, answer="  ")
    assert empty.status_code == 400 and "Write the answer first." in empty.content.decode()

    answer = "We corrected your name. R&D <team> says hello."
    assert step(client, filed, "answer", django_capture_on_commit_callbacks, answer=answer).status_code == 302

    filed.refresh_from_db()
    assert (filed.status, filed.answer) == ("answered", answer) and filed.answered_at is not None
    [mail] = mail_to(mail_dir, FORM["email"])
    assert f"#{filed.pk}" in mail["Subject"] and answer in mail.get_content()
    assert actions(filed)[-1] == (officer.pk, "answered")


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_closed_request_takes_no_more_steps(client: Client, officer: Member) -> None:
    filed = web_request()
    assert step(client, filed, "close").status_code == 302
    refused = step(client, filed, "answer", answer="Late answer")
    assert refused.status_code == 400 and "This request is closed. Nothing was changed." in refused.content.decode()
    filed.refresh_from_db()
    assert filed.status == "closed" and filed.answer is None
    assert actions(filed) == [(0, "received"), (officer.pk, "closed")]


# --- Carrying requests out -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_nothing_is_changed_in_an_account_before_the_requester_confirms(client: Client, officer: Member) -> None:
    member = MemberFactory(name="Old Name")
    unconfirmed = web_request(member=member)
    stranger = verified(web_request())

    refused = step(client, unconfirmed, "correct", item="name", value="New Name")
    assert refused.status_code == 400 and "has not confirmed their address" in refused.content.decode()
    refused = step(client, stranger, "delete", item="account", confirm="on")
    assert refused.status_code == 400 and "not from a member" in refused.content.decode()
    member.refresh_from_db()
    assert member.name == "Old Name"
    assert actions(unconfirmed) == [(0, "received")]


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_a_confirmed_correction_goes_through_edit_profiles_rules(
    client: Client, officer: Member, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    member = MemberFactory(name="Old Name", email="old.address@example.org")
    filed = verified(web_request(member=member))

    assert step(client, filed, "correct", item="name", value="Corrected Name").status_code == 302
    bad = step(client, filed, "correct", item="phone", value="12")
    assert bad.status_code == 400 and "Enter a valid phone number" in bad.content.decode()
    assert step(client, filed, "correct", item="phone", value="010-2345-6789").status_code == 302
    moved = step(client, filed, "correct", django_capture_on_commit_callbacks, item="email", value="new@example.org")
    assert moved.status_code == 302

    member.refresh_from_db()
    assert (member.name, member.phone) == ("Corrected Name", "+821023456789")
    assert member.email == "old.address@example.org" and member.pending_email == "new@example.org"
    assert mail_to(mail_dir, "new@example.org")  # the member confirms the new address themselves
    notes = list(RequestAction.objects.filter(request=filed, action="corrected").values_list("note", flat=True))
    assert notes == ["name", "phone", "email: confirmation link sent to the new address"]


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.clause("P6.3")
def test_a_confirmed_deletion_removes_an_item_or_unregisters_the_member(client: Client, officer: Member) -> None:
    member = MemberFactory(name="Leaving Member")
    member.phone = "+821012345678"
    member.save(update_fields=["phone"])
    filed = verified(web_request(member=member, kind="deletion"))

    unconfirmed = step(client, filed, "delete", item="account")
    assert unconfirmed.status_code == 400 and "Tick the box to confirm" in unconfirmed.content.decode()
    assert step(client, filed, "delete", item="phone", confirm="on").status_code == 302
    member.refresh_from_db()
    assert member.phone is None

    assert step(client, filed, "delete", item="account", confirm="on").status_code == 302

    assert not Member.objects.filter(pk=member.pk).exists()
    assert not DataKey.objects.filter(pk=member.data_key_id).exists()
    basis = f"withdrawal requested from the privacy officer (request {filed.pk})"
    assert DestructionLog.objects.get(category="member account").basis == basis
    # Every row of the destruction names the officer who caused it.
    assert set(DestructionLog.objects.values_list("actor_ref", "actor_operator")) == {(officer.pk, "")}
    filed.refresh_from_db()
    # The request itself stays on the desk, sealed under its own key, for its retention period.
    assert filed.member_id is None and filed.requester_name == "Leaving Member"
    assert [action for _, action in actions(filed)] == ["received", "deleted_item", "unregistered"]


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
def test_staff_do_not_carry_out_their_own_requests(client: Client, officer: Member) -> None:
    filed = verified(web_request(member=officer))
    refused = step(client, filed, "correct", item="name", value="Self Service")
    assert refused.status_code == 400 and "another officer must" in refused.content.decode()
    officer.refresh_from_db()
    assert officer.name != "Self Service"


@pytest.mark.django_db
@pytest.mark.clause("P6.2")
@pytest.mark.clause("P7.8")
def test_files_sent_with_a_request_are_only_downloaded_and_each_download_is_logged(
    client: Client, officer: Member
) -> None:
    new = NewRequest(
        kind="access", channel="email", name="Jae", email="jae@example.org", body="Files.", received_at=timezone.now()
    )
    filed = file_request(
        new=new, attachments=[IncomingAttachment("page.html", "text/html", b"<script>x</script>")], acknowledge=False
    )
    page = client.get(f"/staff/requests/{filed.pk}/").content.decode()
    [href] = re.findall(r'href="(/staff/requests/\d+/files/\d+/)"', page)

    response = client.get(href)

    assert response.content == b"<script>x</script>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert AccessLogEntry.objects.last().items == ["request_attachment", "request_attachment_name"]
