"""Databases for the tests: the same test on a SQLite file and on PostgreSQL (`database`, `new_database`,
`empty_database`), a migrated PostgreSQL database (`pg_database`) or an empty one (`pg_url`), a database left at an
old schema (`database_at`; `old_database` and `labels_at_0004` fill one), `rows` to read or change any of them from
outside the program, `Counter` of the statements an engine runs, and a `team` of PostgreSQL roles.

Registered for every test module by tests/conftest.py (`pytest_plugins`); import `database_at` and `rows` where
they are used.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from annotator.services.workspace import Workspace

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL", "")
# The parameters of a test that runs on both databases; the second skips cleanly without a server.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

_admin: Any = None


def _pg_admin() -> Any:
    """One AUTOCOMMIT engine on the server's maintenance database for the whole run (CREATE/DROP DATABASE)."""
    global _admin
    if not PG_URL:
        pytest.skip("no PostgreSQL server (set ANNOTATOR_TEST_PG_URL; .ci/run starts one)")
    if _admin is None:
        from sqlalchemy import create_engine

        _admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    return _admin


def _pg_create(template: str | None = None) -> str:
    from sqlalchemy import text

    name = f"annotator_test_{uuid.uuid4().hex[:10]}"
    with _pg_admin().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return name


def _pg_drop(name: str) -> None:
    from sqlalchemy import text

    with _pg_admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _pg_url_of(name: str) -> str:
    return f"{PG_URL.rpartition('/')[0]}/{name}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database (no tables yet), dropped afterwards; skipped without a server."""
    name = _pg_create()
    yield _pg_url_of(name)
    _pg_drop(name)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A new, empty database on the ANNOTATOR_TEST_PG_URL server, dropped on leaving."""
    from sqlalchemy import create_engine, text

    name = f"annotator_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_URL.rpartition('/')[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def drop_roles(url: str, roles: list[str]) -> None:
    """Drop the server-wide roles a test made, after what they hold in the database at `url`."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for role in roles:
                if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                    conn.execute(text(f'DROP OWNED BY "{role}"'))
                    conn.execute(text(f'DROP ROLE "{role}"'))
    finally:
        engine.dispose()


