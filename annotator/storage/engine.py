"""Opening a database: URL resolution, SQLite pragmas, error mapping, migration with a backup first."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from annotator.errors import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseTooNewError,
    DatabaseURLError,
    StorageError,
)

BUSY_TIMEOUT_MS = int(os.environ.get("ANNOTATOR_BUSY_TIMEOUT_MS", "5000"))
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

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def to_url(target: str | os.PathLike[str]) -> tuple[str, Path | None]:
    """A file path or SQLAlchemy URL -> (URL, SQLite file path or None)."""
    raw = os.fspath(target)
    if re.match(r"^[A-Za-z][A-Za-z0-9+]*://", raw):
        try:
            url = make_url(raw)
        except ArgumentError as e:
            raise DatabaseURLError(f"database URL {raw!r} cannot be read", hint="e.g. postgresql+psycopg://user@host/db") from e
        if url.get_backend_name() == "sqlite":
            db = url.database or ""
            return raw, (Path(db).resolve() if db and db != ":memory:" else None)
        return raw, None
    path = Path(raw).expanduser().resolve()
    return f"sqlite:///{path}", path


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
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


def translate(error: BaseException, where: str, path: Path | None = None) -> StorageError:
    """Turn a driver error into a StorageError a user can act on."""
    message = str(getattr(error, "orig", None) or error).lower()
    if path is not None and ("unable to open" in message or "readonly" in message) and not (
        os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    ):
        return DatabaseReadOnlyError(
            f"the database {where} is read-only: its file or folder cannot be written",
            hint="make them writable, or copy the database somewhere writable and use --db",
        )
    if "locked" in message or "busy" in message:
        return DatabaseLockedError(
            f"the database {where} is locked by another program",
            hint="close the other annotator window or process using it and try again",
        )
    if "readonly" in message or "read-only" in message or "read only" in message:
        return DatabaseReadOnlyError(
            f"the database {where} is read-only", hint="make the file and its folder writable, or use --db elsewhere"
        )
    if "not a database" in message or "malformed" in message or "corrupt" in message:
        return DatabaseCorruptError(
            f"{where} is not a database or is damaged",
            hint="restore it from a backup (*.bak-* beside it) or point --db at another file",
        )
    if "unable to open" in message:
        return StorageError(f"cannot open the database {where}", hint="check that the folder exists and is writable")
    if "disk" in message and ("full" in message or "i/o" in message):
        return StorageError(f"the disk holding {where} is full or failing; nothing was written", hint="free some space")
    first = str(getattr(error, "orig", None) or error).splitlines()[0]
    return StorageError(f"database error on {where}: {first}")


@contextmanager
def storage_errors(where: str) -> Iterator[None]:
    try:
        yield
    except (DBAPIError, sqlite3.Error) as e:
        raise translate(e, where) from e


def open_database(target: str | os.PathLike[str], *, migrate: bool = True) -> Database:
    """Open (and create or migrate) the database at a path or URL."""
    url, path = to_url(target)
    where = str(path) if path else _safe_url(url)
    if path is not None:
        if path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file", hint="give a file name, e.g. annotations.db")
        if not path.parent.exists():
            raise StorageError(f"the folder {path.parent} does not exist", hint="create it first or choose another path")
        if path.exists() and path.stat().st_size > 0:
            _check_sqlite_header(path)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, NoSuchModuleError) as e:
        raise DatabaseURLError(f"database URL {_safe_url(url)} is not supported: {e}") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    database = Database(engine, sessionmaker(engine, expire_on_commit=False), url, path)
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
        raise translate(e, where, path) from e
    return database


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<bad URL>"


def _check_sqlite_header(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except PermissionError as e:
        raise DatabaseReadOnlyError(f"cannot read the database {path}", hint="check the file's permissions") from e
    if head != b"SQLite format 3\x00":
        raise DatabaseCorruptError(
            f"{path} is not an annotator database (not a SQLite file)",
            hint="point --db at an annotator database or a new file name",
        )


_REVISION = re.compile(r"^(down_)?revision\s*=\s*['\"]?([\w]+)['\"]?", re.MULTILINE)


def _head_revision() -> str | None:
    """The newest migration, read from the files: Alembic's import is only needed when one must run."""
    from annotator.resources import migrations_dir

    revisions, parents = set(), set()
    for script in (migrations_dir() / "versions").glob("*.py"):
        for down, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


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
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from annotator.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    where = str(database.path) if database.path else _safe_url(database.url)
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
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return backup


def backup_sqlite(path: Path, revision: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
