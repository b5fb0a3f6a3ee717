"""Master keys, kept outside the database (P7.5, P8.5).

The keyring is a JSON document: the id of the current master key and every master
key that still exists, each with its creation time and, once rotated out, the time
it was retired. It lives in a 0600 file (GROUPKET_KEYRING_FILE, created on first
use) or, read-only, in the GROUPKET_KEYRING environment variable.

Every change of the file is a read-modify-write under an exclusive lock on the
lock file beside it (a rotation racing the hourly destroy must not lose the new
key, which would lose every member's data), written to a unique temporary file
that is synced and renamed over the keyring, then the folder synced.
"""

import base64
import functools
import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from groupket.core.crypto import new_key
from groupket.core.files import LockHeld, exclusive_lock, replace_durably


class KeyringError(Exception):
    """The keyring is missing a key, or cannot be changed where it is kept."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    secret: bytes = field(repr=False)
    created: datetime
    retired: datetime | None = None

    @functools.cached_property
    def index_key(self) -> bytes:
        """The HMAC key of blind indexes computed under this master key (derived once per loaded keyring)."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"groupket blind index").derive(self.secret)


@dataclass
class Keyring:
    current_id: str
    keys: dict[str, MasterKey]

    @property
    def current(self) -> MasterKey:
        return self.keys[self.current_id]

    def get(self, key_id: str) -> MasterKey:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyringError(f"master key {key_id!r} does not exist (destroyed or never made)") from None

    def retired(self) -> list[MasterKey]:
        return [key for key in self.keys.values() if key.key_id != self.current_id]

    def to_json(self) -> str:
        return json.dumps(
            {
                "current": self.current_id,
                "keys": {
                    key.key_id: {
                        "secret": base64.b64encode(key.secret).decode(),
                        "created": key.created.isoformat(),
                        "retired": key.retired.isoformat() if key.retired else None,
                    }
                    for key in self.keys.values()
                },
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> "Keyring":
        raw = json.loads(text)
        keys = {
            key_id: MasterKey(
                key_id=key_id,
                secret=base64.b64decode(entry["secret"]),
                created=datetime.fromisoformat(entry["created"]),
                retired=datetime.fromisoformat(entry["retired"]) if entry.get("retired") else None,
            )
            for key_id, entry in raw["keys"].items()
        }
        if raw["current"] not in keys:
            raise KeyringError(f"the current master key {raw['current']!r} is not in the keyring")
        return cls(current_id=raw["current"], keys=keys)


def _new_master_key() -> MasterKey:
    now = timezone.now()
    key_id = f"mk-{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    return MasterKey(key_id=key_id, secret=new_key(), created=now)


_file_cache: dict[tuple[str, int, int, int], Keyring] = {}


def _keyring_path() -> Path:
    return Path(settings.GROUPKET_KEYRING_FILE)


@functools.lru_cache(maxsize=4)
def _parse_environment(text: str) -> Keyring:
    """GROUPKET_KEYRING never changes while the process runs: parse it once (keyed by its text for tests)."""
    return Keyring.from_json(text)


def load_keyring() -> Keyring:
    """The keyring in force; a rotation by another process is seen at the next call."""
    if settings.GROUPKET_KEYRING:
        return _parse_environment(settings.GROUPKET_KEYRING)
    path = _keyring_path()
    if not path.exists():
        _change_keyring(lambda keyring: keyring)  # makes the first master key, once, under the lock
    # Stamp and text come from one open file: a rename by another process replaces the inode, never its text.
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        stamp = (str(path), info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp not in _file_cache:
            keyring = Keyring.from_json(handle.read().decode())
            _file_cache.clear()
            _file_cache[stamp] = keyring
    return _file_cache[stamp]


def _refuse_environment() -> None:
    if settings.GROUPKET_KEYRING:
        raise KeyringError(
            "the keyring comes from GROUPKET_KEYRING and cannot be changed here; "
            "rotate with GROUPKET_KEYRING_FILE and install the new keyring"
        )


@contextmanager
def _locked(lock_path: Path, *, wait: bool = True) -> Iterator[None]:
    """An exclusive flock on lock_path; without wait, KeyringError when another process holds it."""
    try:
        with exclusive_lock(lock_path, wait=wait):
            yield
    except LockHeld:
        raise KeyringError(f"another process holds {lock_path.name}: a rotation is already running") from None


def rotation_lock() -> AbstractContextManager[None]:
    """Held through a whole rotation, beside the keyring, so two rotations never run at once."""
    path = _keyring_path()
    return _locked(path.with_name(path.name + ".rotation.lock"), wait=False)


def _temporary_files(path: Path) -> list[Path]:
    # Also the fixed name that earlier versions wrote through.
    return [*path.parent.glob(f".{path.name}.*.tmp"), path.with_suffix(".tmp")]


def _write_locked(path: Path, keyring: Keyring) -> None:
    """Replace the keyring file whole and durably; the caller holds the lock."""
    # A writer killed before its rename leaves a full copy of the keys behind: destroyed keys must not live on there.
    for leftover in _temporary_files(path):
        leftover.unlink(missing_ok=True)
    replace_durably(path, keyring.to_json())
    _file_cache.clear()


def _change_keyring(change: Callable[[Keyring], Keyring]) -> Keyring:
    """Read, change and rewrite the keyring file under the lock, so no concurrent change is lost."""
    _refuse_environment()
    path = _keyring_path()
    # Every writer holds this lock from its read to its rename.
    with _locked(path.with_name(path.name + ".lock")):
        if path.exists():
            before = Keyring.from_json(path.read_text())
        else:
            first = _new_master_key()
            before = Keyring(current_id=first.key_id, keys={first.key_id: first})
        after = change(before)
        if after is not before or not path.exists():
            _write_locked(path, after)
    return after


def add_master_key() -> Keyring:
    """Make a new current master key and retire the one before it."""

    def add(keyring: Keyring) -> Keyring:
        now = timezone.now()
        fresh = _new_master_key()
        keys = {
            key_id: key if key.retired else MasterKey(key.key_id, key.secret, key.created, now)
            for key_id, key in keyring.keys.items()
        }
        keys[fresh.key_id] = fresh
        return Keyring(current_id=fresh.key_id, keys=keys)

    return _change_keyring(add)


def remove_master_keys(key_ids: list[str]) -> None:
    """Destroy retired master keys: what they wrapped can never be opened again."""

    def remove(keyring: Keyring) -> Keyring:
        if keyring.current_id in key_ids:
            raise KeyringError(f"the current master key {keyring.current_id!r} cannot be destroyed")
        keys = {key_id: key for key_id, key in keyring.keys.items() if key_id not in key_ids}
        return Keyring(current_id=keyring.current_id, keys=keys)

    _change_keyring(remove)


def retired_before(moment: datetime) -> list[MasterKey]:
    return [key for key in load_keyring().retired() if key.retired and key.retired <= moment]


def grace_period() -> timedelta:
    return timedelta(hours=settings.GROUPKET_KEY_GRACE_HOURS)
