"""Tampering with the staff access log in the database is caught, and the row or anchor is named (P7.8).

Each test changes the database directly, bypassing the services, as someone holding only the database
would: an edit, a recomputed chain, an inserted row, a deleted middle, newest or oldest row. The MAC key
and the checkpoints live in files beside the keyring, outside their reach.
"""

import hashlib
import importlib
import json
import os
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from groupket.core import keyring, rotation
from groupket.staff import access_anchors, access_keys
from groupket.staff.access_chain import GENESIS_HASH, canonical, row_mac
from groupket.staff.models import AccessLogEntry
from groupket.staff.services.access_log import (
    MEMBER_REQUEST,
    checkpoint_access_log,
    log_member_view,
    purge_old_access_log,
    verify_access_log,
)
from tests.conftest import make_staff
from tests.factories import MemberFactory

LOGGER = "groupket.staff.services.access_log"


def log_views(count: int, *, staff=None, member=None) -> list[AccessLogEntry]:
    staff = staff or make_staff("support_handler")
    member = member or MemberFactory()
    return [
        log_member_view(
            staff=staff,
            member_id=member.pk,
            items=["username"],
            reason=MEMBER_REQUEST,
            reference=f"R-{n}",
            ip_address="10.20.3.4",
        )
        for n in range(count)
    ]


