"""core.rows writes a row as save() would, with its statement made once per process."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.utils import timezone

from groupket.accounts.models import LoginRecord, Member, SignIn
from groupket.accounts.session_store import SessionStore
from groupket.core.rows import insert_row, insert_rows, update_row
from tests.factories import MemberFactory


def _raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db
def test_an_inserted_row_gets_its_key_its_defaults_and_its_sealed_columns() -> None:
    member = MemberFactory()
    record = LoginRecord(
        member_id=member.pk, data_key_id=member.data_key_id, succeeded=True, ip_address="203.0.113.9", user_agent="UA"
    )
    with CaptureQueriesContext(connection) as queries:
        insert_row(record)
    assert len(queries) == 1
    assert record.pk is not None
    assert not record._state.adding
    stored = LoginRecord.objects.get(pk=record.pk)
    assert stored.ip_address == "203.0.113.9"
    assert stored.user_agent == "UA"
    assert abs(stored.created_at - timezone.now()) < timedelta(minutes=1)
    # Sealed under the member's key, never the address itself.
    assert b"203.0.113.9" not in _raw("accounts_loginrecord", "ip_address", record.pk)


@pytest.mark.django_db
def test_a_row_whose_key_the_model_makes_is_inserted_with_it() -> None:
    session = Session(session_key="k" * 32, session_data="data", expire_date=timezone.now() + timedelta(days=1))
    insert_row(session)
    assert Session.objects.get(pk="k" * 32).session_data == "data"


def _sign_in_rows(member: Member, session_key: str) -> tuple[LoginRecord, SignIn, Session]:
    record = LoginRecord(
        member_id=member.pk, data_key_id=member.data_key_id, succeeded=True, ip_address="203.0.113.9", user_agent="UA"
    )
    listing = SignIn(member=member, data_key_id=member.data_key_id, session_key=session_key, user_agent="UA")
    session = Session(session_key=session_key, session_data="data", expire_date=timezone.now() + timedelta(days=1))
    return record, listing, session


@pytest.mark.django_db
def test_rows_inserted_together_get_their_keys_in_one_statement_on_postgresql() -> None:
    member = MemberFactory()
    record, listing, session = _sign_in_rows(member, "t" * 32)
    with CaptureQueriesContext(connection) as queries:
        insert_rows(record, listing, session)
    # PostgreSQL: one statement, a transaction by itself. Elsewhere one each, in a transaction (inside the test's
    # own: no savepoint).
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert record.pk is not None and not record._state.adding and not listing._state.adding
    assert LoginRecord.objects.get(pk=record.pk).ip_address == "203.0.113.9"
    assert SignIn.objects.get(pk=listing.pk).session_key == "t" * 32
    assert Session.objects.get(pk="t" * 32).session_data == "data"
    assert b"203.0.113.9" not in _raw("accounts_loginrecord", "ip_address", record.pk)


@pytest.mark.django_db
def test_rows_inserted_together_are_all_written_or_none() -> None:
    member = MemberFactory()
    Session.objects.create(session_key="u" * 32, session_data="taken", expire_date=timezone.now())
    record, listing, session = _sign_in_rows(member, "u" * 32)
    # The session's key is taken: the statement fails, and the record and the listing before it are not written.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(record, listing, session)
    assert not LoginRecord.objects.filter(member=member).exists()
    assert not SignIn.objects.filter(member=member).exists()
    assert Session.objects.get(pk="u" * 32).session_data == "taken"


@pytest.mark.django_db
def test_an_update_writes_only_the_named_fields_and_says_whether_the_row_was_there() -> None:
    member = MemberFactory(name="Before")
    at = timezone.now() - timedelta(days=3)
    member.password_reminder_snoozed_until, member.name = at, "Not written"
    assert update_row(member, fields=("password_reminder_snoozed_until",)) is True
    stored = Member.objects.get(pk=member.pk)
    assert stored.password_reminder_snoozed_until == at
    assert stored.name == "Before"

    gone = Member.objects.get(pk=member.pk)
    Member.objects.filter(pk=member.pk).delete()
    assert update_row(gone, fields=("password_reminder_snoozed_until",)) is False


@isolate_apps("tests")
def test_a_column_the_database_fills_is_refused_rather_than_written_wrong() -> None:
    class Counted(models.Model):
        number = models.IntegerField(db_default=1)

        class Meta:
            app_label = "tests"

    with pytest.raises(NotImplementedError, match="Counted.number"):
        insert_row(Counted())


@pytest.mark.django_db
def test_the_session_store_says_when_its_row_is_gone_or_its_key_is_taken() -> None:
    store = SessionStore()
    store["seen"] = 1
    store.save()
    Session.objects.filter(pk=store.session_key).delete()
    store["seen"] = 2
    with pytest.raises(UpdateError):
        store.save()

    first = SessionStore()
    first["a"] = 1
    first.save()
    clash = SessionStore()
    clash._get_new_session_key = lambda: first.session_key
    clash["b"] = 2
    # In a savepoint: on PostgreSQL the failed insert aborts the transaction it runs in, as it should.
    with pytest.raises(CreateError), transaction.atomic():
        clash.save()
    assert SessionStore(first.session_key).load() == {"a": 1}
