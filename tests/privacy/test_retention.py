"""Records kept after Unregister: only what a law keeps, sealed per month, extended on a basis, swept (P8.1-P8.5)."""

import json
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groupket.accounts.models import LoginRecord, Member
from groupket.core.crypto import DecryptionFailed, open_sealed, seal
from groupket.core.ids import time_ordered_uuid
from groupket.core.keyring import KeyringError, add_master_key, load_keyring
from groupket.core.keys import rewrap_data_keys, rewrap_model_keys, unwrap_key
from groupket.core.models import DataKey
from groupket.core.rotation import destroy_expired_master_keys, recompute_blind_indexes
from groupket.privacy import inventory
from groupket.privacy.inventory import add_months
from groupket.privacy.models import DestructionLog, RetainedRecord, RetentionExtension, RetentionKey
from groupket.privacy.retained_partitions import month_partitions
from groupket.privacy.retention_keys import month_of, open_month_keys
from groupket.privacy.services.ledger import record_consent
from groupket.privacy.services.retention import (
    RetainedReadRefused,
    RetentionExtensionRefused,
    extend_retention,
    make_upcoming_retained_partitions,
    read_retained_record,
    sweep_retained_records,
)
from tests.conftest import TEST_SETUP
from tests.factories import DEFAULT_PASSWORD, MemberFactory

RULE = inventory.RETENTION_RULES[inventory.LOGIN_RECORDS]
BROWSER = "RetentionTest-Browser/7.7 (Secret OS)"
IP_NOW, IP_RECENT, IP_BOUNDARY, IP_JUST_TOO_OLD, IP_OLD = (f"198.51.100.{n}" for n in (77, 10, 30, 29, 99))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def add_record(member: Member, created_at: datetime, ip: str) -> None:
    LoginRecord.objects.create(
        member=member, data_key_id=member.data_key_id, created_at=created_at, succeeded=True, ip_address=ip,
        user_agent=BROWSER,
    )  # fmt: skip


def first_of_next_month(day: date) -> date:
    return inventory.add_months(day.replace(day=1), 1)


