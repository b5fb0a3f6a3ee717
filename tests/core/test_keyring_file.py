"""The keyring file under concurrent writers and crashes: no master key is ever lost (P8.5)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate

from groupket.core import keys
from groupket.core.keyring import Keyring, add_master_key, load_keyring
from groupket.core.models import DataKey
from tests.core.keys_worker import start_worker
from tests.factories import DEFAULT_PASSWORD, MemberFactory


def _run_against_each_other(maker: list[str], destroyer: list[str], tmp_path: Path) -> tuple[list[str], set[str]]:
    """Run the maker to its end while the destroyer loops; the keys made, in order, and the keys destroyed."""
    stop_file = tmp_path / "stop"
    destroying = start_worker(*destroyer, str(stop_file))
    making = start_worker(*maker)
    made_out, made_err = making.communicate(timeout=300)
    stop_file.touch()
    destroyed_out, destroyed_err = destroying.communicate(timeout=60)
    assert (making.returncode, destroying.returncode) == (0, 0), made_err + destroyed_err
    made = [line.split()[1] for line in made_out.splitlines() if line.startswith("made ")]
    return made, {line.split()[1] for line in destroyed_out.splitlines() if line.startswith("destroyed ")}


def _assert_no_key_lost(first_key_id: str, made: list[str], destroyed: set[str]) -> Keyring:
    ring = Keyring.from_json(settings.GROUPKET_KEYRING_FILE.read_text())
    assert ring.current_id == made[-1]
    # Every key ever made is still there, or was destroyed on purpose: none vanished in a lost update.
    assert set(ring.keys) | destroyed == {first_key_id, *made}
    assert not set(ring.keys) & destroyed
    return ring


@pytest.mark.clause("P8.5")
def test_keyring_writers_in_two_processes_never_lose_a_key(tmp_path: Path) -> None:
    """The keyring half of rotation (add a key) against the keyring half of destroy, as fast as they go."""
    first = load_keyring().current_id
    made, destroyed = _run_against_each_other(["add-keys", "100"], ["remove-retired-until"], tmp_path)
    assert len(made) == 100
    _assert_no_key_lost(first, made, destroyed)
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("P8.5")
def test_rotation_and_the_destroy_job_in_two_processes_never_lose_a_key(tmp_path: Path) -> None:
    members = [MemberFactory() for _ in range(2)]
    first = load_keyring().current_id
    made, destroyed = _run_against_each_other(["rotate-many", "20"], ["destroy-until"], tmp_path)
    ring = _assert_no_key_lost(first, made, destroyed)
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {ring.current_id}
    keys._opened.clear()
    for member in members:
        assert authenticate(username=member.username, password=DEFAULT_PASSWORD) == member


def test_the_keyring_file_and_its_lock_are_private(tmp_path: Path) -> None:
    load_keyring()
    add_master_key()
    keyring_file = settings.GROUPKET_KEYRING_FILE
    lock_file = keyring_file.with_name(keyring_file.name + ".lock")
    assert keyring_file.stat().st_mode & 0o777 == 0o600
    assert lock_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.clause("P8.5")
def test_a_writer_killed_before_its_rename_leaves_no_copy_of_the_keys_behind(tmp_path: Path) -> None:
    """A temporary file holds every key; the next write removes what a killed writer left."""
    doomed = load_keyring().current_id
    keyring_file = settings.GROUPKET_KEYRING_FILE
    leftover = keyring_file.with_name(f".{keyring_file.name}.killed.tmp")
    leftover.write_text(keyring_file.read_text())
    legacy = keyring_file.with_suffix(".tmp")  # the fixed name of earlier versions
    legacy.write_text(keyring_file.read_text())
    add_master_key()
    assert not leftover.exists() and not legacy.exists()
    assert all(doomed not in path.read_text() for path in tmp_path.iterdir() if path.is_file() and path != keyring_file)
    assert json.loads(keyring_file.read_text())["current"] != doomed


def test_a_keyring_from_the_environment_is_parsed_once(settings: pytest.FixtureRequest) -> None:
    text = add_master_key().to_json()
    settings.GROUPKET_KEYRING = text
    first = load_keyring()
    assert load_keyring() is first  # not parsed again on every key lookup
    assert first.to_json() == text
    other = Keyring.from_json(text)
    other.current_id = next(iter(other.retired())).key_id
    settings.GROUPKET_KEYRING = other.to_json()
    assert load_keyring().current_id == other.current_id
