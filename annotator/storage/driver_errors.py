"""Driver errors -> the StorageError a user can act on, by the driver's error code, not its English words.

SQLite gives `sqlite_errorname` (Python 3.11+; SQLITE_BUSY_SNAPSHOT counts as SQLITE_BUSY), PostgreSQL a
SQLSTATE (psycopg's `sqlstate`). The words of the message are only the fallback for errors without a code.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from annotator.errors import (
    DatabaseConflictError,
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseUnreachableError,
    PermissionDeniedError,
    StorageError,
)
from annotator.storage.urls import scrub

_SQLITE = {
    "SQLITE_BUSY": "locked", "SQLITE_LOCKED": "locked", "SQLITE_READONLY": "readonly", "SQLITE_PERM": "readonly",
    "SQLITE_CORRUPT": "corrupt", "SQLITE_NOTADB": "corrupt", "SQLITE_FULL": "disk", "SQLITE_IOERR": "disk",
    "SQLITE_CANTOPEN": "cantopen",
}
_SQLSTATE = {
    "40001": "conflict", "40P01": "conflict",  # serialization failure, deadlock: worth another try
    "55P03": "locked", "25006": "readonly", "53100": "disk", "58030": "disk", "XX001": "corrupt", "XX002": "corrupt",
    "42501": "denied",  # insufficient privilege, or a row-level security policy refused the row
}


def error_kind(error: BaseException) -> str | None:
    """What went wrong, from the driver's code: locked, readonly, corrupt, disk, cantopen, conflict, unreachable."""
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith("SQLITE_"):
        return _SQLITE.get("_".join(name.split("_")[:2]))
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and state:
        if state[:2] in ("08", "28") or state == "3D000":  # connection, login, no such database
            return "unreachable"
        return _SQLSTATE.get(state)
    if type(error).__name__ in ("ConnectionTimeout", "ConnectionFailure"):
        return "unreachable"
    # psycopg raises a bare OperationalError (no SQLSTATE) when the connection itself fails
    if type(error).__name__ == "OperationalError" and type(error).__module__.startswith("psycopg"):
        return "unreachable"
    return None


def _kind_from_words(message: str) -> str | None:
    for kind, words in (("locked", ("locked", "busy")), ("readonly", ("readonly", "read-only", "read only")),
                        ("corrupt", ("not a database", "malformed", "corrupt")), ("cantopen", ("unable to open",))):
        if any(w in message for w in words):
            return kind
    if "disk" in message and ("full" in message or "i/o" in message):
        return "disk"
    return None


# kind -> the error, its message ({where} names the database) and its hint; "unreachable" and a read-only file are
# told apart in translate(), which knows whether there is a path.
_ERRORS: dict[str, tuple[type[StorageError], str, str]] = {
    "locked": (DatabaseLockedError, "the database {where} is locked by another program",
               "close the other annotator window or process using it and try again"),
    "readonly": (DatabaseReadOnlyError, "the database {where} is read-only",
                 "make the file and its folder writable, or use --db elsewhere"),
    "corrupt": (DatabaseCorruptError, "{where} is not a database or is damaged",
                "restore it from a backup (*.bak-* beside it) or point --db at another file"),
    "conflict": (DatabaseConflictError,
                 "another writer changed the same rows of {where} at the same moment; nothing was written", "try again"),
    "cantopen": (StorageError, "cannot open the database {where}", "check that the folder exists and is writable"),
    "denied": (PermissionDeniedError, "the database {where} refused this change: your role may not make it",
               "a lead writes gold, labels and assignments; each annotator only their own spans and statuses"),
    "disk": (StorageError, "the disk holding {where} is full or failing; nothing was written", "free some space"),
}


def translate(error: BaseException, where: str, path: Path | None = None, secrets: tuple[str, ...] = ()) -> StorageError:
    """Turn a driver error into a StorageError a user can act on; no password of the URL is repeated."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    first = scrub((text.splitlines() or [type(original).__name__])[0], secrets)
    kind = error_kind(original) or _kind_from_words(text.lower())
    if kind == "unreachable" and path is None:
        return DatabaseUnreachableError(
            f"cannot connect to the database server {where}: {first}",
            hint="check the host name, the port, the user and password, and that the server is running",
        )
    if path is not None and kind in ("cantopen", "readonly") and not (
        os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    ):
        return DatabaseReadOnlyError(
            f"the database {where} is read-only: its file or folder cannot be written",
            hint="make them writable, or copy the database somewhere writable and use --db",
        )
    if kind in _ERRORS:
        error_class, message, hint = _ERRORS[kind]
        return error_class(message.format(where=where), hint=hint)
    return StorageError(f"database error on {where}: {first}")


@contextmanager
def storage_errors(where: str) -> Iterator[None]:
    try:
        yield
    except (DBAPIError, sqlite3.Error) as e:
        raise translate(e, where) from e
