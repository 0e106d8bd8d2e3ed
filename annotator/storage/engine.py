"""Opening a database: URL resolution, SQLite pragmas, error mapping, migration with a backup first."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from secrets import randbits
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from annotator.errors import (
    DatabaseCorruptError,
    DatabaseDriverError,
    DatabaseTooNewError,
    DatabaseURLError,
    StorageError,
)
from annotator.storage.driver_errors import storage_errors, translate
from annotator.storage.probe import changed_since_seen, probe_sqlite, record_seen
from annotator.storage.urls import mask_secrets, scrub

if TYPE_CHECKING:  # Alembic is imported only when a migration must run
    from alembic.config import Config
    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["Database", "open_database", "storage_errors", "to_url", "translate", "upgrade"]

BUSY_TIMEOUT_MS = int(os.environ.get("ANNOTATOR_BUSY_TIMEOUT_MS", "5000"))
# A server that accepts the connection and never answers must not hang the window or a command forever.
ENV_CONNECT_TIMEOUT = "ANNOTATOR_CONNECT_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT_S = 10
TXN_KEY = "annotator_txn"  # the pooled connection's info entry that holds the open transaction's journal number

# A lost server connection makes psycopg log "error ignored terminating <Pipeline>" to stderr through logging's
# last resort; the StorageError raised for the same fault says it once, with its code.
logging.getLogger("psycopg").addHandler(logging.NullHandler())


@dataclass
class Database:
    """An open, migrated database and the one sessionmaker every service uses."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    path: Path | None  # the file of a SQLite database, None for a server
    backup: Path | None = None  # the copy made before a migration, if one ran
    seen_file: Path | None = None  # where the file's size and mtime are recorded on closing

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def where(self) -> str:
        """The file, or the server's URL with its password masked: what messages and the window show."""
        return str(self.path) if self.path else _safe_url(self.url)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.path is not None:
            record_seen(self.path, self.seen_file)


def to_url(target: str | os.PathLike[str]) -> tuple[str, Path | None]:
    """A file path or SQLAlchemy URL -> (URL, SQLite file path or None)."""
    raw = os.fspath(target)
    if re.match(r"^[A-Za-z][A-Za-z0-9+]*://", raw):
        try:
            url = make_url(raw)
        except (ArgumentError, ValueError) as e:
            raise DatabaseURLError(f"database URL {mask_secrets(raw)!r} cannot be read",
                                   hint="e.g. postgresql+psycopg://user@host/db") from e
        if url.get_backend_name() == "sqlite":
            db = url.database or ""
            return raw, (Path(db).resolve() if db and db != ":memory:" else None)
        return raw, None
    path = Path(raw).expanduser().resolve()
    return f"sqlite:///{path}", path


# In a pooled connection's info: a bulk unit of work turned foreign key checks off on it (unit.py).
FOREIGN_KEYS_OFF = "annotator_foreign_keys_off"


def _sqlite_checkin(dbapi_connection: sqlite3.Connection | None, record: ConnectionPoolEntry) -> None:
    # Back in the pool, out of any transaction (PRAGMA foreign_keys is a no-op inside one): the next user of
    # the connection gets the checks back.
    if record.info.pop(FOREIGN_KEYS_OFF, False) and dbapi_connection is not None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
    # The change journal's triggers (migration 0007) group a transaction's rows by what random() gives: SQLite has
    # no transaction id. On annotator's connections random() is one number per transaction (drawn at the first
    # call, forgotten when the next transaction begins: _new_txn); another program's connection keeps SQLite's
    # own random(), so its writes still work, each row a group of its own. No SQL of annotator calls random()
    # (tests/test_undo_journal.py checks).
    info = record.info
    dbapi_connection.create_function("random", 0, lambda: info.setdefault(TXN_KEY, randbits(62)))
    # Pragmas are per connection; WAL lets readers go on while one writer commits.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk imports keep the hash index in memory
    # A read-only folder cannot hold the -wal file; reads still work in the old journal mode.
    with contextlib.suppress(sqlite3.OperationalError):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _new_txn(conn: Connection) -> None:
    conn.connection.info.pop(TXN_KEY, None)


def open_database(target: str | os.PathLike[str], *, migrate: bool = True, seen_file: Path | None = None) -> Database:
    """Open (and create or migrate) the database at a path or URL.

    An existing SQLite file is inspected read-only first: one of a newer annotator or of another program is
    refused untouched, and one that changed since annotator last closed it (per `seen_file`; without one,
    always) must pass PRAGMA quick_check before any pragma or write.
    """
    url, path = to_url(target)
    where = str(path) if path else _safe_url(url)
    secrets = _passwords(url)
    if path is not None:
        if path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file", hint="give a file name, e.g. annotations.db")
        if not path.parent.exists():
            raise StorageError(f"the folder {path.parent} does not exist", hint="create it first or choose another path")
        if path.exists() and path.stat().st_size > 0:
            _check_before_opening(path, where, check=migrate and changed_since_seen(path, seen_file))
    engine = _create_engine(url, secrets)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _sqlite_checkin)
        event.listen(engine, "begin", _new_txn)
    database = Database(engine, sessionmaker(engine, expire_on_commit=False), url, path, seen_file=seen_file)
    try:
        if migrate:
            database.backup = upgrade(database)
        else:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    except StorageError:
        engine.dispose()
        raise
    except (SQLAlchemyError, sqlite3.Error) as e:
        engine.dispose()
        raise translate(e, where, path, secrets) from e
    return database


