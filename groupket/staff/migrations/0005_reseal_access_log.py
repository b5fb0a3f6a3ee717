"""Re-seal the rows of the unkeyed SHA-256 chain as the MAC chain (P7.8); the reverse restores SHA-256.

The old chain is checked first: re-sealing a chain that was already tampered with would hide it, so the
migration stops instead, naming the row, for the operator to look into.
"""

import hashlib
import json
from datetime import UTC

from django.db import migrations

from groupket.staff import access_keys
from groupket.staff.access_chain import GENESIS_HASH, row_mac


def _legacy_hash(entry) -> str:
    fields = {
        "staff_ref": entry.staff_ref,
        "member_ref": entry.member_ref,
        "items": list(entry.items),
        "reason": entry.reason,
        "reference": entry.reference,
        "ip_address": entry.ip_address,
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "previous_hash": entry.previous_hash,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def reseal(apps, schema_editor) -> None:
    entries = list(apps.get_model("staff", "AccessLogEntry").objects.order_by("pk"))
    if not entries:
        return
    expected = entries[0].previous_hash  # the old chain trusted its oldest row's link (purge)
    for entry in entries:
        if entry.previous_hash != expected or _legacy_hash(entry) != entry.entry_hash:
            raise RuntimeError(
                f"access log row {entry.pk} breaks the old SHA-256 chain: look into it before migrating, "
                "since re-sealing would hide the change"
            )
        expected = entry.entry_hash
    key_id, secret = access_keys.current_key()
    previous = GENESIS_HASH
    for sequence, entry in enumerate(entries, start=1):
        entry.sequence, entry.key_id, entry.previous_hash = sequence, key_id, previous
        entry.entry_hash = previous = row_mac(entry, secret)
        entry.save(update_fields=["sequence", "key_id", "previous_hash", "entry_hash"])


def restore_sha256(apps, schema_editor) -> None:
    previous = GENESIS_HASH
    for entry in apps.get_model("staff", "AccessLogEntry").objects.order_by("pk"):
        entry.sequence, entry.key_id, entry.previous_hash = None, "", previous
        entry.entry_hash = previous = _legacy_hash(entry)
        entry.save(update_fields=["sequence", "key_id", "previous_hash", "entry_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_access_log_sequence_and_key"),
    ]

    operations = [migrations.RunPython(reseal, restore_sha256)]
