"""The import's many-row writes: documents and their spans through Core, one statement for many rows.

Kept apart from the per-aggregate repositories because it is one tuned path across two tables (DESIGN:
bulk work through Core in one transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from typing import Any, cast

from sqlalchemy import JSON, Connection, Table, insert, select
from sqlalchemy.orm import Session

from annotator.storage import span_writes
from annotator.storage.models import DocumentRow, JSONDocument, SpanRow

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

    def insert_spans(self, rows: Iterable[tuple[int, int, int, int, int]], origin: str = "import") -> int:
        """Bulk insert of (document_id, annotator_id, label_id, start, end) rows, all of one origin; how many.

        `rows` may be a generator: the rows are consumed a statement's worth at a time, and no list of them is
        kept (tens of thousands of live tuples made the garbage collector walk them again and again).
        """
        conn = self.s.connection()
        now = datetime.now(UTC)
        if conn.dialect.name != "sqlite":
            values = [{"document_id": d, "annotator_id": a, "label_id": lb, "start": s, "end": e, "origin": origin,
                       "created_at": now} for d, a, lb, s, e in rows]
            if values:
                conn.execute(insert(span_writes.table_of(SpanRow)), values)
            return len(values)
        return _insert_values(conn, "span", ("document_id", "annotator_id", "label_id", "start", "end"), rows,
                              {"origin": origin, "created_at": now.strftime(SQLITE_DATETIME)})

    def insert_spans_with_attrs(self, rows: Iterable[tuple[int, int, int, int, int, Mapping[str, Any]]],
                                origin: str = "import") -> int:
        """Bulk insert of (document_id, annotator_id, label_id, start, end, attrs) rows, all of one origin; how many."""
        conn = self.s.connection()
        now = datetime.now(UTC)
        if conn.dialect.name != "sqlite":
            values = [{"document_id": d, "annotator_id": a, "label_id": lb, "start": s, "end": e, "attrs": attrs,
                       "origin": origin, "created_at": now} for d, a, lb, s, e, attrs in rows]
            if values:
                conn.execute(insert(span_writes.table_of(SpanRow)), values)
            return len(values)
        dumps = json.dumps  # as SQLAlchemy's JSON type stores a value on SQLite
        return _insert_values(conn, "span", ("document_id", "annotator_id", "label_id", "start", "end", "attrs"),
                              ((d, a, lb, s, e, dumps(attrs)) for d, a, lb, s, e, attrs in rows),
                              {"origin": origin, "created_at": now.strftime(SQLITE_DATETIME)})

    def insert_span_dicts(self, rows: list[dict[str, Any]]) -> None:
        """Bulk insert of span rows that carry their own origin and attributes (a merge), all with the same keys."""
        if rows:
            self._bulk_insert(span_writes.table_of(SpanRow), rows)

    def _bulk_insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """One bulk insert of plain rows (all with the same keys), in the session's transaction."""
        now = datetime.now(UTC)
        for row in rows:
            row.setdefault("created_at", now)
        conn = self.s.connection()
        if conn.dialect.name != "sqlite":
            conn.execute(insert(table), rows)
            return
        # SQLite: the values handed to the driver already in their stored form. SQLAlchemy's per-row
        # parameter processing cost more than SQLite's own work on a 100,000-document import.
        columns = list(rows[0])
        json_columns = {c for c in columns if isinstance(table.c[c].type, JSON | JSONDocument)}
        stamp = now.strftime(SQLITE_DATETIME)
        values = [
            tuple(json.dumps(row[c]) if c in json_columns else stamp if row[c] is now else row[c] for c in columns)
            for row in rows
        ]
        _insert_values(conn, table.name, columns, values, {})


def _insert_values(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                   constants: dict[str, str]) -> int:
    """SQLite: INSERT of many rows per statement (VALUES (...), (...), ...), `constants` the same in every row.

    Not executemany: that runs the statement once per row, and with AUTOINCREMENT each run also reads and
    writes sqlite_sequence; a span-dense import then spent more time in SQLite than the rows themselves cost.
    Returns the number of rows written.
    """
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    width = len(columns)
    per_statement = max(1, min(_MAX_ROWS, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    names = ", ".join(f'"{c}"' for c in (*columns, *constants))
    fixed = "".join(", '" + value.replace("'", "''") + "'" for value in constants.values())
    row_sql = "(" + ", ".join("?" * width) + fixed + ")"
    full = ""
    written = 0
    rows = iter(rows)
    while flat := tuple(chain.from_iterable(islice(rows, per_statement))):
        count = len(flat) // width
        if count == per_statement:
            full = full or f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([row_sql] * count)
            sql = full
        else:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([row_sql] * count)
        conn.exec_driver_sql(sql, flat)
        written += count
    return written


_MAX_ROWS = 2000  # rows per INSERT: past a few thousand, compiling the statement costs more than it saves