def _connect_timeout() -> int:
    raw = os.environ.get(ENV_CONNECT_TIMEOUT, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_CONNECT_TIMEOUT_S


def _create_engine(url: str, secrets: tuple[str, ...]) -> Engine:
    connect_args: dict[str, object] = {}
    try:
        parsed = make_url(url)
        # libpq's own keyword (psycopg 3 enforces it on the whole connection attempt); a URL may set its own.
        if parsed.get_driver_name() in ("psycopg", "psycopg2") and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = _connect_timeout()
        return create_engine(url, connect_args=connect_args)
    except ImportError as e:  # the dialect is known but its driver is not installed (mysql://, +asyncpg)
        raise DatabaseDriverError(
            f"the database driver for {_safe_url(url)} is not installed ({e.name or e})",
            hint="annotator works with SQLite files and postgresql+psycopg:// servers; for PostgreSQL: "
                 "pip install 'annotator[postgres]'",
        ) from e
    except (ArgumentError, NoSuchModuleError, SQLAlchemyError, TypeError, ValueError) as e:
        raise DatabaseURLError(f"database URL {_safe_url(url)} is not supported: {scrub(str(e), secrets)}",
                               hint="use a file path or postgresql+psycopg://user@host/db") from e


def _passwords(url: str) -> tuple[str, ...]:
    """The passwords a URL carries (userinfo and ?password=), to be kept out of every message."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return ()
    found = [parsed.password or ""]
    query = parsed.query.get("password")
    found += [query] if isinstance(query, str) else list(query or ())
    return tuple(str(p) for p in found if p)


def _safe_url(url: str) -> str:
    try:
        rendered = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        rendered = url
    return mask_secrets(rendered)


def _check_before_opening(path: Path, where: str, *, check: bool) -> None:
    """Refuse a file that is newer, foreign or damaged before any connection could change a byte of it."""
    # Through SQLite's own read-only connection, never Python's open(): closing a second handle on a file this
    # process holds open would drop its POSIX locks.
    try:
        found = probe_sqlite(path, timeout_s=BUSY_TIMEOUT_MS / 1000, check=check)
    except sqlite3.Error as e:
        if getattr(e, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise DatabaseCorruptError(f"{path} is not an annotator database (not a SQLite file)",
                                       hint="point --db at an annotator database or a new file name") from e
        raise translate(e, where, path) from e
    if found.revision is not None and found.revision not in _known_revisions():
        raise DatabaseTooNewError(
            f"the database {where} was written by a newer annotator (schema {found.revision})",
            hint="update annotator; the database was left untouched",
        )
    if found.revision is None and found.tables - {"alembic_version", "sqlite_sequence"}:
        raise DatabaseCorruptError(
            f"{where} holds tables that are not annotator's",
            hint="point --db at an annotator database or a new file; it was left untouched",
        )


_REVISION = re.compile(r"^(down_)?revision\s*=\s*['\"]?([\w]+)['\"]?", re.MULTILINE)


@functools.cache
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(revisions, parents) read from the migration files once: Alembic's import is only needed when one must run."""
    from annotator.resources import migrations_dir

    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (migrations_dir() / "versions").glob("*.py"):
        for down, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    return frozenset(revisions), frozenset(parents)


def _known_revisions() -> frozenset[str]:
    return _revisions()[0]


def _head_revision() -> str | None:
    revisions, parents = _revisions()
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def _current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(database: Database) -> Path | None:
    """Bring the schema to the newest revision; back up a SQLite file first when it already has data."""
    head = _head_revision()
    if head is not None and _current_revision(database) == head:
        return None  # the everyday case: nothing to migrate
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from annotator.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    where = database.where
    with database.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names())
    if current == head:
        return None
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as e:  # alembic raises its own CommandError/ResolutionError family
            raise DatabaseTooNewError(
                f"the database {where} was written by a newer annotator (schema {current})",
                hint="update annotator; the database was left untouched",
            ) from e
    elif tables - {"alembic_version"}:
        raise DatabaseCorruptError(
            f"{where} holds tables that are not annotator's", hint="point --db at an annotator database or a new file"
        )
    backup = None
    if current is not None and database.path is not None:
        backup = backup_sqlite(database.path, current)
    try:
        _run_migrations(database, config)
    except BaseException:
        # The database is as it was (one transaction): a copy of it would only be one more file per attempt.
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    return backup


MIGRATION_LOCK = 0x616E6E6F  # any constant shared by every annotator process: pg_advisory_xact_lock's key


def _run_migrations(database: Database, config: Config) -> None:
    """All of Alembic's steps in one transaction.

    SQLite: the driver would run DDL outside a transaction, so BEGIN IMMEDIATE is issued here; foreign keys
    are off while batch mode swaps a table (dropping a parent with them on would cascade-delete its children)
    and back on before the connection returns to the pool. PostgreSQL: an advisory lock makes a second
    process that opens a fresh database at the same moment wait, then find the schema already made.
    """
    from alembic import command

    with database.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            if sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")  # rebuilt tables keep their ids, so no reference can break
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def backup_sqlite(path: Path, revision: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()
    if not target.exists():  # the backup API wrote nothing: fall back on a file copy
        shutil.copy2(path, target)
    return target
