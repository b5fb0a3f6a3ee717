"""Keyed HMAC blind indexes: exact-match lookups on encrypted values.

An index is HMAC-SHA256 over a kind and the normalised value, keyed by a key
derived from a master key. During a rotation, rows may carry an index made under
the previous master key, so lookups try every key that still exists.
"""

import hashlib
import hmac
from collections.abc import Iterable

from groupket.core.keyring import MasterKey, load_keyring


def compute(kind: str, normalised: str, *, master: MasterKey | None = None) -> str:
    master = master or load_keyring().current
    message = f"{kind}\x00{normalised}".encode()
    return hmac.new(master.index_key, message, hashlib.sha256).hexdigest()


def candidates_of_many(kind: str, values: Iterable[str]) -> dict[str, str]:
    """Every candidate index of each value, {index: value}, the keyring read once for all (a page of mentions)."""
    keyring = load_keyring()
    ordered = [keyring.current, *keyring.retired()]
    return {compute(kind, value, master=master): value for value in values for master in ordered}


def candidates(kind: str, normalised: str) -> list[str]:
    keyring = load_keyring()
    ordered = [keyring.current, *keyring.retired()]
    return [compute(kind, normalised, master=master) for master in ordered]
