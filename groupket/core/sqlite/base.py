"""Django's SQLite backend, with the database file made readable by its owner only (P7.5, P8.5).

SQLite creates its files 0644 (less the umask); the database holds sealed items, blind indexes and
sessions, so it is created 0600 before SQLite opens it, and SQLite gives the -wal and -shm files it
makes beside it the same mode. Files left wider by an older version are narrowed on connect.
"""

import os
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base


def make_private(database: str) -> None:
    if database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        make_private(str(conn_params["database"]))
        return super().get_new_connection(conn_params)
