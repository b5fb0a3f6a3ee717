"""The access log's chain of MACs, and its verification against the checkpoints (P7.8).

Row n carries its sequence number, the id of the access-log key it was written under, the MAC of row
n-1 (previous_hash) and its own MAC (entry_hash): HMAC-SHA256 under that key of its fields, sequence,
key id and previous_hash. Without the keys file nobody can write a row that verifies, so an edited or
inserted row fails its own MAC; a deleted row leaves a gap in the sequence; a deleted oldest row is
told from the purge by the signed start checkpoint (genesis when none); a deleted newest row is caught
against the signed head checkpoint, or against the sequence and MAC each append writes to the
application log.
"""

import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from groupket.staff import access_anchors, access_keys
from groupket.staff.models import AccessLogEntry

GENESIS_HASH = "0" * 64
_ROW_DOMAIN = b"groupket access log row"
# What each append writes to the application log: numbers and a MAC, never personal data.
APPEND_LOG_FORMAT = "access log append sequence=%d head=%s key=%s"
_APPEND_LINE = re.compile(r"access log append sequence=(\d+) head=([0-9a-f]{64})")


@dataclass(frozen=True)
class ChainBreak:
    """Where verification failed: a row (its pk and sequence) or an anchor outside the database."""

    reason: str
    row: int | None = None
    sequence: int | None = None
    anchor: str | None = None

    def describe(self) -> str:
        where = f"row {self.row} (sequence {self.sequence})" if self.row is not None else self.anchor
        return f"broken at {where}: {self.reason}"


def canonical(entry: AccessLogEntry) -> bytes:
    fields = {
        "sequence": entry.sequence,
        "key_id": entry.key_id,
        "staff_ref": entry.staff_ref,
        "member_ref": entry.member_ref,
        "items": list(entry.items),
        "reason": entry.reason,
        "reference": entry.reference,
        "ip_address": entry.ip_address,
        # Microseconds in UTC, so the text is the same before saving and after reading back.
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def row_mac(entry: AccessLogEntry, secret: bytes) -> str:
    return access_keys.mac(secret, _ROW_DOMAIN, canonical(entry))


def chain_start() -> tuple[int, str]:
    """The sequence and previous_hash the oldest row must have: the start checkpoint's, or genesis."""
    start = access_anchors.read_anchor(access_anchors.START)
    return (start.sequence, start.entry_hash) if start else (1, GENESIS_HASH)


def logged_heads(lines: Iterable[str]) -> list[tuple[int, str]]:
    """The (sequence, MAC) of every append line in an application log."""
    return [(int(found[1]), found[2]) for line in lines if (found := _APPEND_LINE.search(line))]


def _link_break(entry: AccessLogEntry, expected: tuple[int, str], first: bool) -> ChainBreak | None:
    sequence, previous = expected
    if (entry.sequence, entry.previous_hash) == expected:
        return None
    if first:
        reason = f"the chain must begin at sequence {sequence} (the start checkpoint, or genesis): older rows deleted"
    elif entry.sequence > sequence:
        reason = f"the rows of sequence {sequence} to {entry.sequence - 1} before it are missing (deleted)"
    else:
        reason = f"it does not follow the row of sequence {sequence - 1} (inserted or reordered)"
    return ChainBreak(reason=reason, row=entry.pk, sequence=entry.sequence)


def _row_break(entry: AccessLogEntry, keys: dict[str, bytes]) -> ChainBreak | None:
    secret = keys.get(entry.key_id)
    if secret is None:
        reason = f"its key {entry.key_id!r} is not in the access-log keys file"
    elif not hmac.compare_digest(row_mac(entry, secret), entry.entry_hash):
        reason = "its MAC does not match its contents (edited, or inserted without the key)"
    else:
        return None
    return ChainBreak(reason=reason, row=entry.pk, sequence=entry.sequence)


def _walk(anchored: set[int]) -> tuple[ChainBreak | None, dict[int, str], int]:
    """Check every row in sequence; the first break, the MACs at the anchored sequences, the next sequence."""
    keys = access_keys.all_keys()
    expected = chain_start()
    seen: dict[int, str] = {}
    # Rows before the start checkpoint are ones a purge signed away and has not finished deleting.
    rows = AccessLogEntry.objects.filter(sequence__gte=expected[0]).order_by("sequence")
    for position, entry in enumerate(rows.iterator(chunk_size=2000)):
        broken = _row_break(entry, keys) or _link_break(entry, expected, first=position == 0)
        if broken:
            return broken, seen, expected[0]
        if entry.sequence in anchored:
            seen[entry.sequence] = entry.entry_hash
        expected = (entry.sequence + 1, entry.entry_hash)
    return None, seen, expected[0]


def verify_chain(*, app_log: Iterable[str] = ()) -> ChainBreak | None:
    """The first break of the access log, or None when the rows and every anchor agree."""
    try:
        head = access_anchors.read_anchor(access_anchors.HEAD)
        start_sequence = chain_start()[0]
    except access_anchors.AnchorForged as forged:
        return ChainBreak(reason=str(forged), anchor=str(access_anchors.checkpoint_path()))
    anchors = [(head.sequence, head.entry_hash, head.describe())] if head else []
    logged = logged_heads(app_log)
    if logged:
        sequence, entry_hash = max(logged)
        anchors.append((sequence, entry_hash, f"the application log's append of sequence {sequence}"))
    # Anchors older than the start checkpoint cover rows the purge removed.
    anchors = [anchor for anchor in anchors if anchor[0] >= start_sequence]
    broken, seen, next_sequence = _walk({sequence for sequence, _, _ in anchors})
    if broken:
        return broken
    for sequence, entry_hash, label in anchors:
        if sequence >= next_sequence:
            return ChainBreak(
                reason=f"the newest rows are missing: the log ends before sequence {sequence}",
                sequence=sequence,
                anchor=label,
            )
        if not hmac.compare_digest(seen[sequence], entry_hash):
            return ChainBreak(reason="the row there is not the one anchored", sequence=sequence, anchor=label)
    return None
