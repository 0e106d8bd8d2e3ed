"""Databases for the tests: a throw-away PostgreSQL database per test, and a database left at an old schema.

Registered for every test module by tests/conftest.py (`pytest_plugins`); import `database_at` where it is used.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL", "")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database (no tables yet), dropped afterwards; skipped without a server."""
    if not PG_URL:
        pytest.skip("no PostgreSQL server (set ANNOTATOR_TEST_PG_URL; .ci/run starts one)")
    with throwaway_database() as url:
        yield url


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