@pytest.fixture
def withdrawn(client: Client, db: None) -> dict:
    """A member who signed in today through the login page, with older records, then unregistered."""
    member = MemberFactory(username="leaving.member", name="Seoyeon Departing", email="seoyeon.departing@example.org")
    client.post(
        "/accounts/login/",
        {"username": "leaving.member", "password": DEFAULT_PASSWORD},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR=IP_NOW,
    )
    today = timezone.localdate()
    boundary = RULE.earliest_kept(today)  # the oldest day whose records are still within 3 months
    add_record(member, timezone.now() - timedelta(days=10), IP_RECENT)
    add_record(member, local(boundary, 0, 30), IP_BOUNDARY)
    add_record(member, local(boundary - timedelta(days=1), 23, 30), IP_JUST_TOO_OLD)
    add_record(member, timezone.now() - timedelta(days=100), IP_OLD)
    created = {record.ip_address: record.created_at for record in LoginRecord.objects.filter(member=member)}
    response = client.post("/me/unregister/", {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    kept_ips = {IP_NOW, IP_RECENT} | ({IP_BOUNDARY} if RULE.keep_until(boundary) >= today else set())
    return {"member": member, "created": created, "kept_ips": kept_ips, "today": today}


def opened(record: RetainedRecord) -> dict:
    return read_retained_record(record_ref=record.record_ref, purpose="dispute")


def snapshot(record: RetainedRecord) -> tuple:
    record.refresh_from_db()
    return record.destroy_on, bytes(record.payload), record.retention_key_id, record.basis


@pytest.mark.clause("P8.1")
@pytest.mark.clause("P8.2")
def test_unregister_keeps_exactly_the_login_records_younger_than_3_months(withdrawn: dict) -> None:
    records = list(RetainedRecord.objects.select_related("retention_key"))
    contents = {opened(record)["values"]["ip_address"]: (record, opened(record)) for record in records}
    assert set(contents) == withdrawn["kept_ips"]
    assert len({record.subject_ref for record in records}) == 1
    for ip, (record, content) in contents.items():
        created = withdrawn["created"][ip]
        values = content["values"]
        assert set(values) == {"created_at", "ip_address", "succeeded", "user_agent"}
        assert (values["ip_address"], values["user_agent"], values["succeeded"]) == (ip, BROWSER, True)
        assert datetime.fromisoformat(values["created_at"]) == created
        assert record.category == "login records" and record.basis == RULE.stored_basis
        assert "Protection of Communications Secrets Act, art. 15-2" in record.basis
        assert record.destroy_on == RULE.keep_until(timezone.localdate(created)) >= withdrawn["today"]
        assert record.retention_key.month == month_of(record.destroy_on)
    assert RetentionKey.objects.count() == len({month_of(record.destroy_on) for record in records})
    logged = dict(DestructionLog.objects.values_list("category", "count"))
    assert logged["login records"] == 5 - len(withdrawn["kept_ips"])  # the rest is destroyed, not kept


def _rows_as_bytes(table: str) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name we listed
        return [
            value if isinstance(value, bytes) else str(value).encode()
            for row in cursor.fetchall()
            for value in (bytes(v) if isinstance(v, memoryview) else v for v in row)
        ]


@pytest.mark.clause("P8.1")
@pytest.mark.clause("P8.2")
@pytest.mark.clause("P8.5")
def test_nothing_else_of_the_member_survives_and_kept_payloads_are_sealed(withdrawn: dict) -> None:
    member = withdrawn["member"]
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Member, DataKey):
                key = member.pk if field.related_model is Member else member.data_key_id
                assert not model._default_manager.filter(**{field.attname: key}).exists(), model._meta.label
    assert not Member.objects.filter(pk=member.pk).exists()
    needles = [IP_NOW, IP_RECENT, IP_BOUNDARY, IP_OLD, BROWSER, "leaving.member", "Departing", "seoyeon.departing"]
    encoded = [needle.encode(codec) for needle in needles for codec in ("utf-8", "utf-16-le", "utf-16-be")]
    for table in connection.introspection.table_names():
        for value in _rows_as_bytes(table):
            assert not any(needle in value for needle in encoded), table


@pytest.mark.clause("P8.2")
@pytest.mark.parametrize("purpose", sorted(["dispute", "settlement", "delivery_confirmation", "legal"]))
def test_a_kept_record_opens_for_the_purposes_the_law_allows(withdrawn: dict, purpose: str) -> None:
    record = RetainedRecord.objects.order_by("-destroy_on").first()
    content = read_retained_record(record_ref=str(record.record_ref), purpose=purpose)
    assert content["values"]["ip_address"] == IP_NOW
    assert content["basis"] == RULE.stored_basis and content["destroy_on"] == record.destroy_on


@pytest.mark.clause("P8.2")
@pytest.mark.parametrize("purpose", ["marketing", "curiosity", "", "DISPUTE"])
def test_a_kept_record_does_not_open_for_any_other_purpose(withdrawn: dict, purpose: str) -> None:
    record = RetainedRecord.objects.first()
    with pytest.raises(RetainedReadRefused, match="only for a dispute") as refused:
        read_retained_record(record_ref=record.record_ref, purpose=purpose)
    assert isinstance(refused.value, PermissionDenied)


@pytest.mark.clause("P8.5")
def test_sweep_destroys_expired_records_and_empty_past_month_keys_and_logs(
    withdrawn: dict, django_assert_num_queries
) -> None:
    soonest = RetainedRecord.objects.order_by("destroy_on").first()
    later = RetainedRecord.objects.exclude(retention_key=soonest.retention_key).order_by("destroy_on")
    survivors = list(later.values_list("record_ref", flat=True))
    day = first_of_next_month(soonest.destroy_on)  # the soonest month is now fully past
    doomed = RetainedRecord.objects.filter(destroy_on__lt=day).count()

    # 9 queries; on SQLite 3 more: the sweep widens the page cache for itself and restores it. On PostgreSQL
    # 7 more: is the table partitioned, its partitions, the lock, the deferred checks run now and deferred
    # again, and the one past month's partition counted and dropped.
    with django_assert_num_queries(9 + (3 if connection.vendor == "sqlite" else 7)):
        assert sweep_retained_records(today=day) == doomed >= 1

    assert set(RetainedRecord.objects.values_list("record_ref", flat=True)) == set(survivors)
    assert not RetentionKey.objects.filter(month=soonest.retention_key.month).exists()
    for record in RetainedRecord.objects.all():
        assert opened(record)["values"]["user_agent"] == BROWSER
    rows = {log.method: log for log in DestructionLog.objects.filter(method__startswith="retent")}
    keys = rows["retention month key destroyed"]
    assert (keys.category, keys.count) == ("retention month keys", 1) and soonest.retention_key.month in keys.basis
    deleted = DestructionLog.objects.get(method="retained rows deleted")
    assert (deleted.category, deleted.count) == ("login records", doomed)
    assert RULE.stored_basis in deleted.basis and IP_NOW not in f"{deleted.basis}{keys.basis}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the table is partitioned on PostgreSQL only")
