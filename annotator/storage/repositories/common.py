"""What several repositories share: an insert that another writer may have beaten us to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Table, insert
from sqlalchemy.orm import Session

from annotator.storage import span_writes


def insert_if_absent(session: Session, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on `keys`; True when this call added the row.

    PostgreSQL waits for a concurrent inserter of the same key to finish, then does nothing; the caller
    reads the row back, whoever made it.
    """
    dialect_insert = span_writes.upsert_insert(session.get_bind().dialect.name)
    if dialect_insert is None:
        session.execute(insert(table).values(**values))
        return True
    result = session.execute(dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))
    assert isinstance(result, CursorResult)  # what a Core INSERT returns; it has the row count
    return bool(result.rowcount)
