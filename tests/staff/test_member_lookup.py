"""The staff lookup: one member by exact ID or email, only the role's items, every look logged (P7.8)."""

import pytest
from django.db import connection
from django.test import Client

from groupket.staff.models import AccessLogEntry
from groupket.staff.services.access_log import verify_access_log
from tests.conftest import CONSOLE_QUERIES, make_staff, sign_in_staff
from tests.factories import MemberFactory
from tests.markup import fragment


@pytest.fixture
def looked_up(db: None):
    member = MemberFactory(username="looked.up", name="Seo-yeon Park", email="seoyeon.park@example.org")
    member.phone = "010-2345-6789"
    member.save(update_fields=["phone"])
    return member


def staff_client(client: Client, *roles: str):
    staff = make_staff(*roles)
    sign_in_staff(client, staff)
    return staff


def look_up(client: Client, query: str, reason: str = "member_request", reference: str = "REQ-42", note: str = ""):
    return client.post("/staff/members/", {"query": query, "reason": reason, "reference": reference, "note": note})


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_moderator_sees_the_username_only_and_the_look_is_logged(client: Client, looked_up) -> None:
    moderator = staff_client(client, "moderator")

    response = look_up(client, "Looked.Up", reason="security", reference="", note="reported post 81")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-item="username"' in page and "looked.up" in page
    for secret in ("seoyeon.park@example.org", "Seo-yeon Park", "010-2345-6789"):
        assert secret not in page
    assert 'data-item="email"' not in page and 'data-item="name"' not in page and 'data-item="phone"' not in page
    entry = AccessLogEntry.objects.get()
    assert (entry.staff_ref, entry.member_ref, entry.items) == (moderator.pk, looked_up.pk, ["username"])
    assert (entry.reason, entry.reference, entry.ip_address) == ("security", "reported post 81", "127.0.0.1")
    assert verify_access_log() is None


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_moderator_cannot_look_up_by_email(client: Client, looked_up) -> None:
    staff_client(client, "moderator")

    response = look_up(client, "seoyeon.park@example.org")

    assert response.status_code == 400
    page = response.content.decode()
    assert "by exact ID only" in page and "looked.up" not in page
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_support_handler_finds_by_email_and_sees_name_and_email_but_no_phone(client: Client, looked_up) -> None:
    staff_client(client, "support_handler")

    response = look_up(client, "  SEOYEON.park@EXAMPLE.org ", reference="REQ-7", note="asked to fix their name")

    page = response.content.decode()
    assert response.status_code == 200
    assert "looked.up" in page and "Seo-yeon Park" in page and "seoyeon.park@example.org" in page
    assert "010-2345-6789" not in page
    entry = AccessLogEntry.objects.get()
    assert entry.items == ["email", "name", "username"]
    assert entry.reference == "REQ-7 · asked to fix their name"


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_privacy_officer_sees_the_phone_too(client: Client, looked_up) -> None:
    staff_client(client, "privacy_officer")
    page = look_up(client, "looked.up", reason="legal_request").content.decode()
    assert "010-2345-6789" in page
    assert AccessLogEntry.objects.get().items == ["email", "name", "phone", "username"]


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
@pytest.mark.parametrize("query", ["looked", "looked.u", "looked.up.x", "seoyeon.park@example", "nobody@example.org"])
def test_no_partial_match_and_no_match_logs_nothing(client: Client, looked_up, query: str) -> None:
    staff_client(client, "privacy_officer")

    response = look_up(client, query)

    page = response.content.decode()
    assert response.status_code == 200
    assert "No member matches" in page
    assert "looked.up" not in page and query not in fragment(page, tag="main")
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "reference", "note", "message"),
    [
        ("", "REQ-1", "", "Pick the reason for looking"),
        ("curiosity", "REQ-1", "", "Pick a listed reason"),
        ("dispute", "", "", "Give a request reference or a note"),
        ("dispute", "", "   ", "Give a request reference or a note"),
    ],
)
def test_a_reason_and_a_reference_or_note_are_required(
    client: Client, looked_up, reason: str, reference: str, note: str, message: str
) -> None:
    staff_client(client, "support_handler")

    response = look_up(client, "looked.up", reason=reason, reference=reference, note=note)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Seo-yeon Park" not in page
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_result_is_never_a_page_to_reload_and_every_look_logs_again(client: Client, looked_up) -> None:
    staff_client(client, "support_handler")

    first = look_up(client, "looked.up")
    second = look_up(client, "looked.up", reference="REQ-43")

    assert first.status_code == second.status_code == 200  # the POST response itself, no redirect to a URL
    assert "no-store" in first["Cache-Control"]
    assert list(AccessLogEntry.objects.values_list("reference", flat=True)) == ["REQ-42", "REQ-43"]
    form_page = client.get("/staff/members/")
    assert form_page.status_code == 200 and "Seo-yeon Park" not in form_page.content.decode()
    assert AccessLogEntry.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_role_without_the_lookup_action_is_refused(client: Client, looked_up) -> None:
    staff_client(client, "records_custodian")
    assert client.get("/staff/members/").status_code == 403
    assert look_up(client, "looked.up").status_code == 403
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_a_lookup_takes_a_fixed_number_of_queries(client: Client, looked_up, django_assert_num_queries) -> None:
    staff_client(client, "support_handler")
    look_up(client, "looked.up")
    # The roles the gate read serve the items check too; on PostgreSQL the append takes an advisory lock first, one
    # more query (SQLite's IMMEDIATE needs none).
    with django_assert_num_queries(CONSOLE_QUERIES + 5 + (connection.vendor == "postgresql")):
        response = look_up(client, "looked.up")
    assert "Seo-yeon Park" in response.content.decode() and AccessLogEntry.objects.count() == 2