@pytest.mark.clause("P8.5")
def test_a_past_month_goes_with_its_partition_and_this_months_due_records_one_by_one(db: None) -> None:
    today = date(2031, 5, 15)
    days = [date(2031, 3, 31), date(2031, 4, 1), date(2031, 4, 30), date(2031, 5, 14), today, date(2031, 6, 1)]
    keys = open_month_keys({month_of(day) for day in days})
    for day in days:
        key_row, key = keys[month_of(day)]
        ref = time_ordered_uuid()
        RetainedRecord.objects.create(
            record_ref=ref, subject_ref=ref, retention_key=key_row, category=RULE.category, basis=RULE.stored_basis,
            destroy_on=day, payload=seal(key, b"{}", aad=ref.bytes),
        )  # fmt: skip
    assert set(month_partitions()) == {"2031-03", "2031-04", "2031-05", "2031-06"}

    assert sweep_retained_records(today=today) == 4

    assert set(month_partitions()) == {"2031-05", "2031-06"}  # March and April dropped whole
    assert sorted(RetainedRecord.objects.values_list("destroy_on", flat=True)) == [today, date(2031, 6, 1)]
    assert set(RetentionKey.objects.values_list("month", flat=True)) == {"2031-05", "2031-06"}
    assert DestructionLog.objects.get(method="retained rows deleted").count == 4


@pytest.mark.clause("P8.5")
def test_sweep_leaves_records_not_yet_due_and_keys_of_this_month(withdrawn: dict) -> None:
    before = list(RetainedRecord.objects.values_list("record_ref", "payload"))
    keys = set(RetentionKey.objects.values_list("month", flat=True))
    assert sweep_retained_records() == 0
    last_day = RetainedRecord.objects.order_by("destroy_on").first().destroy_on
    assert sweep_retained_records(today=last_day) == 0  # due that day: destroyed the day after, not before
    assert list(RetainedRecord.objects.values_list("record_ref", "payload")) == before
    assert set(RetentionKey.objects.values_list("month", flat=True)) == keys
    assert not DestructionLog.objects.filter(method__startswith="retain").exists()


@pytest.mark.clause("P8.5")
def test_the_daily_job_runs_the_sweep(withdrawn: dict) -> None:
    assert settings.GROUPKET_SCHEDULES["sweep_retained_records"] == {
        "function": "groupket.privacy.services.retention.sweep_retained_records",
        "every_hours": 24,
    }
    due = RetainedRecord.objects.first()
    RetainedRecord.objects.filter(pk=due.pk).update(destroy_on=timezone.localdate() - timedelta(days=1))
    call_command("run_schedules", "--all", stdout=StringIO())
    assert not RetainedRecord.objects.filter(pk=due.pk).exists()
    assert RetainedRecord.objects.count() == len(withdrawn["kept_ips"]) - 1


