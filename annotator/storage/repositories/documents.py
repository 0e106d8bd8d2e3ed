"""Documents of a project: reading order, the list the window pages through, moving between them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from annotator.domain.documents import Document, DocumentListItem, Status
from annotator.domain.layers import OwnerKind
from annotator.storage.models import (
    AnnotatorRow,
    AssignmentRow,
    DocumentRow,
    DocumentStatusRow,
    ProjectRow,
    SpanRow,
)
from annotator.storage.repositories.spans import SpanRepository


def _document(row: DocumentRow, lang: str) -> Document:
    return Document(row.id, row.project_id, row.text, row.title, row.source, dict(row.meta or {}), lang)


class DocumentRepository:
    def __init__(self, session: Session, spans: SpanRepository) -> None:
        self.s = session
        self._spans = spans

    def get(self, document_id: int) -> Document | None:
        found = self.s.execute(select(DocumentRow, ProjectRow.lang).join(ProjectRow, ProjectRow.id == DocumentRow.project_id)
                               .where(DocumentRow.id == document_id)).first()
        return None if found is None else _document(found[0], found[1] or "en")

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

    def id_by_hash(self, project_id: int, digest: str) -> int | None:
        return self.s.scalar(
            select(DocumentRow.id).where(DocumentRow.project_id == project_id, DocumentRow.content_hash == digest)
        )

    def next_position(self, project_id: int) -> int:
        top = self.s.scalar(select(func.max(DocumentRow.position)).where(DocumentRow.project_id == project_id))
        return 0 if top is None else top + 1

    def ids(self, project_id: int, *, annotator_id: int | None = None, status: Status | None = None) -> list[int]:
        """The project's document ids in reading order; with a status, those the annotator has in it."""
        if status is None:
            query = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
        else:
            assert annotator_id is not None, "a status belongs to an annotator"
            query = self._list_query(project_id, annotator_id, status, "").with_only_columns(DocumentRow.id)
        return list(self.s.scalars(query.order_by(DocumentRow.position)))

    def batch(self, ids: Sequence[int]) -> list[tuple[int, str, str, str, dict[str, Any]]]:
        rows = self.s.execute(
            select(DocumentRow.id, DocumentRow.text, DocumentRow.title, DocumentRow.source, DocumentRow.meta)
            .where(DocumentRow.id.in_(list(ids)))
            .order_by(DocumentRow.position)
        )
        return [(r[0], r[1], r[2], r[3], dict(r[4] or {})) for r in rows]

    def texts(self, ids: Sequence[int]) -> dict[int, str]:
        return dict(self.s.connection().execute(
            select(DocumentRow.id, DocumentRow.text).where(DocumentRow.id.in_(list(ids)))).all())

    def _list_query(self, project_id: int, annotator_id: int, status: Status | None,
                    text: str, queue: bool = False) -> Select[int, str, str, int]:
        status_col = func.coalesce(DocumentStatusRow.status, Status.TODO.value)
        query = (
            select(DocumentRow.id, DocumentRow.title, status_col, DocumentRow.position)
            .outerjoin(
                DocumentStatusRow,
                and_(DocumentStatusRow.document_id == DocumentRow.id, DocumentStatusRow.annotator_id == annotator_id),
            )
            .where(DocumentRow.project_id == project_id)
        )
        if queue:
            query = query.join(AssignmentRow, and_(AssignmentRow.document_id == DocumentRow.id,
                                                   AssignmentRow.annotator_id == annotator_id))
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

    def page(
        self, project_id: int, annotator_id: int, *, status: Status | None = None, text: str = "",
        offset: int = 0, limit: int = 200, queue: bool = False,
    ) -> list[DocumentListItem]:
        """One page of the document list: status and span count as the annotator has them; with `queue`, only
        the documents assigned to the annotator, in their queue's order."""
        query = self._list_query(project_id, annotator_id, status, text, queue)
        query = query.order_by(AssignmentRow.position, DocumentRow.position) if queue else query.order_by(
            DocumentRow.position)
        rows = self.s.execute(query.offset(offset).limit(limit)).all()
        counts = self._spans.counts([r[0] for r in rows], annotator_id)
        return [DocumentListItem(r[0], r[1], Status(r[2]), counts.get(r[0], 0), r[3]) for r in rows]

    def count_matching(self, project_id: int, annotator_id: int, *, status: Status | None = None,
                       text: str = "", queue: bool = False) -> int:
        sub = self._list_query(project_id, annotator_id, status, text, queue).subquery()
        return self.s.scalar(select(func.count()).select_from(sub)) or 0

    def neighbour(self, project_id: int, position: int, *, forward: bool) -> int | None:
        col = DocumentRow.position
        query = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
        query = query.where(col > position).order_by(col) if forward else query.where(col < position).order_by(col.desc())
        return self.s.scalar(query.limit(1))

    def count_before(self, project_id: int, position: int) -> int:
        return self.s.scalar(
            select(func.count()).where(DocumentRow.project_id == project_id, DocumentRow.position < position)
        ) or 0

    def project_of(self, document_id: int) -> int | None:
        return self.s.scalar(select(DocumentRow.project_id).where(DocumentRow.id == document_id))

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

    def total(self, project_id: int) -> int:
        return self.s.scalar(select(func.count()).where(DocumentRow.project_id == project_id)) or 0

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
