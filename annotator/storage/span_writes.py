"""The writes of a key press, each one statement that checks its own rules: a tag, an untag, a relabel, a move.

Each statement reads nothing first: the document, the label (by name, through its unique index), the annotator
and the same-label overlap are conditions of the write itself, so the check and the write are one step
(on SQLite the first statement of the transaction is the write and takes the lock at once; on PostgreSQL no
other transaction slips in between a read and the write). A statement that finds its conditions false
changes nothing and returns no row; the caller then reads why (the slow path, taken only on a refusal).
INSERT ... SELECT and RETURNING run on SQLite 3.35+ and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, and_, delete, exists, insert, literal, select, update

from annotator.domain.documents import Status
from annotator.storage.models import AnnotatorRow, Base, DocumentRow, DocumentStatusRow, LabelRow, SpanRow

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Exists, ScalarSelect
    from sqlalchemy.dialects import postgresql, sqlite

    UpsertInsert = Callable[[Table], postgresql.Insert | sqlite.Insert]


def table_of(row: type[Base]) -> Table:
    """The class's Table: SQLAlchemy types `__table__` as any FromClause, but a declarative class maps a Table."""
    table = row.__table__
    assert isinstance(table, Table)
    return table


SPAN = table_of(SpanRow)
OTHER = SPAN.alias("other")
STATUS = table_of(DocumentStatusRow)


def _label_id(project_id: int, name: str) -> ScalarSelect[int]:
    return select(LabelRow.id).where(LabelRow.project_id == project_id, LabelRow.name == name).scalar_subquery()


def _clash(document_id: Any, annotator_id: Any, label_id: Any, start: Any, end: Any, own_id: Any = None) -> Exists:
    """A same-label span of the annotator that shares a character with [start, end) (an exact repeat included)."""
    found = exists().where(OTHER.c.document_id == document_id, OTHER.c.annotator_id == annotator_id,
                           OTHER.c.label_id == label_id, OTHER.c.start < end, OTHER.c.end > start)
    return found if own_id is None else found.where(OTHER.c.id != own_id)


def insert_span(conn: Connection, *, project_id: int, document_id: int, annotator_id: int, label: str, start: int,
                end: int, span_id: int | None = None, origin: str = "manual") -> int | None:
    """INSERT ... SELECT FROM document, label, annotator WHERE no clash RETURNING id; None when a rule refused it.

    `origin`: manual, or `model:NAME` for an accepted suggestion."""
    now = literal(datetime.now(UTC), SPAN.c.created_at.type)
    columns = [SPAN.c.document_id, SPAN.c.annotator_id, SPAN.c.label_id, SPAN.c.start, SPAN.c.end, SPAN.c.origin,
               SPAN.c.created_at]
    values = [DocumentRow.id, AnnotatorRow.id, LabelRow.id, literal(start), literal(end), literal(origin), now]
    if span_id is not None:  # redo of an undone removal keeps the span's identity
        columns.insert(0, SPAN.c.id)
        values.insert(0, literal(span_id))
    # Joins on constants, not a comma list: each side holds at most one row, and SQLAlchemy's linter reads a
    # comma list as a cartesian product.
    rows = (table_of(DocumentRow).join(table_of(AnnotatorRow), AnnotatorRow.id == annotator_id)
            .join(table_of(LabelRow), and_(LabelRow.project_id == project_id, LabelRow.name == label)))
    source = (
        select(*values).select_from(rows)
        .where(DocumentRow.id == document_id, ~_clash(document_id, annotator_id, LabelRow.id, start, end))
    )
    return conn.execute(insert(SPAN).from_select(columns, source).returning(SPAN.c.id)).scalar()


def delete_span(conn: Connection, *, span_id: int, annotator_id: int, project_id: int,
                expected: tuple[int, str, int, int] | None = None) -> tuple[int, int, int, int] | None:
    """DELETE the annotator's span `span_id`, only while it is still `expected` (document, label, start, end).

    Returns (document_id, label_id, start, end) of the removed row, None when nothing matched.
    """
    query = delete(SPAN).where(SPAN.c.id == span_id, SPAN.c.annotator_id == annotator_id)
    if expected is not None:
        document_id, label, start, end = expected
        query = query.where(SPAN.c.document_id == document_id, SPAN.c.label_id == _label_id(project_id, label),
                            SPAN.c.start == start, SPAN.c.end == end)
    row = conn.execute(query.returning(SPAN.c.document_id, SPAN.c.label_id, SPAN.c.start, SPAN.c.end)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def relabel_span(conn: Connection, *, span_id: int, annotator_id: int, project_id: int, label: str,
                 expected: tuple[int, str, int, int]) -> bool:
    """Give the span `label`, only while it is still `expected` and no same-label span of its owner overlaps it."""
    document_id, old_label, start, end = expected
    new_id = _label_id(project_id, label)
    query = (
        update(SPAN)
        .where(SPAN.c.id == span_id, SPAN.c.annotator_id == annotator_id, SPAN.c.document_id == document_id,
               SPAN.c.label_id == _label_id(project_id, old_label), SPAN.c.start == start, SPAN.c.end == end)
        .where(exists().where(LabelRow.project_id == project_id, LabelRow.name == label))
        .where(~_clash(document_id, annotator_id, new_id, start, end, own_id=span_id))
        .values(label_id=new_id)
    )
    return conn.execute(query.returning(SPAN.c.id)).first() is not None


def move_span(conn: Connection, *, span_id: int, annotator_id: int, project_id: int, start: int, end: int,
              expected: tuple[int, str, int, int], attrs: dict[str, Any] | None = None) -> bool:
    """Give the span the offsets [start, end) (and `attrs`, when given: a figure's reading of its new text), only
    while it is still `expected` and no other same-label span of its owner would overlap it: one UPDATE (an edge
    key)."""
    document_id, label, old_start, old_end = expected
    label_id = _label_id(project_id, label)
    query = (
        update(SPAN)
        .where(SPAN.c.id == span_id, SPAN.c.annotator_id == annotator_id, SPAN.c.document_id == document_id,
               SPAN.c.label_id == label_id, SPAN.c.start == old_start, SPAN.c.end == old_end)
        .where(~_clash(document_id, annotator_id, label_id, start, end, own_id=span_id))
        .values(start=start, end=end)
    )
    if attrs is not None:
        query = query.values(attrs=attrs)
    return conn.execute(query.returning(SPAN.c.id)).first() is not None


def mark_in_progress(conn: Connection, document_id: int, annotator_id: int) -> None:
    """A document the annotator has not started (no status row, or todo) becomes in progress: one upsert."""
    now = datetime.now(UTC)
    row = {"document_id": document_id, "annotator_id": annotator_id, "status": Status.IN_PROGRESS.value,
           "seconds": 0.0, "updated_at": now}
    dialect_insert = upsert_insert(conn.dialect.name)
    assert dialect_insert is not None, "the caller checks the database knows ON CONFLICT"
    query = dialect_insert(STATUS).values(**row).on_conflict_do_update(
        index_elements=[STATUS.c.document_id, STATUS.c.annotator_id],
        set_={"status": Status.IN_PROGRESS.value, "updated_at": now},
        where=STATUS.c.status == Status.TODO.value,
    )
    conn.execute(query)


def upsert_insert(dialect: str) -> UpsertInsert | None:
    """The INSERT construct that knows ON CONFLICT on this database (SQLite and PostgreSQL), else None."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    return None
