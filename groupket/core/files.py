"""Small files kept beside the database (the keyring, the access log's keys and checkpoints), changed safely.

Every read-modify-write holds an exclusive lock on a `.lock` file beside the file (the file itself is
replaced, so it cannot carry the lock), and every write goes to a unique temporary file, mode 0600, that is
fsynced and renamed over the old one before the folder is fsynced: a crash or a second process never leaves
half a file, and a finished write survives a power cut.
"""

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockHeld(Exception):
    """Another process holds the lock, and the caller asked not to wait."""


@contextmanager
def exclusive_lock(lock_path: Path, *, wait: bool = True) -> Iterator[None]:
    """An exclusive flock on lock_path; without wait, LockHeld when another process holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(lock_path.name) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, also when the process is killed


def replace_durably(path: Path, text: str) -> None:
    """Replace the file whole, mode 0600; the caller holds its lock."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # The rename itself is durable only once the folder is synced.
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
