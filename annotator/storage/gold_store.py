"""The SQL of review into gold: the layers a review reads, gold spans written with their origin, gold decisions.

Works inside the caller's unit of work (the session of its Repository). Gold is the owner row of kind `gold`
(ADR 0008). A rejected candidate is a row of suggestion_decision decided by that gold row, so it is one
decision per (document, label, start, end) whoever made the span; its source_id holds the reviewer who
decided, since the people who made a candidate are several and are in their own spans anyway. Portable SQL
for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from annotator.domain.documents import Status
from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.review import GoldSpan, Key, Verdict
from annotator.domain.spans import Span
from annotator.storage import span_writes
from annotator.storage.models import (
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    LabelRow,
    ProjectRow,
    SpanRow,
    SuggestionDecisionRow,
)
from annotator.storage.repositories.spans import SPAN_COLUMNS, SPAN_ORDER, span_query

DECISION = span_writes.table_of(SuggestionDecisionRow)
OWNER = span_writes.table_of(AnnotatorRow)
PERSON = OwnerKind.ANNOTATOR.value
BATCH = 500  # documents per query: under every driver's bound-parameter limit


@dataclass
class ReviewRows:
    """What a review of one document is made of, as read from the database."""

    annotators: set[str] = field(default_factory=set)
    people: dict[str, list[Span]] = field(default_factory=dict)
    gold: list[GoldSpan] = field(default_factory=list)
    verdicts: dict[Key, Verdict] = field(default_factory=dict)


class GoldStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- owners -----------------------------------------------------------------------------------
    def owner_id(self, owner: Owner) -> int:
        """The owner's row, made when absent (another process may be making it too: ON CONFLICT DO NOTHING)."""
        where = (AnnotatorRow.kind == owner.kind.value, AnnotatorRow.name == owner.name)
        found = self.s.scalar(select(AnnotatorRow.id).where(*where))
        if found is None:
            dialect_insert = span_writes.upsert_insert(self.s.get_bind().dialect.name)
            values = {"kind": owner.kind.value, "name": owner.name}
            if dialect_insert is None:
                self.s.execute(insert(OWNER).values(**values))
            else:
                self.s.execute(dialect_insert(OWNER).values(**values).on_conflict_do_nothing(
                    index_elements=["kind", "name"]))
            found = self.s.scalar(select(AnnotatorRow.id).where(*where))
        assert found is not None
        return found

    def gold_id(self) -> int:
        return self.owner_id(Owner.gold())

    # -- reading ----------------------------------------------------------------------------------
    def review_rows(self, document_ids: Sequence[int], gold_id: int) -> dict[int, ReviewRows]:
        """Each document's annotators (a span, or a status other than todo), people's spans, gold and decisions."""
        out = {d: ReviewRows() for d in document_ids}
        conn = self.s.connection()
        for i in range(0, len(document_ids), BATCH):
            chunk = list(document_ids[i:i + BATCH])
            people = (span_query(SpanRow.document_id, *SPAN_COLUMNS, documents=chunk, owner_kind=OwnerKind.ANNOTATOR)
                      .order_by(SpanRow.document_id, *SPAN_ORDER))
            for document_id, id_, start, end, label, who in conn.execute(people):
                rows = out[document_id]
                rows.annotators.add(who)
                rows.people.setdefault(who, []).append(Span(start, end, label, id_, who))
            statuses = (
                select(DocumentStatusRow.document_id, AnnotatorRow.name)
                .join(AnnotatorRow, AnnotatorRow.id == DocumentStatusRow.annotator_id)
                .where(DocumentStatusRow.document_id.in_(chunk), AnnotatorRow.kind == PERSON,
                       DocumentStatusRow.status != Status.TODO.value)
            )
            for document_id, who in conn.execute(statuses):
                out[document_id].annotators.add(who)
            gold = (span_query(SpanRow.document_id, SpanRow.id, SpanRow.start, SpanRow.end, LabelRow.name,
                               SpanRow.origin, documents=chunk, owner_id=gold_id)
                    .order_by(SpanRow.document_id, *SPAN_ORDER))
            for document_id, id_, start, end, label, origin in conn.execute(gold):
                out[document_id].gold.append(GoldSpan(start, end, label, id_, origin))
            verdicts = (
                select(DECISION.c.document_id, DECISION.c.start, DECISION.c.end, LabelRow.name, DECISION.c.decision,
                       OWNER.c.name)
                .join(LabelRow, LabelRow.id == DECISION.c.label_id)
                .outerjoin(OWNER, OWNER.c.id == DECISION.c.source_id)
                .where(DECISION.c.document_id.in_(chunk), DECISION.c.decided_by == gold_id)
            )
            for document_id, start, end, label, decision, reviewer in conn.execute(verdicts):
                out[document_id].verdicts[(start, end, label)] = Verdict(decision, reviewer)
        return out

    def project_of(self, document_id: int) -> int | None:
        return self.s.scalar(select(DocumentRow.project_id).where(DocumentRow.id == document_id))

    def document_ids(self, project_id: int) -> list[int]:
        return list(self.s.scalars(select(DocumentRow.id).where(DocumentRow.project_id == project_id)
                                   .order_by(DocumentRow.position)))

    def gold_count(self, project_id: int, gold_id: int) -> int:
        return self.s.scalar(span_query(func.count(), project_id=project_id, owner_id=gold_id)) or 0

    def document_length(self, document_id: int) -> int | None:
        return self.s.scalar(select(func.length(DocumentRow.text)).where(DocumentRow.id == document_id))

    def lock_project(self, project_id: int) -> None:
        """Take the project's row (PostgreSQL) or the write lock (SQLite) before reading what a bulk write
        decides on, so that two runs at once take turns and the second finds the first one's gold."""
        project = span_writes.table_of(ProjectRow)
        self.s.execute(update(project).where(project.c.id == project_id).values(lang=project.c.lang))

    # -- writing ----------------------------------------------------------------------------------
    def insert_gold(self, project_id: int, document_id: int, gold_id: int, span: GoldSpan) -> int | None:
        """The gold span under the rules of any span (label of the project, no same-label overlap), with its
        origin, keeping `span.id` when given (a redo); None when a rule refused it."""
        conn = self.s.connection()
        new_id = span_writes.insert_span(conn, project_id=project_id, document_id=document_id,
                                         annotator_id=gold_id, label=span.label, start=span.start, end=span.end,
                                         span_id=span.id)
        if new_id is not None:
            conn.execute(update(span_writes.SPAN).where(span_writes.SPAN.c.id == new_id).values(origin=span.origin))
        return new_id

    def insert_gold_many(self, project_id: int, gold_id: int, spans: Sequence[tuple[int, GoldSpan]]) -> None:
        """Many gold spans (document, span) in one statement, for a bulk acceptance that holds the project's lock
        (lock_project) and planned them on what it read under it: the rules were checked by that plan."""
        label_ids = dict(self.s.execute(select(LabelRow.name, LabelRow.id).where(LabelRow.project_id == project_id))
                         .all())
        now = datetime.now(UTC)
        rows = [{"document_id": document_id, "annotator_id": gold_id, "label_id": label_ids[span.label],
                 "start": span.start, "end": span.end, "origin": span.origin, "created_at": now}
                for document_id, span in spans]
        if rows:
            self.s.execute(insert(span_writes.SPAN), rows)

    def delete_gold(self, project_id: int, document_id: int, gold_id: int, span: GoldSpan) -> bool:
        """Delete the gold span while it is still `span`; False when it was changed or removed meanwhile."""
        assert span.id is not None
        return span_writes.delete_span(self.s.connection(), span_id=span.id, annotator_id=gold_id,
                                       project_id=project_id,
                                       expected=(document_id, span.label, span.start, span.end)) is not None

    def relabel_gold(self, project_id: int, document_id: int, gold_id: int, span_id: int, start: int, end: int,
                     before: str, after: str) -> bool:
        return span_writes.relabel_span(self.s.connection(), span_id=span_id, annotator_id=gold_id,
                                        project_id=project_id, label=after,
                                        expected=(document_id, before, start, end))

    def verdict(self, document_id: int, gold_id: int, label_id: int, start: int, end: int) -> tuple[int, Verdict] | None:
        row = self.s.execute(
            select(DECISION.c.id, DECISION.c.decision, OWNER.c.name)
            .outerjoin(OWNER, OWNER.c.id == DECISION.c.source_id)
            .where(DECISION.c.document_id == document_id, DECISION.c.decided_by == gold_id,
                   DECISION.c.label_id == label_id, DECISION.c.start == start, DECISION.c.end == end)
        ).first()
        return None if row is None else (row[0], Verdict(row[1], row[2]))

    def label_id(self, project_id: int, label: str) -> int | None:
        return self.s.scalar(select(LabelRow.id).where(LabelRow.project_id == project_id, LabelRow.name == label))

    def set_verdict(self, document_id: int, gold_id: int, label_id: int, start: int, end: int,
                    before: Verdict | None, after: Verdict | None) -> bool:
        """Make gold's decision on (label, start, end) `after` while it is still `before`; False when it was not."""
        found = self.verdict(document_id, gold_id, label_id, start, end)
        if (None if found is None else found[1]) != before:
            return False
        reviewer_id = None if after is None or after.reviewer is None else self.owner_id(Owner.person(after.reviewer))
        if after is None:
            if found is not None:
                self.s.execute(delete(DECISION).where(DECISION.c.id == found[0]))
        elif found is None:
            self.s.execute(insert(DECISION).values(
                document_id=document_id, decided_by=gold_id, source_id=reviewer_id, label_id=label_id, start=start,
                end=end, decision=after.decision, created_at=datetime.now(UTC)))
        else:
            self.s.execute(update(DECISION).where(DECISION.c.id == found[0]).values(
                decision=after.decision, source_id=reviewer_id, created_at=datetime.now(UTC)))
        return True
