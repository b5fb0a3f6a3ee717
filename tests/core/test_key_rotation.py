"""Master-key rotation re-wraps member keys and blind indexes, then destroys the old key (P7.5, P8.5)."""

import json
import re
import signal
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.accounts.normalise import normalise_username_key
from groupket.core import blind_index, keys
from groupket.core.keyring import load_keyring, rotation_lock
from groupket.core.models import DataKey
from groupket.core.rotation import destroy_expired_master_keys, interrupted_rotation
from tests.core.keys_worker import start_worker
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


# --- Interrupted rotations (P8.5) -------------------------------------------------------------------------------

SIGNUP = {
    "name": "Second Comer",
    "email": "second.comer@example.org",
    "password1": "blue9harbor-Lamp",
    "password2": "blue9harbor-Lamp",
    "agree_terms": "agree",
    "agree_privacy": "agree",
}


def _interrupt_rotation(how: str, *, wrapped_rows: int) -> None:
    """Start a rotation in another process and stop it: a failure after re-wrap, or SIGKILL mid-way."""
    if how == "failure after re-wrap":
        worker = start_worker("rotate-failing-after-rewrap")
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode != 0 and "forced failure after re-wrap" in err
        return
    # One row per batch: kill after the first re-wrapped key, or after the first re-indexed row.
    kill_at = 1 if how == "SIGKILL while re-wrapping" else wrapped_rows + 1
    worker = start_worker("rotate-slowly")
    for line in worker.stdout:
        if line.startswith("tick ") and int(line.split()[1]) >= kill_at:
            worker.send_signal(signal.SIGKILL)
            break
    worker.wait(timeout=120)
    assert worker.returncode == -signal.SIGKILL, worker.stderr.read()


def _second_signup_with_the_same_id(member: Member) -> None:
    client = Client()
    before = Member.objects.count()
    response = client.post("/accounts/signup/", {**SIGNUP, "username": member.username.upper()})
    assert Member.objects.count() == before
    assert "username" in response.context["form"].errors


def _members_sign_in_by_id_and_ids_stay_unique(members: list[Member]) -> None:
    keys._opened.clear()  # as a freshly started web process sees it
    for member in members:
        assert authenticate(username=member.username.upper(), password=DEFAULT_PASSWORD) == member
    _second_signup_with_the_same_id(members[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
@pytest.mark.parametrize("how", ["failure after re-wrap", "SIGKILL while re-wrapping", "SIGKILL while re-indexing"])
def test_an_interrupted_rotation_keeps_the_old_key_through_the_destroy_job_and_resumes(how: str) -> None:
    members = [MemberFactory() for _ in range(4)]
    old_key_id = load_keyring().current_id
    _interrupt_rotation(how, wrapped_rows=DataKey.objects.count())
    new_key_id = load_keyring().current_id
    assert new_key_id != old_key_id

    # The scheduled destroy, a day after the grace period: blind indexes may still need the old key.
    assert destroy_expired_master_keys(now=timezone.now() + timedelta(hours=48)) == []
    assert old_key_id in load_keyring().keys
    _members_sign_in_by_id_and_ids_stay_unique(members)

    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    assert f"resuming the interrupted rotation to master key {new_key_id}" in out.getvalue()
    assert f"finished the interrupted rotation to master key {new_key_id}" in out.getvalue()
    assert load_keyring().current_id == new_key_id  # resumed, not a third key
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new_key_id}
    new_master = load_keyring().current
    for member in Member.objects.all():
        assert member.username_index == blind_index.compute(
            "username", normalise_username_key(member.username), master=new_master
        )

    assert destroy_expired_master_keys(now=timezone.now() + timedelta(hours=48)) == [old_key_id]
    _members_sign_in_by_id_and_ids_stay_unique(members)
    assert interrupted_rotation() is None


@pytest.mark.django_db
def test_a_finished_rotation_is_not_resumed_and_the_next_one_makes_a_new_key() -> None:
    MemberFactory()
    call_command("rotate_master_key", stdout=StringIO())
    first = load_keyring().current_id
    assert interrupted_rotation() is None
    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "resuming" not in out.getvalue()
    assert load_keyring().current_id != first


@pytest.mark.django_db
def test_two_rotations_never_run_at_once() -> None:
    with rotation_lock(), pytest.raises(SystemExit):
        call_command("rotate_master_key", stdout=StringIO(), stderr=(err := StringIO()))
    assert "a rotation is already running" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.clause("P7.5")
def test_a_prepared_rotation_rewraps_nothing_until_run_again_and_members_sign_in_throughout() -> None:
    """Several nodes: the new keyring is installed everywhere between --prepare and the re-wrapping run."""
    members = [MemberFactory() for _ in range(2)]
    old_key_id = load_keyring().current_id
    out = StringIO()
    call_command("rotate_master_key", "--prepare", stdout=out)
    new_key_id = load_keyring().current_id
    assert new_key_id != old_key_id
    assert f"prepared master key {new_key_id}" in out.getvalue()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {old_key_id}
    assert interrupted_rotation() == new_key_id
    keys._opened.clear()
    assert authenticate(username=members[0].username, password=DEFAULT_PASSWORD) == members[0]
    with pytest.raises(SystemExit):
        call_command("rotate_master_key", "--prepare", stdout=StringIO(), stderr=StringIO())

    out = StringIO()
    call_command("rotate_master_key", stdout=out)

    assert f"finished the interrupted rotation to master key {new_key_id}" in out.getvalue()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new_key_id}
    assert interrupted_rotation() is None
    keys._opened.clear()
    for member in members:
        assert authenticate(username=member.username, password=DEFAULT_PASSWORD) == member
