"""Queries and writes, one session at a time; rows become domain objects here and never leave."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain, groupby, islice
from operator import itemgetter
from typing import Any, Literal, cast, overload

from sqlalchemy import (
    JSON,
    Connection,
    CursorResult,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from annotator.domain.documents import Document, DocumentListItem, Project, Status
from annotator.domain.labels import Label, LabelSet, validate_kind
from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.records import SpanRecord
from annotator.domain.spans import Span
from annotator.storage import span_writes
from annotator.storage.models import (
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    LabelRow,
    ProjectRow,
    SpanRow,
)

# How SQLAlchemy's SQLite dialect stores a DateTime; bulk rows are written in the same form.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def _project(row: ProjectRow) -> Project:
    return Project(row.id, row.name, row.lang)


def _document(row: DocumentRow, lang: str) -> Document:
    return Document(row.id, row.project_id, row.text, row.title, row.source, dict(row.meta or {}), lang)


class Repository:
    """All SQL of the application. Portable SQL only: it runs on SQLite and PostgreSQL alike."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # -- annotators and projects ------------------------------------------------------------------
    @overload
    def annotator_id(self, name: str, *, create: Literal[True] = ...) -> int: ...
    @overload
    def annotator_id(self, name: str, *, create: bool) -> int | None: ...

    def annotator_id(self, name: str, *, create: bool = True) -> int | None:
        """The row of the person called `name` (made when absent, unless `create` is False)."""
        return self.owner_id(Owner.person(name), create=create)

    @overload
    def owner_id(self, owner: Owner, *, create: Literal[True] = ...) -> int: ...
    @overload
    def owner_id(self, owner: Owner, *, create: bool) -> int | None: ...

    def owner_id(self, owner: Owner, *, create: bool = True) -> int | None:
        """The row that owns a layer: a person, gold or a model, found by kind and name."""
        where = (AnnotatorRow.kind == owner.kind.value, AnnotatorRow.name == owner.name)
        found = self.s.scalar(select(AnnotatorRow.id).where(*where))
        if found is None and create:
            # Another process may be adding the same owner right now (two imports on a fresh database).
            self._insert_if_absent(span_writes.table_of(AnnotatorRow), {"name": owner.name, "kind": owner.kind.value},
                                   ["kind", "name"])
            found = self.s.scalar(select(AnnotatorRow.id).where(*where))
        return found

    def _insert_if_absent(self, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING on `keys`; True when this call added the row.

        PostgreSQL waits for a concurrent inserter of the same key to finish, then does nothing; the caller
        reads the row back, whoever made it.
        """
        dialect_insert = span_writes.upsert_insert(self.s.get_bind().dialect.name)
        if dialect_insert is None:
            self.s.execute(insert(table).values(**values))
            return True
        result = self.s.execute(dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))
        assert isinstance(result, CursorResult)  # what a Core INSERT returns; it has the row count
        return bool(result.rowcount)

    def lock_project(self, project_id: int) -> None:
        """Hold the project against other writers until the transaction ends: positions are allocated under it.

        PostgreSQL: a row lock (two imports into one project take turns; other projects go on). SQLite: the
        write lock taken now, so the transaction reads nothing stale (a second import waits, then goes on, or
        after the busy timeout gets the "locked" message).
        """
        self.s.execute(update(ProjectRow).where(ProjectRow.id == project_id).values(lang=ProjectRow.lang))

    def annotators(self) -> list[str]:
        """The people (not gold, not models), by name."""
        return list(self.s.scalars(select(AnnotatorRow.name).where(AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)
                                   .order_by(AnnotatorRow.name)))

    def owners(self) -> list[Owner]:
        """Every layer owner in the database: people, gold and models."""
        rows = self.s.execute(select(AnnotatorRow.kind, AnnotatorRow.name).order_by(AnnotatorRow.kind,
                                                                                    AnnotatorRow.name))
        return [Owner(OwnerKind(kind), name) for kind, name in rows]

    def project(self, name: str) -> Project | None:
        row = self.s.scalar(select(ProjectRow).where(ProjectRow.name == name))
        return _project(row) if row else None

    def project_by_id(self, project_id: int) -> Project | None:
        row = self.s.get(ProjectRow, project_id)
        return _project(row) if row else None

    def projects(self) -> list[Project]:
        return [_project(r) for r in self.s.scalars(select(ProjectRow).order_by(ProjectRow.id))]

    def create_project(self, name: str, lang: str, labels: Iterable[Label]) -> Project:
        """The project `name`, made with `labels` unless another process made it first (then as they made it)."""
        made = self._insert_if_absent(span_writes.table_of(ProjectRow),
                                      {"name": name, "lang": lang, "created_at": datetime.now(UTC)}, ["name"])
        row = self.s.scalar(select(ProjectRow).where(ProjectRow.name == name))
        assert row is not None
        if made:
            for label in labels:
                self.add_label(row.id, label)
        return _project(row)

    # -- labels -----------------------------------------------------------------------------------
    def labels(self, project_id: int) -> LabelSet:
        rows = self.s.scalars(select(LabelRow).where(LabelRow.project_id == project_id).order_by(LabelRow.position))
        return LabelSet(tuple(Label(r.name, r.colour, r.key, r.alt_key, r.description, validate_kind(r.kind))
                              for r in rows))

    def label_ids(self, project_id: int) -> dict[str, int]:
        rows = self.s.execute(select(LabelRow.name, LabelRow.id).where(LabelRow.project_id == project_id))
        return {name: id_ for name, id_ in rows}

    def add_label(self, project_id: int, label: Label) -> int:
        """The id of the project's label `label.name`, added now unless a concurrent writer just added it."""
        position = self.s.scalar(select(func.count()).where(LabelRow.project_id == project_id)) or 0
        self._insert_if_absent(span_writes.table_of(LabelRow), {
            "project_id": project_id, "name": label.name, "colour": label.colour, "key": label.key,
            "alt_key": label.alt_key, "description": label.description, "position": position,
            "kind": label.kind.value,
        }, ["project_id", "name"])
        found = self.s.scalar(select(LabelRow.id).where(LabelRow.project_id == project_id, LabelRow.name == label.name))
        assert found is not None
        return found

    def update_label(self, project_id: int, old_name: str, label: Label) -> None:
        self.s.execute(
            update(LabelRow)
            .where(LabelRow.project_id == project_id, LabelRow.name == old_name)
            .values(name=label.name, colour=label.colour, key=label.key, alt_key=label.alt_key,
                    description=label.description, kind=label.kind.value)
        )

    def delete_label(self, project_id: int, name: str) -> None:
        self.s.execute(delete(LabelRow).where(LabelRow.project_id == project_id, LabelRow.name == name))

    def label_span_count(self, project_id: int, name: str) -> int:
        """Spans of every person (and gold) that use the label: the work deleting it would delete. A model's
        suggestions of the label go with it uncounted; running the source again makes them again."""
        return self.s.scalar(
            select(func.count()).select_from(SpanRow).join(LabelRow, SpanRow.label_id == LabelRow.id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(LabelRow.project_id == project_id, LabelRow.name == name,
                   AnnotatorRow.kind != OwnerKind.MODEL.value)
        ) or 0

    # -- documents --------------------------------------------------------------------------------
    def document(self, document_id: int) -> Document | None:
        row = self.s.get(DocumentRow, document_id)
        if row is None:
            return None
        lang = self.s.scalar(select(ProjectRow.lang).where(ProjectRow.id == row.project_id)) or "en"
        return _document(row, lang)

    def existing_hashes(self, project_id: int, hashes: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(hashes), 500):  # stay under any driver's bound-parameter limit
            chunk = hashes[i : i + 500]
            found.update(
                self.s.scalars(
                    select(DocumentRow.content_hash).where(
                        DocumentRow.project_id == project_id, DocumentRow.content_hash.in_(chunk)
                    )
                )
            )
        return found

    def document_id_by_hash(self, project_id: int, digest: str) -> int | None:
        return self.s.scalar(
            select(DocumentRow.id).where(DocumentRow.project_id == project_id, DocumentRow.content_hash == digest)
        )

    def next_position(self, project_id: int) -> int:
        top = self.s.scalar(select(func.max(DocumentRow.position)).where(DocumentRow.project_id == project_id))
        return 0 if top is None else top + 1

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
        json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
        stamp = now.strftime(SQLITE_DATETIME)
        values = [
            tuple(json.dumps(row[c]) if c in json_columns else stamp if row[c] is now else row[c] for c in columns)
            for row in rows
        ]
        _insert_values(conn, table.name, columns, values, {})

    def document_ids(self, project_id: int, *, annotator_id: int | None = None,
                     status: Status | None = None) -> list[int]:
        """The project's document ids in reading order; with a status, those the annotator has in it."""
        if status is None:
            query = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
        else:
            assert annotator_id is not None, "a status belongs to an annotator"
            query = self._list_query(project_id, annotator_id, status, "").with_only_columns(DocumentRow.id)
        return list(self.s.scalars(query.order_by(DocumentRow.position)))

    def documents_batch(self, ids: Sequence[int]) -> list[tuple[int, str, str, str, dict[str, Any]]]:
        rows = self.s.execute(
            select(DocumentRow.id, DocumentRow.text, DocumentRow.title, DocumentRow.source, DocumentRow.meta)
            .where(DocumentRow.id.in_(list(ids)))
            .order_by(DocumentRow.position)
        )
        return [(r[0], r[1], r[2], r[3], dict(r[4] or {})) for r in rows]

    def _list_query(self, project_id: int, annotator_id: int, status: Status | None,
                    text: str) -> Select[int, str, str, int]:
        status_col = func.coalesce(DocumentStatusRow.status, Status.TODO.value)
        query = (
            select(DocumentRow.id, DocumentRow.title, status_col, DocumentRow.position)
            .outerjoin(
                DocumentStatusRow,
                and_(DocumentStatusRow.document_id == DocumentRow.id, DocumentStatusRow.annotator_id == annotator_id),
            )
            .where(DocumentRow.project_id == project_id)
        )
        if status is not None:
            query = query.where(status_col == status.value)
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            # SQLite's LIKE already ignores ASCII case (and its lower() knows no other), so lower(text)
            # would only cost a copy of every text; PostgreSQL needs ILIKE.
            sqlite = self.s.get_bind().dialect.name == "sqlite"
            title_match = DocumentRow.title.like if sqlite else DocumentRow.title.ilike
            text_match = DocumentRow.text.like if sqlite else DocumentRow.text.ilike
            query = query.where(or_(title_match(pattern, escape="\\"), text_match(pattern, escape="\\")))
        return query

    def list_documents(
        self, project_id: int, annotator_id: int, *, status: Status | None = None, text: str = "",
        offset: int = 0, limit: int = 200,
    ) -> list[DocumentListItem]:
        query = self._list_query(project_id, annotator_id, status, text).order_by(DocumentRow.position)
        rows = self.s.execute(query.offset(offset).limit(limit)).all()
        counts = self.span_counts([r[0] for r in rows], annotator_id)
        return [DocumentListItem(r[0], r[1], Status(r[2]), counts.get(r[0], 0), r[3]) for r in rows]

    def count_documents(self, project_id: int, annotator_id: int, *, status: Status | None = None, text: str = "") -> int:
        sub = self._list_query(project_id, annotator_id, status, text).subquery()
        return self.s.scalar(select(func.count()).select_from(sub)) or 0

    def span_counts(self, document_ids: Sequence[int], annotator_id: int) -> dict[int, int]:
        if not document_ids:
            return {}
        rows = self.s.execute(
            select(SpanRow.document_id, func.count())
            .where(SpanRow.document_id.in_(list(document_ids)), SpanRow.annotator_id == annotator_id)
            .group_by(SpanRow.document_id)
        )
        return {doc: n for doc, n in rows}

    def status_counts(self, project_id: int, annotator_id: int) -> dict[Status, int]:
        # Only documents someone has opened have a status row: count those, and the rest are to do.
        # (An outer join over every document of a 100,000-document project took 23 ms; this takes a few.)
        total = self.document_count(project_id)
        rows = self.s.execute(
            select(DocumentStatusRow.status, func.count())
            .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
            .where(DocumentStatusRow.annotator_id == annotator_id, DocumentRow.project_id == project_id)
            .group_by(DocumentStatusRow.status)
        )
        counts = {s: 0 for s in Status}
        for value, n in rows:
            counts[Status(value)] += n
        counts[Status.TODO] += total - sum(counts.values())
        return counts

    def neighbour(self, project_id: int, position: int, *, forward: bool) -> int | None:
        col = DocumentRow.position
        query = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
        query = query.where(col > position).order_by(col) if forward else query.where(col < position).order_by(col.desc())
        return self.s.scalar(query.limit(1))

    def count_documents_before(self, project_id: int, position: int) -> int:
        return self.s.scalar(
            select(func.count()).where(DocumentRow.project_id == project_id, DocumentRow.position < position)
        ) or 0

    def position_of(self, document_id: int) -> int | None:
        return self.s.scalar(select(DocumentRow.position).where(DocumentRow.id == document_id))

    def next_todo(self, project_id: int, annotator_id: int, after_position: int) -> int | None:
        status_col = func.coalesce(DocumentStatusRow.status, Status.TODO.value)
        base = (
            select(DocumentRow.id)
            .outerjoin(
                DocumentStatusRow,
                and_(DocumentStatusRow.document_id == DocumentRow.id, DocumentStatusRow.annotator_id == annotator_id),
            )
            .where(DocumentRow.project_id == project_id, status_col.in_([Status.TODO.value, Status.IN_PROGRESS.value]))
            .order_by(DocumentRow.position)
            .limit(1)
        )
        return self.s.scalar(base.where(DocumentRow.position > after_position)) or self.s.scalar(base)

    # -- status -----------------------------------------------------------------------------------
    def status(self, document_id: int, annotator_id: int) -> tuple[Status, float]:
        row = self.s.get(DocumentStatusRow, (document_id, annotator_id))
        return (Status(row.status), row.seconds) if row else (Status.TODO, 0.0)

    def set_status(self, document_id: int, annotator_id: int, status: Status, add_seconds: float = 0.0) -> None:
        row = self.s.get(DocumentStatusRow, (document_id, annotator_id))
        now = datetime.now(UTC)
        if row is None:
            self.s.add(DocumentStatusRow(document_id=document_id, annotator_id=annotator_id, status=status.value,
                                         seconds=add_seconds, updated_at=now))
        else:
            row.status = status.value
            row.seconds = (row.seconds or 0.0) + add_seconds
            row.updated_at = now
        self.s.flush()

    # -- spans ------------------------------------------------------------------------------------
    def spans(self, document_id: int, annotator_id: int | None, *, label: str | None = None,
              overlapping: tuple[int, int] | None = None) -> list[Span]:
        """The document's spans; `label` and `overlapping` (start, end) narrow them to what a new span could clash with."""
        query = (
            select(SpanRow.id, SpanRow.start, SpanRow.end, LabelRow.name, AnnotatorRow.name)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(SpanRow.document_id == document_id)
            .order_by(SpanRow.start, SpanRow.end.desc(), SpanRow.id)
        )
        if annotator_id is not None:
            query = query.where(SpanRow.annotator_id == annotator_id)
        if label is not None:
            query = query.where(LabelRow.name == label)
        if overlapping is not None:
            query = query.where(SpanRow.start < overlapping[1], SpanRow.end > overlapping[0])
        # Core rows through the session's connection: the ORM's row processing costs more than the query.
        return [Span(r[1], r[2], r[3], r[0], r[4]) for r in self.s.connection().execute(query).all()]

    def spans_for_documents(self, document_ids: Sequence[int], annotator_id: int | None) -> dict[int, list[Span]]:
        query = (
            select(SpanRow.document_id, SpanRow.id, SpanRow.start, SpanRow.end, LabelRow.name, AnnotatorRow.name)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(SpanRow.document_id.in_(list(document_ids)))
            .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end.desc(), SpanRow.id)
        )
        if annotator_id is not None:
            query = query.where(SpanRow.annotator_id == annotator_id)
        out: dict[int, list[Span]] = {d: [] for d in document_ids}
        for doc, id_, start, end, label, who in self.s.connection().execute(query).all():
            out[doc].append(Span(start, end, label, id_, who))
        return out

    def layer_spans(self, document_id: int) -> dict[Owner, list[Span]]:
        """Every layer of the document: its spans grouped by owner (person, gold, model), each sorted as `spans`."""
        query = (
            select(AnnotatorRow.kind, AnnotatorRow.name, SpanRow.id, SpanRow.start, SpanRow.end, LabelRow.name)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(SpanRow.document_id == document_id)
            .order_by(SpanRow.annotator_id, SpanRow.start, SpanRow.end.desc(), SpanRow.id)
        )
        # The rows come grouped by owner: one Owner per layer rather than one per row (the window opens a document
        # of 10,000 spans through this query, and building them row by row doubled its time).
        rows = self.s.connection().execute(query).all()
        return {Owner(OwnerKind(kind), who): [Span(r[3], r[4], r[5], r[2], who) for r in group]
                for (kind, who), group in groupby(rows, key=itemgetter(0, 1))}

    def span_records(self, document_ids: Sequence[int], annotator_id: int | None) -> dict[int, list[SpanRecord]]:
        """Each document's spans in reading order, as an export writes them: a span that several annotators
        made alike comes once. One table read, labels named from the project's few: an export reads every span."""
        query = (
            select(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label_id)
            .where(SpanRow.document_id.in_(list(document_ids)))
            .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end.desc(), SpanRow.id)
        )
        if annotator_id is not None:
            query = query.where(SpanRow.annotator_id == annotator_id)
        names = dict(self.s.execute(select(LabelRow.id, LabelRow.name)).tuples().all())
        found: dict[int, dict[SpanRecord, None]] = {d: {} for d in document_ids}
        for doc, start, end, label_id in self.s.connection().execute(query).tuples():
            found[doc][SpanRecord(start, end, names[label_id])] = None
        return {doc: list(spans) for doc, spans in found.items()}

    def add_span(self, project_id: int, document_id: int, annotator_id: int, label: str, start: int, end: int,
                 span_id: int | None = None) -> int | None:
        """One INSERT that checks the document, the label, the annotator and same-label overlaps; None: refused."""
        return span_writes.insert_span(self.s.connection(), project_id=project_id, document_id=document_id,
                                       annotator_id=annotator_id, label=label, start=start, end=end, span_id=span_id)

    def span(self, span_id: int) -> tuple[int, Span] | None:
        row = self.s.execute(
            select(SpanRow.document_id, SpanRow.start, SpanRow.end, LabelRow.name, AnnotatorRow.name)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(SpanRow.id == span_id)
        ).first()
        return (row[0], Span(row[1], row[2], row[3], span_id, row[4])) if row else None

    def delete_span(self, span_id: int, annotator_id: int, project_id: int,
                    expected: tuple[int, str, int, int] | None = None) -> tuple[int, int, int, int] | None:
        """One DELETE of the annotator's span while it is still `expected` (document, label, start, end)."""
        return span_writes.delete_span(self.s.connection(), span_id=span_id, annotator_id=annotator_id,
                                       project_id=project_id, expected=expected)

    def relabel_span(self, span_id: int, annotator_id: int, project_id: int, label: str,
                     expected: tuple[int, str, int, int]) -> bool:
        """One UPDATE while the span is still `expected` and the new label exists and clashes with nothing."""
        return span_writes.relabel_span(self.s.connection(), span_id=span_id, annotator_id=annotator_id,
                                        project_id=project_id, label=label, expected=expected)

    def mark_in_progress(self, document_id: int, annotator_id: int) -> None:
        if span_writes.upsert_insert(self.s.get_bind().dialect.name) is not None:
            span_writes.mark_in_progress(self.s.connection(), document_id, annotator_id)
        elif self.status(document_id, annotator_id)[0] == Status.TODO:
            self.set_status(document_id, annotator_id, Status.IN_PROGRESS)

    # -- statistics -------------------------------------------------------------------------------
    def span_stats(self, project_id: int) -> list[tuple[str, str, int]]:
        rows = self.s.execute(
            select(LabelRow.name, AnnotatorRow.name, func.count())
            .select_from(SpanRow)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(LabelRow.project_id == project_id)
            .group_by(LabelRow.name, AnnotatorRow.name)
            .order_by(LabelRow.name, AnnotatorRow.name)
        )
        return [(label, who, n) for label, who, n in rows]

    def annotated_documents(self, project_id: int) -> dict[int, tuple[str, set[int]]]:
        """Who annotated which of the project's documents (a span on it, or a status other than todo):
        {annotator id: (name, document ids)}."""
        in_project = (DocumentRow.project_id == project_id) & (AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)
        with_spans = (select(AnnotatorRow.id, AnnotatorRow.name, SpanRow.document_id).distinct()
                      .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
                      .join(DocumentRow, DocumentRow.id == SpanRow.document_id).where(in_project))
        with_status = (select(AnnotatorRow.id, AnnotatorRow.name, DocumentStatusRow.document_id)
                       .join(AnnotatorRow, AnnotatorRow.id == DocumentStatusRow.annotator_id)
                       .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
                       .where(in_project, DocumentStatusRow.status != Status.TODO.value))
        out: dict[int, tuple[str, set[int]]] = {}
        for query in (with_spans, with_status):
            for annotator_id, name, document_id in self.s.connection().execute(query):
                out.setdefault(annotator_id, (name, set()))[1].add(document_id)
        return out

    def document_count(self, project_id: int) -> int:
        return self.s.scalar(select(func.count()).where(DocumentRow.project_id == project_id)) or 0


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
