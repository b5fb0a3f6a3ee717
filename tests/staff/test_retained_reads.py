"""Records kept after withdrawal: only the records custodian, only for a stated purpose, every read logged (P8.3)."""

import uuid

import pytest
from django.test import Client, RequestFactory

from groupket.accounts.services.sign_in import record_login_attempt
from groupket.accounts.services.unregister import unregister_member
from groupket.privacy.models import RetainedRecord
from groupket.staff.models import AccessLogEntry
from groupket.staff.services.access_log import verify_access_log
from tests.conftest import CONSOLE_QUERIES, make_staff, sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory

KEPT_IP = "203.0.113.77"


@pytest.fixture
def kept_record(db: None) -> RetainedRecord:
    """A former member's sign-in record, kept 3 months after they unregistered."""
    member = MemberFactory()
    record_login_attempt(member=member, request=RequestFactory().get("/", REMOTE_ADDR=KEPT_IP), succeeded=True)
    unregister_member(member=member, password=DEFAULT_PASSWORD)
    return RetainedRecord.objects.get()


@pytest.fixture
def custodian(client: Client) -> Client:
    sign_in_staff(client, make_staff("records_custodian"))
    return client


@pytest.mark.django_db
@pytest.mark.clause("P8.3")
def test_only_the_records_custodian_reaches_kept_records(client: Client, kept_record: RetainedRecord) -> None:
    pages = ["/staff/retained/", f"/staff/retained/?ref={kept_record.subject_ref}", read_url(kept_record)]
    for page in pages:
        assert client.get(page).status_code == 404
    sign_in(client, MemberFactory())
    for page in pages:
        assert client.get(page).status_code == 404
    for role in ("support_handler", "privacy_officer"):
        staff = Client()
        sign_in_staff(staff, make_staff(role))
        for page in pages:
            assert staff.get(page).status_code == 403
        assert staff.post(read_url(kept_record), {"purpose": "dispute"}).status_code == 403
    assert AccessLogEntry.objects.count() == 0


def read_url(record: RetainedRecord) -> str:
    return f"/staff/retained/{record.record_ref}/"


@pytest.mark.django_db
@pytest.mark.clause("P8.3")
def test_lookup_shows_what_a_record_is_never_its_contents(
    custodian: Client, kept_record: RetainedRecord, django_assert_num_queries
) -> None:
    assert "data-record=" not in custodian.get("/staff/retained/").content.decode()  # no browsing

    with django_assert_num_queries(CONSOLE_QUERIES + 1):
        page = custodian.get(f"/staff/retained/?ref={kept_record.subject_ref}").content.decode()

    assert page.count("data-record=") == 1
    for shown in ("login records", str(kept_record.record_ref), str(kept_record.subject_ref), "Communications"):
        assert shown in page
    assert KEPT_IP not in page
    assert (
        str(kept_record.record_ref) in custodian.get(f"/staff/retained/?ref={kept_record.record_ref}").content.decode()
    )
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P8.3")
def test_a_reference_that_is_not_a_uuid_is_refused_and_an_unknown_one_finds_nothing(
    custodian: Client, kept_record: RetainedRecord
) -> None:
    bad = custodian.get("/staff/retained/?ref=not-a-reference")
    assert bad.status_code == 400 and "A reference is a UUID" in bad.content.decode()
    unknown = custodian.get(f"/staff/retained/?ref={uuid.uuid4()}").content.decode()
    assert "No record with that reference is held" in unknown
    assert custodian.get(f"/staff/retained/{uuid.uuid4()}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.clause("P8.3")
@pytest.mark.parametrize("purpose", [None, "", "curiosity"])
def test_a_read_without_an_allowed_purpose_is_refused_and_opens_nothing(
    custodian: Client, kept_record: RetainedRecord, purpose: str | None
) -> None:
    data = {} if purpose is None else {"purpose": purpose}
    response = custodian.post(read_url(kept_record), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose why you need to read this record; nothing was opened." in page
    assert KEPT_IP not in page
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P8.3")
def test_each_read_for_a_purpose_shows_the_contents_and_logs_one_row(
    custodian: Client, kept_record: RetainedRecord
) -> None:
    form = custodian.get(read_url(kept_record))
    assert form.status_code == 200 and KEPT_IP not in form.content.decode()
    assert AccessLogEntry.objects.count() == 0

    first = custodian.post(read_url(kept_record), {"purpose": "dispute"})
    assert first.status_code == 200
    assert KEPT_IP in first.content.decode() and "no-store" in first["Cache-Control"]
    [row] = AccessLogEntry.objects.all()
    assert (row.member_ref, row.items, row.reason) == (0, ["retained:login records"], "dispute")
    assert row.reference == str(kept_record.record_ref)

    custodian.post(read_url(kept_record), {"purpose": "legal"})
    assert list(AccessLogEntry.objects.values_list("reason", flat=True)) == ["dispute", "legal_request"]
    assert verify_access_log() is None  # the reads are links of the same hash chain as member views
