"""Staff second factors at rest: the authenticator secret and backup codes are sealed, never plain (P7.7)."""

import importlib
import time
from base64 import b32encode

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from groupket.core.crypto import open_sealed
from groupket.core.keys import open_data_key
from groupket.staff.models import Authenticator, BackupCodes
from tests.factories import MemberFactory
from tests.staff.test_safeguards import code_for, enrol, new_staff

sealing_migration = importlib.import_module("groupket.staff.migrations.0003_sealed_second_factors")


def raw_column(table: str, column: str, member_id: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE user_id = %s", [member_id])  # noqa: S608 - fixed names
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_the_secret_and_the_backup_codes_are_stored_sealed_under_the_staff_members_key(client: Client) -> None:
    staff = new_staff(client)
    codes = enrol(client, staff)
    secret = Authenticator.objects.get(user=staff).secret

    stored_secret = raw_column("staff_authenticator", "secret", staff.pk)
    stored_codes = raw_column("staff_backupcodes", "codes", staff.pk)

    for needle in (secret, secret.hex().encode(), b32encode(secret), b32encode(secret).lower()):
        assert needle not in stored_secret
    assert not any(code.encode() in stored_codes for code in codes)
    key = open_data_key(staff.data_key_id)
    assert open_sealed(key, stored_secret, aad=b"staff.Authenticator.secret") == secret
    assert sorted(open_sealed(key, stored_codes, aad=b"staff.BackupCodes.codes").decode().split()) == codes


@pytest.mark.django_db
@pytest.mark.clause("P7.7")
def test_a_code_from_the_app_opens_once_and_a_backup_code_once(client: Client) -> None:
    staff = new_staff(client)
    codes = enrol(client, staff)
    device = Authenticator.objects.get(user=staff)
    # The step after the one enrolment used, unused so far. Counted from that step, not from now: when enrolment's
    # code was checked just after a step began, the device took the phone to be a step behind (its drift), and
    # now's next step would be out of its window.
    code = code_for(device, device.last_t + 1 - int(time.time()) // device.STEP)

    assert device.verify_token(code)
    device.throttle_reset()
    assert not device.verify_token(code)
    backup = BackupCodes.objects.get(user=staff)
    assert backup.verify_token(codes[3]) and backup.remaining == 9
    backup.throttle_reset()
    assert not BackupCodes.objects.get(user=staff).verify_token(codes[3])


PLAIN_TABLES_SQL = [
    "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id bigint, name varchar(64), confirmed boolean,"
    " key varchar(80), step smallint, t0 bigint, digits smallint, drift smallint, last_t bigint)",
    "CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id bigint, name varchar(64),"
    " confirmed boolean)",
    "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, token varchar(16))",
]


@pytest.fixture
def plain_tables(transactional_db: None):
    """django-otp's plain-text tables as a database made before the sealing migration had them."""
    yield
    with connection.cursor() as cursor:
        for table in sealing_migration.PLAIN_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


# Transactional: SQLite's schema editor cannot run inside the transaction of an ordinary test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.7")
def test_the_migration_seals_enrolments_from_the_plain_tables_and_drops_them(plain_tables) -> None:
    member = MemberFactory()
    secret = bytes(range(20))
    with connection.cursor() as cursor:
        for statement in PLAIN_TABLES_SQL:
            cursor.execute(statement)
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES (1, %s, 'authenticator', %s, %s, 30, 0, 6, 1, 987)",
            [member.pk, True, secret.hex()],
        )
        cursor.execute("INSERT INTO otp_static_staticdevice VALUES (1, %s, 'backup codes', %s)", [member.pk, True])
        cursor.execute("INSERT INTO otp_static_statictoken VALUES (1, 1, 'abcd2345'), (2, 1, 'efgh6789')")

    with connection.schema_editor() as schema_editor:
        sealing_migration.seal_plain_second_factors(apps, schema_editor)

    device = Authenticator.objects.get(user=member)
    assert (device.secret, device.confirmed, device.drift, device.last_t) == (secret, True, 1, 987)
    assert sorted(BackupCodes.objects.get(user=member).codes.split()) == ["abcd2345", "efgh6789"]
    assert not set(sealing_migration.PLAIN_TABLES) & set(connection.introspection.table_names())
