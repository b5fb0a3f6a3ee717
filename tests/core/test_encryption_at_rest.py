"""Personal items at rest are sealed per member; Unregister leaves no readable trace (P7.5, P8.5)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from groupket.accounts.models import Member
from groupket.accounts.services.unregister import unregister_member
from groupket.core.crypto import DecryptionFailed, open_sealed
from groupket.core.keys import open_data_key
from groupket.core.models import DataKey
from tests.factories import DEFAULT_PASSWORD, MemberFactory

SECRETS = {
    "username": "hanbyeol.secret",
    "name": "Hanbyeol Yoon-Secretname",
    "email": "hanbyeol.secret@example.org",
}
OPTIONAL = {"phone": "+821055501234", "bio": "Bakes sourdough on Tuesdays in Mangwon-dong"}


def _needles() -> list[bytes]:
    texts = [*SECRETS.values(), *OPTIONAL.values(), "Secretname", "sourdough"]
    return [text.encode(encoding) for text in texts for encoding in ("utf-8", "utf-16-le", "utf-16-be")]


def _make_member_with_everything() -> Member:
    member = MemberFactory(**SECRETS)
    member.phone, member.bio = OPTIONAL["phone"], OPTIONAL["bio"]
    member.save(update_fields=["phone", "bio"])
    return member


def _raw_database_bytes() -> bytes:
    """Every byte the database keeps on disk for this test database (SQLite file and WAL; PostgreSQL dump and heap)."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 't', 'i') AND pg_relation_filepath(c.oid) IS NOT NULL"
        )
        chunks = []
        for (relpath,) in cursor.fetchall():
            cursor.execute("SELECT pg_read_binary_file(%s)", [relpath])
            chunks.append(bytes(cursor.fetchone()[0]))
    dump = shutil.which("pg_dump")
    if dump:
        settings = connection.settings_dict
        chunks.append(
            subprocess.run(
                [
                    dump,
                    "-h",
                    settings["HOST"] or "127.0.0.1",
                    "-p",
                    str(settings["PORT"] or 5432),
                    "-U",
                    settings["USER"] or "postgres",
                    settings["NAME"],
                ],
                capture_output=True,
                check=True,
            ).stdout
        )
    return b"".join(chunks)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P7.5")
def test_personal_items_are_never_stored_in_plaintext() -> None:
    member = _make_member_with_everything()
    raw = _raw_database_bytes()
    # The reader does see plaintext that is meant to be public: the policy documents.
    assert b"Privacy Policy" in raw
    for needle in _needles():
        assert needle not in raw, f"plaintext found on disk: {needle!r}"
    # ...and yet the member's items read back through their key.
    stored = Member.objects.get(pk=member.pk)
    assert (stored.name, stored.phone, stored.bio) == (SECRETS["name"], OPTIONAL["phone"], OPTIONAL["bio"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
def test_unregistered_member_leaves_no_plaintext_and_no_key_in_database_files() -> None:
    member = _make_member_with_everything()
    data_key_id = member.data_key_id
    sealed_name = bytes(Member.objects.filter(pk=member.pk).values_list("name", flat=True).get())

    unregister_member(member=member, password=DEFAULT_PASSWORD)

    raw = _raw_database_bytes()
    for needle in _needles():
        assert needle not in raw
    assert not DataKey.objects.filter(pk=data_key_id).exists()
    assert not Member.objects.filter(pk=member.pk).exists()
    # A copy of the ciphertext (a backup, a WAL frame) no longer opens: its key is gone.
    with pytest.raises(DataKey.DoesNotExist):
        open_data_key(data_key_id)
    with pytest.raises(DecryptionFailed):
        open_sealed(b"\x00" * 32, sealed_name, aad=b"accounts.Member.name")


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_each_member_has_their_own_key_and_values_are_bound_to_their_column() -> None:
    first, second = MemberFactory(), MemberFactory()
    assert first.data_key_id != second.data_key_id
    assert open_data_key(first.data_key_id) != open_data_key(second.data_key_id)
    sealed_name = bytes(Member.objects.filter(pk=first.pk).values_list("name", flat=True).get())
    # The name's ciphertext does not open as another column, nor under another member's key.
    with pytest.raises(DecryptionFailed):
        open_sealed(open_data_key(first.data_key_id), sealed_name, aad=b"accounts.Member.bio")
    with pytest.raises(DecryptionFailed):
        open_sealed(open_data_key(second.data_key_id), sealed_name, aad=b"accounts.Member.name")


@pytest.mark.django_db
def test_a_sealed_item_of_a_row_read_in_part_is_loaded_when_read() -> None:
    member = MemberFactory(**SECRETS)
    partial = Member.objects.only("pk", "data_key_id").get(pk=member.pk)
    assert partial.name == SECRETS["name"]
    assert partial.email == SECRETS["email"]
