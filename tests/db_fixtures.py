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
    from sqlalchemy import create_engine, text

    name = f"annotator_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{PG_URL.rpartition('/')[0]}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


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
