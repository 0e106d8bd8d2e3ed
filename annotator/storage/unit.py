"""The unit of work: one transaction, one Repository, driver errors turned into StorageError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from annotator.storage import engine
from annotator.storage.engine import Database, storage_errors
from annotator.storage.repository import Repository

_BUSY_TIMEOUT = "annotator_busy_timeout_ms"  # in the pooled connection's info: the wait it is set to now


@contextmanager
def unit_of_work(database: Database, busy_timeout_ms: int | None = None) -> Iterator[Repository]:
    """`busy_timeout_ms`: how long this unit's SQLite writes wait for another writer (default: the engine's)."""
    with storage_errors(database.where), database.sessions.begin() as session:
        if database.is_sqlite:
            _wait_at_most(session, engine.BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms)
        yield Repository(session)


def _wait_at_most(session: Session, milliseconds: int) -> None:
    # Set on this transaction's own connection, and only when that connection was last set to another wait:
    # the window's key presses then run no PRAGMA at all, and a unit with the engine's wait puts it back. A
    # second engine with its own timeout would open the file again, and opening it beside live connections is
    # what SQLite warns about (a close() in the same process drops their POSIX locks). The commit needs no
    # wait in WAL mode: the first write already holds the lock.
    pooled = session.connection().connection
    if pooled.info.get(_BUSY_TIMEOUT, engine.BUSY_TIMEOUT_MS) != milliseconds:
        raw = pooled.dbapi_connection
        assert raw is not None
        raw.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
        pooled.info[_BUSY_TIMEOUT] = milliseconds
