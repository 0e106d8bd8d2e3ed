"""The unit of work: one transaction, one Repository, driver errors turned into StorageError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from annotator.storage import engine
from annotator.storage.engine import Database, storage_errors
from annotator.storage.repository import Repository


@contextmanager
def unit_of_work(database: Database, busy_timeout_ms: int | None = None) -> Iterator[Repository]:
    """`busy_timeout_ms`: how long this unit's SQLite writes wait for another writer (default: the engine's)."""
    with storage_errors(database.where), database.sessions.begin() as session:
        if busy_timeout_ms is None or not database.is_sqlite:
            yield Repository(session)
        else:
            with _busy_timeout(session, busy_timeout_ms):
                yield Repository(session)


@contextmanager
def _busy_timeout(session: Session, milliseconds: int) -> Iterator[None]:
    # Set on this transaction's own connection and put back before it returns to the pool. A second engine
    # with its own timeout would open the file again, and opening it beside live connections is what SQLite
    # warns about (a close() in the same process drops their POSIX locks). The commit needs no wait in WAL
    # mode: the first write already holds the lock.
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(engine.BUSY_TIMEOUT_MS)}")
