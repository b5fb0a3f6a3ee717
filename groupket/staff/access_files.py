"""Small JSON files the access log keeps beside the keyring: its MAC keys and its checkpoints (P7.8).

They live outside the database on purpose, so someone who can change the database alone can neither
forge a row's MAC nor move the anchors the chain is checked against. Each read-modify-write holds an
exclusive lock, and each write goes to a unique temporary file that is fsynced and renamed over the
old one (then the folder is fsynced), so a crash or a second process never leaves half a file.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from groupket.core.files import exclusive_lock, replace_durably


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for `path` (on a `.lock` file beside it, since the file itself is replaced)."""
    with exclusive_lock(path.with_name(path.name + ".lock")):
        yield


def read_json(path: Path) -> dict[str, Any]:
    """The file's object, or an empty one when the file does not exist yet."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Replace the file whole, mode 0600; call it while holding `locked(path)`."""
    replace_durably(path, json.dumps(content, indent=2, sort_keys=True))