def delete_rows(*pks: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM staff_accesslogentry WHERE id IN ({', '.join(['%s'] * len(pks))})", pks)


def verify_command(*args: str) -> str:
    out = StringIO()
    call_command("verify_access_log", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_each_row_is_numbered_and_keyed_under_a_key_kept_outside_the_database(settings) -> None:
    first, second = log_views(2)

    assert (first.sequence, second.sequence) == (1, 2)
    assert first.previous_hash == GENESIS_HASH and second.previous_hash == first.entry_hash
    master = keyring.load_keyring().current
    assert first.key_id == second.key_id == master.key_id
    # Not a plain hash anyone could recompute: an HMAC under the derived key.
    assert first.entry_hash != hashlib.sha256(canonical(first)).hexdigest()
    assert first.entry_hash == row_mac(first, access_keys.derive_key(master))
    keys_file = Path(settings.GROUPKET_KEYRING_FILE).parent / "access_log_keys.json"
    assert access_keys.keys_path() == keys_file
    assert stat.S_IMODE(os.stat(keys_file).st_mode) == 0o600
    assert master.secret.hex() not in keys_file.read_text()
    assert verify_access_log() is None


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_an_edited_row_is_named_and_the_command_exits_1() -> None:
    entries = log_views(4)
    AccessLogEntry.objects.filter(pk=entries[2].pk).update(reference="nothing to see")

    broken = verify_access_log()

    assert (broken.row, broken.sequence) == (entries[2].pk, 3)
    assert "MAC does not match" in broken.reason
    with pytest.raises(CommandError, match=f"broken at row {entries[2].pk} \\(sequence 3\\)") as error:
        verify_command()
    assert error.value.returncode == 1


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_an_edit_with_the_whole_chain_recomputed_is_still_named_at_the_edited_row() -> None:
    """Recomputing every link as main's unkeyed SHA-256 chain allowed no longer passes: the key is not there."""
    entries = log_views(4)
    previous = entries[0].entry_hash
    for entry in AccessLogEntry.objects.filter(sequence__gte=2).order_by("sequence"):
        entry.member_ref = 999_999 if entry.sequence == 2 else entry.member_ref
        entry.previous_hash = previous
        entry.entry_hash = previous = hashlib.sha256(canonical(entry)).hexdigest()
        AccessLogEntry.objects.filter(pk=entry.pk).update(
            member_ref=entry.member_ref, previous_hash=entry.previous_hash, entry_hash=entry.entry_hash
        )

    broken = verify_access_log()

    assert (broken.row, broken.sequence) == (entries[1].pk, 2)


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_an_inserted_row_is_named() -> None:
    entries = log_views(3)
    last = entries[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO staff_accesslogentry (sequence, key_id, staff_ref, member_ref, items, reason, reference,"
            " ip_address, created_at, previous_hash, entry_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [4, last.key_id, last.staff_ref, 424242, json.dumps(["email"]), MEMBER_REQUEST, "", "10.0.0.1",
             timezone.now(), last.entry_hash, hashlib.sha256(b"forged").hexdigest()],
        )  # fmt: skip
    inserted = AccessLogEntry.objects.get(sequence=4)

    broken = verify_access_log()

    assert (broken.row, broken.sequence) == (inserted.pk, 4)
    assert "inserted" in broken.reason


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_deleted_middle_row_is_named_at_the_row_after_the_gap() -> None:
    entries = log_views(4)
    delete_rows(entries[1].pk)

    broken = verify_access_log()

    assert (broken.row, broken.sequence) == (entries[2].pk, 3)
    assert "sequence 2 to 2" in broken.reason


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_deleted_oldest_row_minutes_old_is_named_at_the_new_oldest_row() -> None:
    entries = log_views(3)
    delete_rows(entries[0].pk)

    broken = verify_access_log()

    assert (broken.row, broken.sequence) == (entries[1].pk, 2)
    assert "must begin at sequence 1" in broken.reason


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_deleted_newest_rows_are_caught_against_the_head_checkpoint() -> None:
    entries = log_views(4)
    assert checkpoint_access_log() == 1
    head = access_anchors.read_anchor(access_anchors.HEAD)
    assert (head.sequence, head.entry_hash) == (4, entries[-1].entry_hash)
    delete_rows(entries[2].pk, entries[3].pk)

    broken = verify_access_log()

    assert broken.row is None and broken.anchor == head.describe() and broken.sequence == 4
    assert "newest rows are missing" in broken.reason
    # The next checkpoint refuses to overwrite the evidence, and says why in the log.
    assert checkpoint_access_log() == 0
    assert access_anchors.read_anchor(access_anchors.HEAD) == head


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_newest_row_deleted_after_the_checkpoint_is_caught_against_the_application_log(
    caplog, django_capture_on_commit_callbacks, tmp_path
) -> None:
    caplog.set_level("INFO", logger=LOGGER)
    with django_capture_on_commit_callbacks(execute=True):
        entries = log_views(3)
    lines = [record.getMessage() for record in caplog.records if record.name == LOGGER]
    assert lines[-1] == f"access log append sequence=3 head={entries[-1].entry_hash} key={entries[-1].key_id}"
    app_log = tmp_path / "groupket.log"
    app_log.write_text("\n".join(f"2026-12-01 INFO {line}" for line in lines) + "\n")
    assert "access log intact: 3 rows" in verify_command("--app-log", str(app_log))
    delete_rows(entries[-1].pk)

    assert verify_access_log() is None  # no checkpoint yet: the database alone cannot tell
    broken = verify_access_log(app_log=lines)
    assert broken.anchor == "the application log's append of sequence 3" and broken.sequence == 3
    with pytest.raises(CommandError, match="application log's append of sequence 3"):
        verify_command("--app-log", str(app_log))


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_forged_checkpoint_file_is_named() -> None:
    log_views(2)
    checkpoint_access_log()
    path = access_anchors.checkpoint_path()
    anchors = json.loads(path.read_text())
    anchors["head"]["sequence"] = 1  # pretend the checkpoint saw less than it did
    path.write_text(json.dumps(anchors))

    broken = verify_access_log()

    assert broken.anchor == str(path) and "does not match its signature" in broken.reason


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_purge_signs_where_the_chain_now_begins_so_it_is_no_deleted_start() -> None:
    staff, member = make_staff("support_handler"), MemberFactory()
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=25 * 31)):
        old = log_views(2, staff=staff, member=member)
    kept = log_views(3, staff=staff)
    checkpoint_access_log()

    assert purge_old_access_log() == 2

    start = access_anchors.read_anchor(access_anchors.START)
    assert (start.sequence, start.entry_hash) == (3, old[-1].entry_hash)
    assert verify_access_log() is None
    assert "access log intact: 3 rows" in verify_command()
    # New rows carry on the same sequence, and a deleted start is still caught after the purge.
    assert log_views(1, staff=staff)[0].sequence == 6
    delete_rows(kept[0].pk)
    broken = verify_access_log()
    assert (broken.row, broken.sequence) == (kept[1].pk, 4) and "must begin at sequence 3" in broken.reason
    # A purge refuses while the chain is broken: it would sign the deletion away.
    assert purge_old_access_log() == 0 and access_anchors.read_anchor(access_anchors.START) == start


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_purge_of_every_row_keeps_the_sequence_and_the_head_checkpoint_still_agrees() -> None:
    staff, member = make_staff("support_handler"), MemberFactory()
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=25 * 31)):
        old = log_views(2, staff=staff, member=member)
        checkpoint_access_log()
    assert purge_old_access_log() == 2
    assert not AccessLogEntry.objects.exists()
    assert verify_access_log() is None

    fresh = log_views(1)[0]

    assert (fresh.sequence, fresh.previous_hash) == (3, old[-1].entry_hash)
    assert verify_access_log() is None


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_rows_under_a_destroyed_master_key_still_verify_until_the_purge_forgets_their_key() -> None:
    staff, member = make_staff("support_handler"), MemberFactory()
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=25 * 31)):
        old = log_views(2, staff=staff, member=member)
    old_key = old[0].key_id
    rotation.rotate_master_key(destroy_now=True)
    assert old_key not in keyring.load_keyring().keys  # the master key is gone (P8.5) ...
    new = log_views(2, staff=staff)
    assert new[0].key_id == keyring.load_keyring().current_id != old_key
    assert verify_access_log() is None  # ... yet its rows verify under their access-log key

    purge_old_access_log()

    assert set(access_keys.all_keys()) == {new[0].key_id}
    assert verify_access_log() is None


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_a_row_whose_key_was_removed_from_the_keys_file_is_named() -> None:
    entries = log_views(2)
    access_keys.keys_path().write_text("{}")

    broken = verify_access_log()

    assert broken.row == entries[0].pk and "not in the access-log keys file" in broken.reason


