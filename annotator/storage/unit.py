"""The unit of work: one transaction, one Repository, driver errors turned into StorageError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from annotator.storage.engine import Database, storage_errors
from annotator.storage.repository import Repository


@contextmanager
def unit_of_work(database: Database) -> Iterator[Repository]:
    with storage_errors(database.where), database.sessions.begin() as session:
        yield Repository(session)
