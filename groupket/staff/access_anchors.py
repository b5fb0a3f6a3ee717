"""Checkpoints of the access log, kept in a file beside the keyring (P7.8).

Two signed anchors: `head`, the newest row the checkpoint job saw (sequence, MAC, time), so deleting the
newest rows is caught; and `start`, where the chain begins after the 2-year purge, so a purge is told
apart from a deleted start. Each is signed with an access-log key (HMAC), so editing the file without
the keys file is caught too.
"""

import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from groupket.staff import access_keys
from groupket.staff.access_files import locked, read_json, write_json

CHECKPOINT_FILE_NAME = "access_log_checkpoint.json"
HEAD, START = "head", "start"
_DOMAIN = b"groupket access log checkpoint"


class AnchorForged(Exception):
    """A checkpoint's signature does not match: the file was edited."""


@dataclass(frozen=True)
class Anchor:
    """For `head`: the row `sequence` had MAC `entry_hash`. For `start`: the chain begins at row `sequence`,
    whose previous_hash is `entry_hash`."""

    kind: str
    sequence: int
    entry_hash: str
    at: str
    key_id: str

    def message(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    def describe(self) -> str:
        return f"the {self.kind} checkpoint of {self.at} (sequence {self.sequence})"


def checkpoint_path() -> Path:
    configured = settings.GROUPKET_ACCESS_LOG_CHECKPOINT_FILE
    return Path(configured) if configured else Path(settings.GROUPKET_KEYRING_FILE).parent / CHECKPOINT_FILE_NAME


def write_anchor(*, kind: str, sequence: int, entry_hash: str, at: datetime) -> Anchor:
    key_id, secret = access_keys.current_key()
    anchor = Anchor(kind=kind, sequence=sequence, entry_hash=entry_hash, at=at.isoformat(), key_id=key_id)
    with locked(checkpoint_path()):
        anchors = read_json(checkpoint_path())
        anchors[kind] = {**asdict(anchor), "signature": access_keys.mac(secret, _DOMAIN, anchor.message())}
        write_json(checkpoint_path(), anchors)
    return anchor


def read_anchor(kind: str) -> Anchor | None:
    """The anchor of that kind, None when none was written yet; raises AnchorForged when its signature is wrong."""
    raw = dict(read_json(checkpoint_path()).get(kind) or {})
    if not raw:
        return None
    signature = raw.pop("signature", "")
    try:
        anchor = Anchor(**raw)
        expected = access_keys.mac(access_keys.key(anchor.key_id), _DOMAIN, anchor.message())
    except (TypeError, access_keys.AccessLogKeyMissing) as error:
        raise AnchorForged(f"the {kind} checkpoint in {checkpoint_path()} cannot be checked: {error}") from None
    if anchor.kind != kind or not hmac.compare_digest(signature, expected):
        raise AnchorForged(f"the {kind} checkpoint in {checkpoint_path()} does not match its signature")
    return anchor


def anchor_key_ids() -> set[str]:
    return {entry["key_id"] for entry in read_json(checkpoint_path()).values() if "key_id" in entry}
