"""Master keys, kept outside the database (P7.5, P8.5).

The keyring is a JSON document: the id of the current master key and every master
key that still exists, each with its creation time and, once rotated out, the time
it was retired. It lives in a 0600 file (GROUPKET_KEYRING_FILE, created on first
use) or, read-only, in the GROUPKET_KEYRING environment variable.
"""

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from groupket.core.crypto import new_key


class KeyringError(Exception):
    """The keyring is missing a key, or cannot be changed where it is kept."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    secret: bytes = field(repr=False)
    created: datetime
    retired: datetime | None = None

    @property
    def index_key(self) -> bytes:
        """The HMAC key of blind indexes computed under this master key."""
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


_cache: dict[tuple[str, float], Keyring] = {}


def _keyring_path() -> Path:
    return Path(settings.GROUPKET_KEYRING_FILE)


def load_keyring() -> Keyring:
    """The keyring in force; a rotation by another process is seen at the next call."""
    if settings.GROUPKET_KEYRING:
        return Keyring.from_json(settings.GROUPKET_KEYRING)
    path = _keyring_path()
    if not path.exists():
        first = _new_master_key()
        save_keyring(Keyring(current_id=first.key_id, keys={first.key_id: first}))
    stamp = (str(path), path.stat().st_mtime_ns)
    if stamp not in _cache:
        _cache.clear()
        _cache[stamp] = Keyring.from_json(path.read_text())
    return _cache[stamp]


def save_keyring(keyring: Keyring) -> None:
    if settings.GROUPKET_KEYRING:
        raise KeyringError(
            "the keyring comes from GROUPKET_KEYRING and cannot be changed here; "
            "rotate with GROUPKET_KEYRING_FILE and install the new keyring"
        )
    path = _keyring_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Written whole, then renamed, so a crash never leaves half a keyring.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _cache.clear()


def add_master_key() -> Keyring:
    """Make a new current master key and retire the one before it."""
    keyring = load_keyring()
    now = timezone.now()
    fresh = _new_master_key()
    keys = {
        key_id: key if key.retired else MasterKey(key.key_id, key.secret, key.created, now)
        for key_id, key in keyring.keys.items()
    }
    keys[fresh.key_id] = fresh
    updated = Keyring(current_id=fresh.key_id, keys=keys)
    save_keyring(updated)
    return updated


def remove_master_keys(key_ids: list[str]) -> None:
    """Destroy retired master keys: what they wrapped can never be opened again."""
    keyring = load_keyring()
    if keyring.current_id in key_ids:
        raise KeyringError(f"the current master key {keyring.current_id!r} cannot be destroyed")
    keys = {key_id: key for key_id, key in keyring.keys.items() if key_id not in key_ids}
    save_keyring(Keyring(current_id=keyring.current_id, keys=keys))


def retired_before(moment: datetime) -> list[MasterKey]:
    return [key for key in load_keyring().retired() if key.retired and key.retired <= moment]


def grace_period() -> timedelta:
    return timedelta(hours=settings.GROUPKET_KEY_GRACE_HOURS)
