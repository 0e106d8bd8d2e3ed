"""The SQL of the team dashboard: finished documents with when, spans per label and owner, time per document.

Works inside the caller's unit of work. Portable SQL for SQLite and PostgreSQL: days are cut from the timestamps
in Python, where the time zone is the user's, not the server's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.domain.documents import Status
from annotator.domain.layers import OwnerKind
from annotator.storage.models import AnnotatorRow, DocumentRow, DocumentStatusRow, LabelRow
from annotator.storage.repositories.spans import span_query

PEOPLE_AND_GOLD = (OwnerKind.ANNOTATOR.value, OwnerKind.GOLD.value)


class DashboardStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    def finished(self, project_id: int) -> list[tuple[str, datetime, float]]:
        """(person, when it was marked done, seconds spent) of every finished document of the project."""
        query = (
            select(AnnotatorRow.name, DocumentStatusRow.updated_at, DocumentStatusRow.seconds)
            .join(AnnotatorRow, AnnotatorRow.id == DocumentStatusRow.annotator_id)
            .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
            .where(DocumentRow.project_id == project_id, AnnotatorRow.kind == OwnerKind.ANNOTATOR.value,
                   DocumentStatusRow.status == Status.DONE.value)
        )
        # SQLite hands back the stored UTC time without its zone
        return [(who, when if when.tzinfo else when.replace(tzinfo=UTC), float(seconds or 0.0))
                for who, when, seconds in self.s.execute(query)]

    def spans_per_label(self, project_id: int) -> list[tuple[str, str, str, int]]:
        """(owner kind, owner, label, spans) for people and gold; models' suggestions are not anyone's work."""
        query = (
            span_query(AnnotatorRow.kind, AnnotatorRow.name, LabelRow.name, func.count(), project_id=project_id)
            .where(AnnotatorRow.kind.in_(PEOPLE_AND_GOLD))
            .group_by(AnnotatorRow.kind, AnnotatorRow.name, LabelRow.name)
        )
        return [(kind, who, label, n) for kind, who, label, n in self.s.execute(query)]
