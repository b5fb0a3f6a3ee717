"""Small JSON files the access log keeps beside the keyring: its MAC keys and its checkpoints (P7.8).

They live outside the database on purpose, so someone who can change the database alone can neither
forge a row's MAC nor move the anchors the chain is checked against. Each read-modify-write holds an
exclusive lock, and each write goes to a unique temporary file that is fsynced and renamed over the
old one (then the folder is fsynced), so a crash or a second process never leaves half a file.
"""

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for `path` (on a `.lock` file beside it, since the file itself is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def read_json(path: Path) -> dict[str, Any]:
    """The file's object, or an empty one when the file does not exist yet."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Replace the file whole, mode 0600; call it while holding `locked(path)`."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