def existing_roles(url: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {str(r[0]) for r in conn.execute(text("SELECT rolname FROM pg_roles"))}
    finally:
        engine.dispose()


# What a test may change in a database besides its rows (the schema, policies, grants, the recorded revision): a
# database handed back different from a fresh one is dropped, not used again.
_SHAPE = """
SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
  SELECT 'c ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
         || coalesce(column_default, '') AS x FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT 'k ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 'p ' || tablename || '.' || policyname FROM pg_policies
  UNION ALL SELECT 't ' || tgname FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'r ' || relname FROM pg_class WHERE relrowsecurity OR relforcerowsecurity
  UNION ALL SELECT 'g ' || grantee || ' ' || privilege_type || ' ' || table_name
            FROM information_schema.role_table_grants WHERE table_schema = 'public'
  UNION ALL SELECT 'f ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'n ' || nspname FROM pg_namespace
  UNION ALL SELECT 's ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
            WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT 'v ' || version_num FROM alembic_version
) AS shape
"""


class _PgPool:
    """Migrated PostgreSQL databases handed to one test at a time. A new one is a copy of a template migrated once
    per run (CREATE DATABASE ... TEMPLATE: about 0.15 s, against about 1 s to migrate); a used one is emptied
    (TRUNCATE) and handed out again, because every DROP DATABASE forces a checkpoint of the whole server, which
    took 0.1 to 3 s a test on a busy machine."""

    def __init__(self) -> None:
        from annotator.storage.engine import open_database

        self.template = _pg_create()
        open_database(_pg_url_of(self.template)).dispose()  # no connection may stay on a template while it is copied
        self.shape, self.tables = self._shape_and_tables(self.template)
        self.free: list[str] = []
        self.all: list[str] = []

    def take(self) -> str:
        if self.free:
            return self.free.pop()
        self.all.append(_pg_create(template=self.template))
        return self.all[-1]

    def give_back(self, name: str) -> None:
        if self._emptied(name):
            self.free.append(name)
        else:
            self.all.remove(name)
            _pg_drop(name)

    def close(self) -> None:
        for name in [*self.all, self.template]:
            _pg_drop(name)

    @staticmethod
    def _shape_and_tables(name: str) -> tuple[str, list[str]]:
        from sqlalchemy import create_engine, text

        engine = create_engine(_pg_url_of(name), isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        try:
            with engine.connect() as conn:
                tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                           "AND tablename <> 'alembic_version' ORDER BY tablename")).scalars()
                return str(conn.execute(text(_SHAPE)).scalar()), list(tables)
        finally:
            engine.dispose()

    def _emptied(self, name: str) -> bool:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import SQLAlchemyError

        engine = create_engine(_pg_url_of(name), isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        try:
            with engine.connect() as conn:
                # a connection the test left open (a failed test's workspace) would hold its locks
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                if str(conn.execute(text(_SHAPE)).scalar()) != self.shape:
                    return False
                conn.execute(text("SET lock_timeout = '10s'"))
                tables = ", ".join(f'"{table}"' for table in self.tables)
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                return True
        except SQLAlchemyError:
            return False
        finally:
            engine.dispose()


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def _pg_pool() -> Iterator[_PgPool]:
    _pg_admin()  # skips without a server
    pool = _PgPool()
    yield pool
    pool.close()


@pytest.fixture
def pg_database(_pg_pool: _PgPool) -> Iterator[str]:
    """A PostgreSQL database at the newest schema with no rows, for a test about PostgreSQL only."""
    name = _pg_pool.take()
    yield _pg_url_of(name)
    _pg_pool.give_back(name)


@pytest.fixture(params=BACKENDS)
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes new databases on this test's backend, as `--db` and open_workspace take them: a SQLite file under
    tmp_path (not created yet), or a PostgreSQL database at the newest schema with no rows."""
    taken: list[str] = []
    files: list[Path] = []
    pool: list[_PgPool] = []

    def make(name: str = "test") -> str:
        if request.param == "sqlite":  # a new file on each call
            files.append(tmp_path / (f"{name}.db" if not files else f"{name}-{len(files)}.db"))
            return str(files[-1])
        pool[:] = [request.getfixturevalue("_pg_pool")]
        taken.append(pool[0].take())
        return _pg_url_of(taken[-1])

    yield make
    for name in taken:
        pool[0].give_back(name)


@pytest.fixture
def database(new_database: Callable[[str], str]) -> str:
    """A new database: a SQLite file path, or a PostgreSQL URL (the test runs once with each)."""
    return new_database("test")


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables yet, as a URL (for `database_at` and migrations): a SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return str(request.getfixturevalue("pg_url"))


def rows(database: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """One statement (`:name` parameters) in its own transaction on the database at a path or URL, from outside
    the program: the rows it returns, if any."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database if "://" in database else f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@contextmanager
def database_at(url: str, revision: str) -> Iterator[Any]:
    """The database at `url` migrated only up to `revision`: a connection inside one transaction, for the test
    to fill as an older annotator left it."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from annotator.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            yield conn
    finally:
        engine.dispose()


def one_article(target: str, tmp_path: Path, text: str) -> tuple[Any, Any, int]:
    """A workspace on `target` holding one article, `text`, imported as a file: (workspace, tester's service,
    the document's id)."""
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(target)
    source = tmp_path / "article.txt"
    source.write_text(text, encoding="utf-8")
    import_paths(ws, [source], project="default", annotator="tester")
    ana = Annotations(ws, ensure_project(ws).id, "tester")
    return ws, ana, ana.list_documents()[0].id


def old_database(target: str | Path) -> None:
    """A database at schema 0001 with a document and a span, as an older annotator left it (a URL or a file)."""
    with database_at(target if isinstance(target, str) else f"sqlite:///{target}", "0001") as conn:
        conn.exec_driver_sql("INSERT INTO project (id, name, lang, created_at) VALUES (1, 'default', 'en', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO label (id, project_id, name, colour, key, alt_key, description, position) "
                             "VALUES (1, 1, 'FIGURE', '#5b8fd9', '3', 'F', '', 0)")
        conn.exec_driver_sql("INSERT INTO annotator (id, name) VALUES (1, 'ana')")
        conn.exec_driver_sql("INSERT INTO document (id, project_id, position, title, source, text, meta, content_hash,"
                             " created_at) VALUES (1, 1, 0, 't', 's', '17,000 people', '{}', 'h', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO span (id, document_id, annotator_id, label_id, start, \"end\", created_at)"
                             " VALUES (1, 1, 1, 1, 0, 6, '2026-01-01')")


def labels_at_0004(url: str, rows: list[tuple[int, str]]) -> None:
    """Projects "news" (1) and "other" (2) as annotator left them before kinds, with labels (project id, name)."""
    with database_at(url, "0004") as conn:
        for project_id, name in ((1, "news"), (2, "other")):
            conn.exec_driver_sql(f"INSERT INTO project (id, name, lang, created_at) VALUES ({project_id}, '{name}', "
                                 "'en', '2026-01-01')")
        for position, (project_id, name) in enumerate(rows):
            conn.exec_driver_sql("INSERT INTO label (project_id, name, colour, key, alt_key, description, position) "
                                 f"VALUES ({project_id}, '{name}', '#123456', '', '', '', {position})")


class Counter:
    """The statements and transactions an engine runs while `counting()` is open (test_keypress_sql.py says the
    three ways it counts)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.sent: list[str] = []
        self.transactions: list[str] = []
        self.run_by_sqlite: list[str] = []

    @contextmanager
    def counting(self) -> Iterator[Counter]:
        from sqlalchemy import event

        self.sent, self.transactions, self.run_by_sqlite = [], [], []
        listeners: list[tuple[Any, str, Callable[..., None]]] = [
            (self.engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: self.sent.append(sql)),
            (self.engine, "begin", lambda _c: self.transactions.append("BEGIN")),
            (self.engine, "commit", lambda _c: self.transactions.append("COMMIT")),
            (self.engine, "rollback", lambda _c: self.transactions.append("ROLLBACK")),
        ]
        if self.engine.dialect.name == "sqlite":
            listeners += [(self.engine.pool, "checkout", lambda dbapi, *_a: dbapi.set_trace_callback(
                self.run_by_sqlite.append)), (self.engine.pool, "checkin", lambda dbapi, *_a: dbapi and
                                              dbapi.set_trace_callback(None))]
        for target, name, fn in listeners:
            event.listen(target, name, fn)
        try:
            yield self
        finally:
            for target, name, fn in listeners:
                event.remove(target, name, fn)

    def only_sent(self) -> list[str]:
        """What SQLite ran besides BEGIN, COMMIT and PRAGMA: must be what SQLAlchemy sent.

        SQLite's trace repeats a statement once for each foreign-key action it runs inside it (deleting a span
        cascades to the relations that hold it): a repeat in a row is the same statement.
        """
        ran = [s for s in self.run_by_sqlite if not s.startswith(("BEGIN", "COMMIT", "PRAGMA"))]
        return [s for i, s in enumerate(ran) if i == 0 or ran[i - 1] != s]


TEAM_TEXTS = ["Olena Marchuk said 400 homes lost power in Velmora.", "The port said exports fell by 34 per cent.",
              "Irena Dobric said 12,000 residents left Dorvan."]


@dataclass
class Team:
    url: str  # the database, as the superuser who owns its tables
    names: dict[str, str]  # "ana" -> this test's role name for her

    def url_as(self, who: str) -> str:
        return self.url.replace("postgres@", f"{self.names[who]}@", 1)

    def open_as(self, who: str) -> Workspace:
        from annotator.services.workspace import open_workspace

        return open_workspace(self.url_as(who))


@pytest.fixture
def team(pg_url: str, tmp_path: Path) -> Iterator[Team]:
    """A team on a PostgreSQL database: TEAM_TEXTS imported, roles for ana, ben, cy, dan (annotators) and lea (the
    lead) with their grants and policies; the roles are dropped afterwards (they belong to the whole server)."""
    from annotator.services.importing import import_paths
    from annotator.services.team import init_team
    from annotator.services.workspace import open_workspace

    suffix = uuid.uuid4().hex[:6]
    names = {who: f"{who}_{suffix}" for who in ("ana", "ben", "cy", "dan", "lea")}
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEAM_TEXTS), encoding="utf-8")
    ws = open_workspace(pg_url)
    try:
        assert import_paths(ws, [source], project="default", annotator=names["ana"]).errors == []
        init_team(ws, lead=names["lea"], annotators=[names[w] for w in ("ana", "ben", "cy", "dan")])
    finally:
        ws.close()
    try:
        yield Team(pg_url, names)
    finally:
        database = pg_url.rpartition("/")[2]
        drop_roles(pg_url, [*names.values(), f"{database}_annotators", f"{database}_lead"])