REFUSALS = [
    ({"basis_kind": "", "basis": "", "reference": ""}, "needs a basis"),
    ({"basis_kind": "whim", "basis": "we like it", "reference": "x"}, "needs a basis"),
    ({"basis_kind": "law", "basis": "", "reference": "2026GA1234"}, "law and article"),
    ({"basis_kind": "law", "basis": "Civil Procedure Act art. 344", "reference": "  "}, "such as the case number"),
    ({"basis_kind": "consent", "basis": "", "reference": ""}, "needs the consent event"),
    ({"basis_kind": "consent", "basis": "", "reference": "", "consent_event_id": 987654}, "does not exist"),
    ({"basis_kind": "consent", "basis": "", "reference": "", "consent_event_id": "abc"}, "does not exist"),
    ({"basis_kind": "law", "basis": "x" * 201, "reference": "2026GA1"}, "200 characters"),
]


@pytest.mark.clause("P8.4")
@pytest.mark.parametrize(("arguments", "message"), REFUSALS)
def test_extension_without_a_basis_is_refused_and_changes_nothing(
    withdrawn: dict, arguments: dict, message: str
) -> None:
    record = RetainedRecord.objects.first()
    before, keys = snapshot(record), RetentionKey.objects.count()
    with pytest.raises(RetentionExtensionRefused, match=message):
        extend_retention(
            actor=TEST_SETUP,
            record_ref=record.record_ref,
            new_destroy_on=record.destroy_on + timedelta(days=400),
            **arguments,
        )
    assert snapshot(record) == before and RetentionKey.objects.count() == keys
    assert not RetentionExtension.objects.exists()


@pytest.mark.clause("P8.4")
@pytest.mark.parametrize(
    ("ref", "days", "message"),
    [("00000000-0000-4000-8000-000000000000", 400, "No retained record"), ("nonsense", 400, "No retained record"),
     (None, 0, "later than the current one"), (None, -5, "later than the current one")],
)  # fmt: skip
def test_extension_of_an_unknown_record_or_to_an_earlier_date_is_refused(
    withdrawn: dict, ref: str | None, days: int, message: str
) -> None:
    record = RetainedRecord.objects.first()
    before = snapshot(record)
    with pytest.raises(RetentionExtensionRefused, match=message):
        extend_retention(
            actor=TEST_SETUP,
            record_ref=ref or record.record_ref, new_destroy_on=record.destroy_on + timedelta(days=days),
            basis_kind="law", basis="Civil Procedure Act art. 344", reference="2026GA1234",
        )  # fmt: skip
    assert snapshot(record) == before and not RetentionExtension.objects.exists()


@pytest.mark.clause("P8.4")
def test_extension_on_a_legal_basis_reseals_the_record_under_its_new_month_key(withdrawn: dict) -> None:
    record = RetainedRecord.objects.select_related("retention_key").order_by("destroy_on").first()
    old_key, old_payload, old_day, values = (
        record.retention_key,
        bytes(record.payload),
        record.destroy_on,
        opened(record),
    )
    new_day = inventory.add_months(old_day, 14)

    extension = extend_retention(
        actor=TEST_SETUP, record_ref=record.record_ref, new_destroy_on=new_day, basis_kind="law",
        basis="Civil Procedure Act art. 344 (court order to preserve evidence)", reference="Seoul 2026GA1234",
    )  # fmt: skip

    record.refresh_from_db()
    assert record.destroy_on == new_day and record.retention_key.month == month_of(new_day) != old_key.month
    assert record.basis == "Civil Procedure Act art. 344 (court order to preserve evidence)"
    assert opened(record)["values"] == values["values"]
    with pytest.raises(DecryptionFailed):  # the new ciphertext does not open under the old month's key
        open_sealed(unwrap_key(old_key), bytes(record.payload), aad=record.record_ref.bytes)
    assert bytes(record.payload) != old_payload
    saved = RetentionExtension.objects.get()
    assert saved == extension and (saved.basis_kind, saved.reference) == ("law", "Seoul 2026GA1234")
    assert (saved.record_ref, saved.old_destroy_on, saved.new_destroy_on) == (record.record_ref, old_day, new_day)
    # Past its old date the record survives the sweep; its old month's key goes once that month is empty.
    sweep_retained_records(today=first_of_next_month(old_day))
    assert opened(record)["values"] == values["values"]


