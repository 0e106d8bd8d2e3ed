"""The SQL of suggestions: a model layer replaced per document, decisions read and written, tagged strings.

Works inside the caller's unit of work (the session of its Repository); portable SQL for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Delete, Insert, Select, Update, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from annotator.domain.layers import OwnerKind
from annotator.domain.spans import Span
from annotator.domain.suggestions import Decision, DecisionState
from annotator.storage import span_writes
from annotator.storage.models import AnnotatorRow, DocumentRow, LabelRow, SpanRow, SuggestionDecisionRow

DECISION = span_writes.table_of(SuggestionDecisionRow)
_TEXTS_AT_ONCE = 8  # documents' texts fetched at a time by tagged_spans (a server-side cursor on PostgreSQL)


class SuggestionStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- model layers -----------------------------------------------------------------------------
    def replace_layer(self, owner_id: int, project_id: int, origin: str,
                      by_document: Mapping[int, Sequence[Span]]) -> dict[str, int]:
        """The owner's spans of each document given become exactly those spans; spans of labels the project lacks
        are left out. Returns the count written per label."""
        label_ids = dict(self.s.execute(select(LabelRow.name, LabelRow.id).where(LabelRow.project_id == project_id))
                         .all())
        documents = list(by_document)
        for i in range(0, len(documents), 500):  # under any driver's bound-parameter limit
            self.s.execute(delete(SpanRow).where(SpanRow.annotator_id == owner_id,
                                                 SpanRow.document_id.in_(documents[i:i + 500])))
        now = datetime.now(UTC)
        rows = []
        counts: dict[str, int] = {}
        for document_id, spans in by_document.items():
            for span in spans:
                label_id = label_ids.get(span.label)
                if label_id is None:
                    continue
                counts[span.label] = counts.get(span.label, 0) + 1
                rows.append({"document_id": document_id, "annotator_id": owner_id, "label_id": label_id,
                             "start": span.start, "end": span.end, "origin": origin, "created_at": now})
        if rows:
            self.s.execute(insert(span_writes.SPAN), rows)
        return counts

    def model_layers(self, document_id: int) -> dict[str, list[Span]]:
        """The document's model layers by source name, each in reading order."""
        query = (
            select(AnnotatorRow.name, SpanRow.id, SpanRow.start, SpanRow.end, LabelRow.name)
            .join(SpanRow, SpanRow.annotator_id == AnnotatorRow.id)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .where(SpanRow.document_id == document_id, AnnotatorRow.kind == OwnerKind.MODEL.value)
            .order_by(AnnotatorRow.name, SpanRow.start, SpanRow.end.desc(), SpanRow.id)
        )
        out: dict[str, list[Span]] = {}
        for source, span_id, start, end, label in self.s.connection().execute(query).all():
            out.setdefault(source, []).append(Span(start, end, label, span_id, source))
        return out

    def filled(self, owner_id: int, document_ids: Sequence[int]) -> set[int]:
        """The documents among `document_ids` on which the owner has at least one span."""
        return set(self.s.scalars(select(SpanRow.document_id).distinct()
                                  .where(SpanRow.annotator_id == owner_id, SpanRow.document_id.in_(document_ids))))

    def tagged_strings(self, project_id: int) -> dict[str, dict[str, int]]:
        """The strings people (not gold, not models) have tagged in the project: text -> {label: times}."""
        out: dict[str, dict[str, int]] = {}
        for _, string, label in self.tagged_spans(project_id):
            labels = out.setdefault(string, {})
            labels[label] = labels.get(label, 0) + 1
        return out

    def tagged_spans(self, project_id: int, span_ids: Sequence[int] | None = None, *,
                     pause: Callable[[], None] = lambda: None) -> list[tuple[int, str, str]]:
        """(span id, text, label) of the spans people (not gold, not models) tagged in the project, or of those
        among `span_ids` (the window keeps the strings it read and follows each tag and untag).

        The offsets are read, then each document's text once, sliced here: SQL's substr walks a text from its start
        for every span (10,000 spans on a 1 MB text took 2.6 s on SQLite). The texts come a few at a time (memory
        holds a few, not a project's); `pause` is called before each text and each 1,000 offsets (the window's worker
        waits there while a document opens)."""
        query = (
            select(SpanRow.id, SpanRow.document_id, SpanRow.start, SpanRow.end, LabelRow.name)
            .join(DocumentRow, DocumentRow.id == SpanRow.document_id)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(DocumentRow.project_id == project_id, AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)
        )
        conn = self.s.connection()
        by_document: dict[int, list[tuple[int, int, int, str]]] = {}
        ids = list(span_ids or ())
        reads = [query] if span_ids is None else [query.where(SpanRow.id.in_(ids[i:i + 500]))
                                                  for i in range(0, len(ids), 500)]  # under any driver's limit
        for read in reads:
            for rows in conn.execute(read).partitions(1000):
                pause()
                for span_id, document_id, start, end, label in rows:
                    by_document.setdefault(document_id, []).append((span_id, start, end, label))
        texts = select(DocumentRow.id, DocumentRow.text).execution_options(yield_per=_TEXTS_AT_ONCE)
        documents = sorted(by_document)
        out: list[tuple[int, str, str]] = []
        for i in range(0, len(documents), 500):  # by ids, not a subquery: SQLite would walk every span before a row
            for batch in conn.execute(texts.where(DocumentRow.id.in_(documents[i:i + 500]))).partitions():
                for document_id, text in batch:
                    pause()
                    out += [(span_id, text[start:end], label) for span_id, start, end, label in by_document[document_id]]
        return out

    # -- decisions --------------------------------------------------------------------------------
    def rejected(self, document_id: int, person_id: int) -> set[tuple[int, int, str]]:
        return self.decided(document_id, person_id, only=Decision.REJECTED)

    def decided(self, document_id: int, person_id: int, *,
                only: Decision | None = None) -> set[tuple[int, int, str]]:
        """The (start, end, label) the person decided on in the document (only `only`'s when given)."""
        query = (
            select(DECISION.c.start, DECISION.c.end, LabelRow.name)
            .join(LabelRow, LabelRow.id == DECISION.c.label_id)
            .where(DECISION.c.document_id == document_id, DECISION.c.decided_by == person_id)
        )
        if only is not None:
            query = query.where(DECISION.c.decision == only.value)
        return {(start, end, label) for start, end, label in self.s.execute(query)}

    def set_decision(self, project_id: int, document_id: int, person_id: int, label: str, start: int, end: int,
                     state: DecisionState | None) -> DecisionState | None:
        """Make the person's decision on (label, start, end) `state` (None: no row); returns what it was.

        Core statements built once (their compiled form is cached): a read and one write, as a key press."""
        conn = self.s.connection()
        key = {"document_id": document_id, "person_id": person_id, "project_id": project_id, "label": label,
               "start": start, "end": end}
        found = conn.execute(_FIND_DECISION, key).first()
        if state is None:
            if found is not None:
                conn.execute(_DELETE_DECISION, {"id": found[0]})
        else:
            values = {"decision": state.decision.value, "source": state.source, "now": datetime.now(UTC)}
            if found is None:
                conn.execute(_INSERT_DECISION, {**key, **values})
            else:
                conn.execute(_UPDATE_DECISION, {"id": found[0], **values})
        return None if found is None else DecisionState(Decision(found[1]), found[2])

    # -- the person's spans -----------------------------------------------------------------------
    def add_span(self, project_id: int, document_id: int, person_id: int, label: str, start: int, end: int,
                 origin: str, span_id: int | None = None) -> int | None:
        """The person's span with its origin (`model:rules`), under the same rules as a key press; None: refused."""
        return span_writes.insert_span(self.s.connection(), project_id=project_id, document_id=document_id,
                                       annotator_id=person_id, label=label, start=start, end=end, span_id=span_id,
                                       origin=origin)


