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
def unit_of_work(database: Database, busy_timeout_ms: int | None = None, *, bulk: bool = False) -> Iterator[Repository]:
    """`busy_timeout_ms`: how long this unit's SQLite writes wait for another writer (default: the engine's).

    `bulk`: SQLite checks no foreign key in this unit, for a caller whose rows refer only to rows it read or wrote
    in this same transaction, under the write lock (an import: its documents, labels and annotator). The checks
    were 40 % of SQLite's work on a span-dense import; the connection gets them back when it returns to the pool.
    """
    with storage_errors(database.where), database.sessions.begin() as session:
        if database.is_sqlite:
            _wait_at_most(session, engine.BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms)
            if bulk:
                _skip_foreign_key_checks(session)
        yield Repository(session)


def _skip_foreign_key_checks(session: Session) -> None:
    pooled = session.connection().connection
    raw = pooled.dbapi_connection
    assert raw is not None
    if not raw.in_transaction:  # the driver begins on the first write; the pragma is a no-op inside a transaction
        raw.execute("PRAGMA foreign_keys=OFF")
        pooled.info[engine.FOREIGN_KEYS_OFF] = True


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