@pytest.mark.clause("P8.4")
def test_extension_on_consent_names_the_consent_event(withdrawn: dict) -> None:
    record = RetainedRecord.objects.first()
    witness = MemberFactory()
    refused = record_consent(member=witness, document="retention-extension", version=None, granted=False, channel="web")
    with pytest.raises(RetentionExtensionRefused, match="does not grant"):
        extend_retention(actor=TEST_SETUP,
                         record_ref=record.record_ref, new_destroy_on=record.destroy_on + timedelta(days=30),
                         basis_kind="consent", basis="", reference="", consent_event_id=refused.pk)  # fmt: skip
    event = record_consent(member=witness, document="retention-extension", version=None, granted=True, channel="web")
    extension = extend_retention(
        actor=TEST_SETUP, record_ref=record.record_ref, new_destroy_on=record.destroy_on + timedelta(days=30),
        basis_kind="consent", basis="", reference="", consent_event_id=event.pk,
    )  # fmt: skip
    assert (extension.basis_kind, extension.reference) == ("consent", f"consent event {event.pk}")
    assert extension.basis == "new consent of the former member"


@pytest.mark.clause("P8.5")
def test_rotation_rewraps_month_keys_and_kept_records_still_open(withdrawn: dict) -> None:
    old_master = load_keyring().current_id
    values = {record.record_ref: opened(record) for record in RetainedRecord.objects.all()}
    call_command("rotate_master_key", "--now", stdout=StringIO())
    new_master = load_keyring().current_id
    assert old_master not in load_keyring().keys
    assert set(RetentionKey.objects.values_list("master_key_id", flat=True)) == {new_master}
    for record in RetainedRecord.objects.all():
        assert opened(record) == values[record.record_ref]


@pytest.mark.clause("P8.5")
def test_a_master_key_still_wrapping_a_month_key_is_not_destroyed(withdrawn: dict) -> None:
    old_master = load_keyring().current_id
    add_master_key()
    rewrap_data_keys()  # member keys moved, month keys not yet
    recompute_blind_indexes()  # no blind index needs the old key either
    assert destroy_expired_master_keys(grace=False) == []
    assert rewrap_model_keys(RetentionKey) == RetentionKey.objects.count() >= 1
    assert destroy_expired_master_keys(grace=False) == [old_master]


@pytest.mark.clause("P8.5")
def test_a_backup_of_a_kept_record_cannot_be_opened_after_the_sweep_and_a_rotation(withdrawn: dict) -> None:
    record = RetainedRecord.objects.order_by("destroy_on").first()
    backup_payload, backup_key_row = bytes(record.payload), RetentionKey.objects.get(pk=record.retention_key_id)
    aad = record.record_ref.bytes
    assert json.loads(open_sealed(unwrap_key(backup_key_row), backup_payload, aad=aad))["user_agent"] == BROWSER

    sweep_retained_records(today=first_of_next_month(record.destroy_on))
    assert not RetentionKey.objects.filter(pk=backup_key_row.pk).exists()
    call_command("rotate_master_key", "--now", stdout=StringIO())

    with pytest.raises(KeyringError, match="does not exist"):
        unwrap_key(backup_key_row)  # the master key that wrapped the month key is gone: so is the record


