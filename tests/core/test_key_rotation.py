"""Master-key rotation re-wraps member keys and blind indexes, then destroys the old key (P7.5, P8.5)."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.core import keys
from groupket.core.keyring import load_keyring
from groupket.core.models import DataKey
from groupket.core.rotation import destroy_expired_master_keys
from tests.factories import DEFAULT_PASSWORD, MemberFactory


def _keyring_on_disk() -> dict:
    return json.loads(settings.GROUPKET_KEYRING_FILE.read_text())


@pytest.mark.django_db
def test_keyring_file_is_private_and_outside_the_database() -> None:
    MemberFactory()
    mode = settings.GROUPKET_KEYRING_FILE.stat().st_mode & 0o777
    assert mode == 0o600
    assert len(_keyring_on_disk()["keys"]) == 1


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_rotation_rewraps_keys_and_indexes_and_members_still_sign_in() -> None:
    members = [MemberFactory() for _ in range(3)]
    old_key_id = load_keyring().current_id
    old_indexes = set(Member.objects.values_list("username_index", flat=True))

    out = StringIO()
    call_command("rotate_master_key", stdout=out)

    new_key_id = load_keyring().current_id
    assert new_key_id != old_key_id
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new_key_id}
    assert old_indexes.isdisjoint(Member.objects.values_list("username_index", flat=True))
    assert "3 data keys re-wrapped" in out.getvalue()
    # The progress bar's last frame is full: every unit of work it counted was done.
    last_frame = out.getvalue().split("\r")[-1].splitlines()[0]
    assert re.fullmatch(r"rotating \[#{30}\] (\d+)/\1", last_frame), last_frame
    # The old key lives on through the grace period.
    assert old_key_id in _keyring_on_disk()["keys"]
    keys._opened.clear()
    for member in members:
        assert authenticate(username=member.username.upper(), password=DEFAULT_PASSWORD) == member
        assert Member.objects.with_email(member.email).get() == member


@pytest.mark.django_db
@pytest.mark.clause("P8.5")
def test_old_master_key_is_destroyed_after_the_grace_period_only() -> None:
    MemberFactory()
    old_key_id = load_keyring().current_id
    call_command("rotate_master_key", stdout=StringIO())
    assert destroy_expired_master_keys(now=timezone.now() + timedelta(hours=23)) == []
    assert destroy_expired_master_keys(now=timezone.now() + timedelta(hours=25)) == [old_key_id]
    assert old_key_id not in _keyring_on_disk()["keys"]


@pytest.mark.django_db
@pytest.mark.clause("P8.5")
def test_backup_taken_before_unregister_cannot_be_opened_after_rotation_with_now() -> None:
    from groupket.accounts.services.unregister import unregister_member

    member = MemberFactory(name="Backup Subject")
    backup_key_row = DataKey.objects.get(pk=member.data_key_id)  # what a backup holds
    unregister_member(member=member, password=DEFAULT_PASSWORD)
    call_command("rotate_master_key", "--now", stdout=StringIO())
    keys._opened.clear()
    with pytest.raises(Exception, match="does not exist"):
        keys._unwrap(backup_key_row)
