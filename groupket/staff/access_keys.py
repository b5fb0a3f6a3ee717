"""The access log's MAC keys: derived from the master keyring, kept in their own small file (P7.8).

Each row of the access log is an HMAC-SHA256 under the access-log key of the master key current when
it was written; the row records that key's id (the master key's id). The key is derived from the master
key with HKDF under its own purpose label, so every node derives the same key without sharing anything
new, and a new master key (rotate_master_key) brings a new access-log key at the next append.

Why a file of their own rather than keeping master keys alive: rows are kept 2 years, and a master key
kept for 2 years would keep every old database backup openable for 2 years, which breaks P8.5's promise
that rotation makes copies unreadable. An access-log key opens no personal data (HKDF is one-way: it
tells nothing of the master key), so it may outlive its master key. It is removed once no row or
checkpoint needs it (purge_old_access_log).
"""

import base64
import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from groupket.core import keyring
from groupket.staff.access_files import locked, read_json, write_json

PURPOSE = b"groupket access log"
KEYS_FILE_NAME = "access_log_keys.json"


class AccessLogKeyMissing(Exception):
    """A row or checkpoint names an access-log key that is not in the keys file."""


def keys_path() -> Path:
    configured = settings.GROUPKET_ACCESS_LOG_KEYS_FILE
    return Path(configured) if configured else Path(settings.GROUPKET_KEYRING_FILE).parent / KEYS_FILE_NAME


def derive_key(master: keyring.MasterKey) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(master.secret)


def _stored() -> dict[str, bytes]:
    return {key_id: base64.b64decode(secret) for key_id, secret in read_json(keys_path()).items()}


def _store(keys: dict[str, bytes]) -> None:
    write_json(keys_path(), {key_id: base64.b64encode(secret).decode() for key_id, secret in keys.items()})


def current_key() -> tuple[str, bytes]:
    """The id and secret of the key new rows are written under, recorded in the keys file first."""
    master = keyring.load_keyring().current
    known = _stored()
    if master.key_id not in known:
        # Written before any row uses it, so a row never names a key that could be lost with its master.
        with locked(keys_path()):
            known = _stored()
            known.setdefault(master.key_id, derive_key(master))
            _store(known)
    return master.key_id, known[master.key_id]


def key(key_id: str) -> bytes:
    try:
        return _stored()[key_id]
    except KeyError:
        raise AccessLogKeyMissing(f"access-log key {key_id!r} is not in {keys_path()}") from None


def all_keys() -> dict[str, bytes]:
    return _stored()


def forget_keys_except(needed: set[str]) -> list[str]:
    """Remove the keys no row or checkpoint needs any more (never the current one); their ids."""
    current_id, _ = current_key()
    with locked(keys_path()):
        known = _stored()
        doomed = sorted(set(known) - needed - {current_id})
        if doomed:
            _store({key_id: secret for key_id, secret in known.items() if key_id not in doomed})
    return doomed


def mac(secret: bytes, domain: bytes, message: bytes) -> str:
    """HMAC-SHA256 of a message, separated by domain so a row's MAC can never pass as a checkpoint's."""
    return hmac.new(secret, domain + b"\x00" + message, hashlib.sha256).hexdigest()