@pytest.mark.django_db
@pytest.mark.clause("P8.2")
def test_unregister_page_says_what_is_kept_for_how_long_and_why(signed_in: Client) -> None:
    page = signed_in.get("/me/unregister/").content.decode()
    assert "You have no such records today" not in page
    # the two sign-in record items, the five of group orders, their two of delivery confirmations and three of disputes
    assert page.count("data-kept=") == 2 + 5 + 2 + 3
    assert "IP address of each sign-in attempt" in page and "Browser of each sign-in attempt" in page
    assert "3 months from the date of each record" in page
    assert "Protection of Communications Secrets Act, art. 15-2 and its decree art. 41" in page
    assert "Your payments for group orders" in page and "Cancellations of your group orders" in page
    assert "Act on Consumer Protection in Electronic Commerce, art. 6" in page


@pytest.mark.django_db
@pytest.mark.clause("P8.2")
def test_the_rule_table_states_each_period_and_basis() -> None:
    periods = {category: (rule.months, rule.days) for category, rule in inventory.RETENTION_RULES.items()}
    assert periods == {
        "contract and payment records": (60, 0),
        "cancellation records": (60, 0),
        "complaint and dispute records": (36, 0),
        "login records": (3, 0),
    }
    assert all("art." in rule.stored_basis for rule in inventory.RETENTION_RULES.values())
    assert RULE.keep_until(date(2026, 11, 30)) == date(2027, 2, 28)
    assert [rule.category for rule, _ in inventory.kept_after_withdrawal()] == [
        "login records",
        "contract and payment records",
        "cancellation records",
        "complaint and dispute records",
    ]


@pytest.mark.django_db
@pytest.mark.clause("P8.5")
def test_unregister_cost_does_not_grow_with_records_that_are_not_kept() -> None:
    from django.test.utils import CaptureQueriesContext

    from groupket.accounts.services.unregister import unregister_member

    counts = []
    for old_records in (0, 2, 60):  # the first withdrawal also makes this month's key
        member = MemberFactory()
        for index in range(old_records):
            add_record(member, timezone.now() - timedelta(days=120 + index), IP_OLD)
        add_record(member, timezone.now(), IP_NOW)
        with CaptureQueriesContext(connection) as queries:
            unregister_member(member=member, password=DEFAULT_PASSWORD)
        counts.append(len(queries))
        assert not LoginRecord.objects.filter(member_id=member.pk).exists()
    assert counts[1] == counts[2]
    assert RetainedRecord.objects.count() == 3


@pytest.mark.clause("P8.5")
def test_retention_report_prints_counts_by_month_and_the_destruction_log(withdrawn: dict) -> None:
    soonest = RetainedRecord.objects.order_by("destroy_on").first()
    out = StringIO()
    call_command("retention_report", stdout=out)
    text = out.getvalue()
    assert soonest.retention_key.month in text and "login records" in text
    assert f"{'total':<41} {len(withdrawn['kept_ips']):>9}" in text
    sweep_retained_records(today=first_of_next_month(soonest.destroy_on))
    out = StringIO()
    call_command("retention_report", "--last", "5", stdout=out)
    assert "retained rows deleted" in out.getvalue() and "retention month key destroyed" in out.getvalue()
    assert IP_NOW not in out.getvalue() and BROWSER not in out.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the table is partitioned on PostgreSQL only")
def test_the_daily_job_makes_the_partitions_ahead_so_a_withdrawal_makes_none(db: None) -> None:
    today = date(2031, 5, 15)
    made = make_upcoming_retained_partitions(today=today)
    longest = max(rule.months for rule in inventory.RETENTION_RULES.values())
    assert made >= longest and {"2031-05", month_of(add_months(today, longest))} <= set(month_partitions())
    assert make_upcoming_retained_partitions(today=today) == 0  # nothing made twice

    # A record due within the horizon finds its partition: making its key runs no CREATE TABLE, which would lock
    # the whole table until the withdrawal commits.
    with CaptureQueriesContext(connection) as queries:
        open_month_keys({month_of(add_months(today, 12))})
    assert not [query for query in queries.captured_queries if "CREATE TABLE" in query["sql"]]
