"""The unit of work: one transaction, one Repository, driver errors turned into StorageError; and one
transaction that several units join (`one_transaction`: an undo step made of several service calls)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.orm import Session

from annotator.storage import engine
from annotator.storage.engine import Database, storage_errors
from annotator.storage.repository import Repository

_BUSY_TIMEOUT = "annotator_busy_timeout_ms"  # in the pooled connection's info: the wait it is set to now


@dataclass
class _Joined:
    database: Database
    session: Session
    depth: int = 0  # units open inside it (a service's unit may open another: Frames.add_span reads the document)


# Per thread (a new thread starts with an empty context): the window's worker never joins the GUI thread's step.
_JOINED: ContextVar[_Joined | None] = ContextVar("annotator_one_transaction", default=None)


def in_one_transaction() -> bool:
    """Whether this thread's units of work join an open `one_transaction` (then a unit is not retried alone)."""
    return _JOINED.get() is not None


@contextmanager
def one_transaction(database: Database, busy_timeout_ms: int | None = None) -> Iterator[None]:
    """Every unit of work this thread opens on `database` inside the block joins ONE transaction, committed when
    the block ends and rolled back whole when it raises: the journal's triggers (ADR 0015) then group all of its
    rows as one step. Each unit still gets a session holding none of the rows an earlier unit read."""
    if _JOINED.get() is not None:  # already inside one: the outer block commits
        yield
        return
    with storage_errors(database.where), database.sessions.begin() as session:
        if database.is_sqlite:
            _wait_at_most(session, engine.BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms)
        token = _JOINED.set(_Joined(database, session))
        try:
            yield
        finally:
            _JOINED.reset(token)


@contextmanager
def unit_of_work(database: Database, busy_timeout_ms: int | None = None, *, bulk: bool = False) -> Iterator[Repository]:
    """`busy_timeout_ms`: how long this unit's SQLite writes wait for another writer (default: the engine's).

    `bulk`: SQLite checks no foreign key in this unit, for a caller whose rows refer only to rows it read or wrote
    in this same transaction, under the write lock (an import: its documents, labels and annotator). The checks
    were 40 % of SQLite's work on a span-dense import; the connection gets them back when it returns to the pool.

    Inside `one_transaction` on the same database the unit is part of that transaction (busy_timeout_ms and bulk
    are the outer block's): it commits nothing itself, and an error it raises rolls the whole block back.
    """
    joined = _JOINED.get()
    if joined is not None and joined.database is database:
        with storage_errors(database.where):
            yield from _joined_unit(joined)
        return
    with storage_errors(database.where), database.sessions.begin() as session:
        if database.is_sqlite:
            _wait_at_most(session, engine.BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms)
            if bulk:
                _skip_foreign_key_checks(session)
        yield Repository(session)


def _joined_unit(joined: _Joined) -> Iterator[Repository]:
    joined.depth += 1
    try:
        yield Repository(joined.session)
    finally:
        joined.depth -= 1
    if joined.depth == 0:  # as a unit of its own would: its writes sent, its rows forgotten (no stale row read next)
        joined.session.flush()
        joined.session.expunge_all()


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