def _decision_statements() -> tuple[Select[Any], Delete, Insert, Update]:
    label_id = (select(LabelRow.id).where(LabelRow.project_id == bindparam("project_id"),
                                          LabelRow.name == bindparam("label")).scalar_subquery())
    source = span_writes.table_of(AnnotatorRow).alias("source")
    source_id = (select(source.c.id).where(source.c.kind == OwnerKind.MODEL.value, source.c.name == bindparam("source"))
                 .scalar_subquery())
    find = (
        select(DECISION.c.id, DECISION.c.decision, source.c.name)
        .outerjoin(source, source.c.id == DECISION.c.source_id)
        .where(DECISION.c.document_id == bindparam("document_id"), DECISION.c.decided_by == bindparam("person_id"),
               DECISION.c.label_id == label_id, DECISION.c.start == bindparam("start"),
               DECISION.c.end == bindparam("end"))
    )
    remove = delete(DECISION).where(DECISION.c.id == bindparam("id"))
    columns = [DECISION.c.document_id, DECISION.c.decided_by, DECISION.c.source_id, DECISION.c.label_id,
               DECISION.c.start, DECISION.c.end, DECISION.c.decision, DECISION.c.created_at]
    add = insert(DECISION).from_select(columns, select(
        bindparam("document_id"), bindparam("person_id"), source_id, label_id, bindparam("start"), bindparam("end"),
        bindparam("decision"), bindparam("now", type_=DECISION.c.created_at.type)))
    change = update(DECISION).where(DECISION.c.id == bindparam("id")).values(
        decision=bindparam("decision"), source_id=source_id, created_at=bindparam("now"))
    return find, remove, add, change


_FIND_DECISION, _DELETE_DECISION, _INSERT_DECISION, _UPDATE_DECISION = _decision_statements()
