"""Each person's status of each document (todo, in progress, done, skipped) and the time spent on it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.domain.documents import Status
from annotator.storage import span_writes
from annotator.storage.models import DocumentRow, DocumentStatusRow
from annotator.storage.repositories.documents import DocumentRepository


class StatusRepository:
    def __init__(self, session: Session, documents: DocumentRepository) -> None:
        self.s = session
        self._documents = documents

    def get(self, document_id: int, annotator_id: int) -> tuple[Status, float]:
        row = self.s.get(DocumentStatusRow, (document_id, annotator_id))
        return (Status(row.status), row.seconds) if row else (Status.TODO, 0.0)

    def save(self, document_id: int, annotator_id: int, status: Status, add_seconds: float = 0.0) -> None:
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

    def add_seconds(self, document_id: int, annotator_id: int, seconds: float) -> None:
        """Add time spent on the document, its status left as it is (a document never opened is to do): one upsert
        where the database knows ON CONFLICT, as a document is left each time another opens."""
        dialect_insert = span_writes.upsert_insert(self.s.get_bind().dialect.name)
        if dialect_insert is None:  # pragma: no cover - SQLite and PostgreSQL both know ON CONFLICT
            self.save(document_id, annotator_id, self.get(document_id, annotator_id)[0], seconds)
            return
        now = datetime.now(UTC)
        table = span_writes.STATUS
        query = dialect_insert(table).values(document_id=document_id, annotator_id=annotator_id,
                                             status=Status.TODO.value, seconds=seconds, updated_at=now)
        self.s.execute(query.on_conflict_do_update(
            index_elements=[table.c.document_id, table.c.annotator_id],
            set_={"seconds": func.coalesce(table.c.seconds, 0.0) + query.excluded.seconds, "updated_at": now}))

    def mark_in_progress(self, document_id: int, annotator_id: int) -> None:
        if span_writes.upsert_insert(self.s.get_bind().dialect.name) is not None:
            span_writes.mark_in_progress(self.s.connection(), document_id, annotator_id)
        elif self.get(document_id, annotator_id)[0] == Status.TODO:
            self.save(document_id, annotator_id, Status.IN_PROGRESS)

    def counts(self, project_id: int, annotator_id: int) -> dict[Status, int]:
        # Only documents someone has opened have a status row: count those, and the rest are to do.
        # (An outer join over every document of a 100,000-document project took 23 ms; this takes a few.)
        total = self._documents.total(project_id)
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
