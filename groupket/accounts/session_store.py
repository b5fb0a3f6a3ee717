"""Django's database sessions, with a new session written once, when it holds what it will hold (P7.9).

Django's store makes a session's row the moment it draws its key (login() does so to rotate the key): it asks
whether the key is taken, inserts an empty row inside a savepoint, and at the end of the request
SessionMiddleware writes the row again with what the sign-in put in it. Four statements more than needed on
every sign-in, besides the hash the only costly step. Here a new key is only drawn (32 characters of 36,
165 random bits: a collision would fail the insert, never share a session), the first save inserts the row
with everything in it, and a save that would write what the row already holds is skipped. A sign-in takes the new
row (new_row()) and writes it with its other rows, in one statement (accounts.services.sessions.start_sign_in).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, IntegrityError
from django.utils.crypto import get_random_string

from groupket.core.rows import insert_row, update_row


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._row_missing = False  # a key drawn, its row not yet inserted
        self._written: bytes | None = None  # the data the row holds, as serialized, when this store wrote it
        self._handed: bytes | None = None  # the data of the row new_row() gave, until it is written

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def create(self) -> None:
        # The key only; the row comes with the first save (login() rotates the key, then fills the session).
        self._session_key = self._get_new_session_key()
        self._row_missing = True
        self._written = None
        self.modified = True

    def new_row(self) -> Session:
        """The row the first save() would insert, for the caller to insert; then row_written()."""
        if not self._row_missing:
            raise RuntimeError("new_row() is for a session whose key was drawn and whose row is not yet written")
        data = self._get_session(no_load=True)
        self._handed = self.serializer().dumps(data)
        return self.create_model_instance(data)

    def forget_new_row(self) -> None:
        """The row new_row() gave was not written (the sign-in failed): the store holds no session and saves none."""
        self._session_key = None
        self._session_cache = {}
        self._row_missing, self._handed, self.modified = False, None, False

    def row_written(self) -> None:
        """The row new_row() gave is in the database: a save() with nothing new writes nothing."""
        self._row_missing, self._written, self._handed = False, self._handed, None

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
        must_create = must_create or self._row_missing
        data = self._get_session(no_load=must_create)
        serialized = self.serializer().dumps(data)
        if not must_create and serialized == self._written:
            return
        row = self.create_model_instance(data)
        # One statement, made once per process (core.rows): inside the sign-in's transaction, a failure fails
        # all of it; outside, the statement is its own.
        try:
            if must_create:
                insert_row(row)
            elif not update_row(row, fields=("session_data", "expire_date")):
                raise UpdateError
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
        self._row_missing = False
        self._written = serialized

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None or session_key == self.session_key:
            self._row_missing = False
            self._written = None
        super().delete(session_key)
