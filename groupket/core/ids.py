"""Identifiers that carry no meaning about a person."""

import os
import secrets
import time
import uuid


def time_ordered_uuid() -> uuid.UUID:
    """A random UUID whose first 48 bits are the current Unix time in milliseconds (the UUIDv7 layout).

    Rows made together sit together in an index, so deleting a day's worth of them touches few
    index pages (the retention sweep); the other 74 bits are random, so the id reveals nothing else.
    """
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def random_row_id() -> int:
    """A random 63-bit primary key, never handed out twice in practice.

    A sequence hands a rolled-back id to the next row (SQLite does so even without a rollback, after
    the newest row is deleted): a process that cached what the id stood for would then serve another
    row with it. Above 2**32, so it never meets an id a sequence handed out earlier.
    """
    return secrets.randbelow(2**63 - 2**32) + 2**32