def legacy_rows(count: int) -> list[AccessLogEntry]:
    """Rows as main's unkeyed SHA-256 chain wrote them (sequence and key still to be filled by 0005)."""
    previous, rows = GENESIS_HASH, []
    for n in range(count):
        row = AccessLogEntry(
            sequence=1000 + n,  # placeholders: 0004 adds the column empty
            key_id="",
            staff_ref=1,
            member_ref=2,
            items=["username"],
            reason=MEMBER_REQUEST,
            reference=f"OLD-{n}",
            ip_address="10.0.0.9",
            created_at=timezone.now(),
            previous_hash=previous,
        )
        row.entry_hash = previous = reseal_migration._legacy_hash(row)
        row.save(force_insert=True)
        rows.append(row)
    return rows


reseal_migration = importlib.import_module("groupket.staff.migrations.0005_reseal_access_log")


@pytest.mark.django_db
@pytest.mark.clause("P7.8")
def test_the_migration_reseals_an_intact_sha256_chain_and_refuses_a_broken_one() -> None:
    rows = legacy_rows(3)

    reseal_migration.reseal(apps, None)

    resealed = list(AccessLogEntry.objects.order_by("sequence"))
    assert [(row.pk, row.sequence) for row in resealed] == [(row.pk, n) for n, row in enumerate(rows, start=1)]
    assert verify_access_log() is None
    AccessLogEntry.objects.all().delete()
    rows = legacy_rows(3)
    AccessLogEntry.objects.filter(pk=rows[1].pk).update(reference="changed")
    with pytest.raises(RuntimeError, match=f"access log row {rows[1].pk} breaks the old SHA-256 chain"):
        reseal_migration.reseal(apps, None)
