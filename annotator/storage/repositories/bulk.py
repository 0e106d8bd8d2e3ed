"""The import's many-row writes: documents and their spans through Core, one statement for many rows.

Kept apart from the per-aggregate repositories because it is one tuned path across two tables (DESIGN:
bulk work through Core in one transaction).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table, insert, select
from sqlalchemy.orm import Session

from annotator.storage import span_writes
from annotator.storage.models import DocumentRow, SpanRow

# How SQLAlchemy's SQLite dialect stores a DateTime; bulk rows are written in the same form.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


class BulkWrites:
    def __init__(self, session: Session) -> None:
        self.s = session

    def insert_documents(self, rows: list[dict[str, Any]]) -> list[int]:
        """Bulk insert through Core; returns the new ids in the order given.

        The rows of one call must share a project and carry new positions allocated under lock_project. On
        SQLite ids are read back by position: SQLite cannot keep RETURNING in parameter order for a multi-row
        insert, so SQLAlchemy would fall back to one statement per row. PostgreSQL returns them in order.
        """
        if not rows:
            return []
        table = span_writes.table_of(DocumentRow)
        conn = self.s.connection()
        if conn.dialect.name != "sqlite":
            now = datetime.now(UTC)
            for row in rows:
                row.setdefault("created_at", now)
            returned = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            return list(returned.scalars())
        self._bulk_insert(table, rows)
        first, last = rows[0]["position"], rows[-1]["position"]
        found = dict(self.s.connection().execute(
            select(table.c.position, table.c.id).where(
                table.c.project_id == rows[0]["project_id"], table.c.position.between(first, last))
        ).all())
        return [found[row["position"]] for row in rows]

    def insert_spans(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._bulk_insert(span_writes.table_of(SpanRow), rows)

    def _bulk_insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """One executemany of plain rows (all with the same keys), in the session's transaction."""
        now = datetime.now(UTC)
        for row in rows:
            row.setdefault("created_at", now)
        conn = self.s.connection()
        if conn.dialect.name != "sqlite":
            conn.execute(insert(table), rows)
            return
        # SQLite: the same INSERT handed to the driver with values already in their stored form. SQLAlchemy's
        # per-row parameter processing cost more than SQLite's own work on a 100,000-document import.
        columns = list(rows[0])
        json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
        stamp = now.strftime(SQLITE_DATETIME)
        values = [
            tuple(json.dumps(row[c]) if c in json_columns else stamp if row[c] is now else row[c] for c in columns)
            for row in rows
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', values)

