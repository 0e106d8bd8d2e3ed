"""Spans and layers: one select builds every span query; the writes of a key press live in span_writes."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.records import SpanRecord
from annotator.domain.spans import Span
from annotator.storage import span_writes
from annotator.storage.models import AnnotatorRow, LabelRow, SpanRow

# What a Span is made of, and the order every list of spans comes in (by start, the longer first).
SPAN_COLUMNS = (SpanRow.id, SpanRow.start, SpanRow.end, LabelRow.name, AnnotatorRow.name)
SPAN_ORDER = (SpanRow.start, SpanRow.end.desc(), SpanRow.id)


def span_query(
    *columns: Any,
    span_id: int | None = None,
    documents: int | Sequence[int] | None = None,
    project_id: int | None = None,
    owner_id: int | None = None,
    owner_kind: OwnerKind | None = None,
    label: str | None = None,
    overlapping: tuple[int, int] | None = None,
) -> Select[*tuple[Any, ...]]:
    """The one select over spans: `columns` of the span joined to its label and owner, narrowed by each filter
    given (one document or several, the project, the owner or a kind of owner, the label, an overlapped range)."""
    where: list[ColumnElement[bool]] = []
    if span_id is not None:
        where.append(SpanRow.id == span_id)
    if isinstance(documents, int):
        where.append(SpanRow.document_id == documents)
    elif documents is not None:
        where.append(SpanRow.document_id.in_(list(documents)))
    if project_id is not None:
        where.append(LabelRow.project_id == project_id)  # a span's label is of its document's project
    if owner_id is not None:
        where.append(SpanRow.annotator_id == owner_id)
    if owner_kind is not None:
        where.append(AnnotatorRow.kind == owner_kind.value)
    if label is not None:
        where.append(LabelRow.name == label)
    if overlapping is not None:
        where.append(SpanRow.start < overlapping[1])
        where.append(SpanRow.end > overlapping[0])
    return (
        select(*columns).select_from(SpanRow)
        .join(LabelRow, LabelRow.id == SpanRow.label_id)
        .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
        .where(*where)
    )


class SpanRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def of_document(self, document_id: int, annotator_id: int | None, *, label: str | None = None,
                    overlapping: tuple[int, int] | None = None) -> list[Span]:
        """The document's spans; `label` and `overlapping` (start, end) narrow them to what a new span could clash with."""
        query = span_query(*SPAN_COLUMNS, documents=document_id, owner_id=annotator_id, label=label,
                           overlapping=overlapping).order_by(*SPAN_ORDER)
        # Core rows through the session's connection: the ORM's row processing costs more than the query.
        return [Span(r[1], r[2], r[3], r[0], r[4]) for r in self.s.connection().execute(query).all()]

    def of_documents(self, document_ids: Sequence[int], annotator_id: int | None, *,
                     owner_kind: OwnerKind | None = None) -> dict[int, list[Span]]:
        """Spans of several documents by document: one owner's, one kind of owner's, or (with neither) all."""
        query = span_query(SpanRow.document_id, *SPAN_COLUMNS, documents=document_ids, owner_id=annotator_id,
                           owner_kind=owner_kind).order_by(SpanRow.document_id, *SPAN_ORDER)
        out: dict[int, list[Span]] = {d: [] for d in document_ids}
        for doc, id_, start, end, label, who in self.s.connection().execute(query).all():
            out[doc].append(Span(start, end, label, id_, who))
        return out

    def rows(self, document_ids: Sequence[int], owner_ids: Sequence[int]) -> list[tuple[int, int, int, int, int]]:
        """(document id, owner id, label id, start, end) of the owners' spans on the documents: one query, no join,
        plain tuples (agreement reads every span of a project)."""
        query = (select(SpanRow.document_id, SpanRow.annotator_id, SpanRow.label_id, SpanRow.start, SpanRow.end)
                 .where(SpanRow.document_id.in_(list(document_ids)), SpanRow.annotator_id.in_(list(owner_ids))))
        return [(d, a, lb, s, e) for d, a, lb, s, e in self.s.connection().execute(query)]

    def records(self, document_ids: Sequence[int], owner_id: int | None, *,
                owner_kind: OwnerKind | None = None) -> dict[int, list[SpanRecord]]:
        """Each document's spans in reading order, as an export writes them: a span that several owners made
        alike comes once, with the attributes of the first. One read of the span table (no join: an export reads
        every span), labels named from the project's few; `owner_kind` narrows to one kind of owner when no
        owner is given."""
        query = (
            select(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label_id, SpanRow.attrs)
            .where(SpanRow.document_id.in_(list(document_ids)))
            .order_by(SpanRow.document_id, *SPAN_ORDER)
        )
        if owner_id is not None:
            query = query.where(SpanRow.annotator_id == owner_id)
        elif owner_kind is not None:
            query = query.where(SpanRow.annotator_id.in_(
                select(AnnotatorRow.id).where(AnnotatorRow.kind == owner_kind.value).scalar_subquery()))
        names: dict[int, str] = {id_: name for id_, name in self.s.execute(select(LabelRow.id, LabelRow.name))}
        # By (start, end, label id): a span's first row stays, attributes and all (they are not part of its
        # identity); a record is made once per span kept, not once per row.
        found: dict[int, dict[tuple[int, int, int], Any]] = {d: {} for d in document_ids}
        for doc, start, end, label_id, attrs in self.s.connection().execute(query):
            found[doc].setdefault((start, end, label_id), attrs)
        return {doc: [SpanRecord(start, end, names[label_id], None if attrs is None else dict(attrs))
                      for (start, end, label_id), attrs in spans.items()] for doc, spans in found.items()}

    def layers(self, document_id: int) -> dict[Owner, list[Span]]:
        """Every layer of the document: its spans grouped by owner (person, gold, model), each sorted as `of_document`."""
        # The window opens a document of 10,000 spans through this: its rows carry the owner's id, not its kind and
        # name (a join and two strings per row were a fifth of the read), and come grouped by owner, whose few
        # rows are read after them; one Owner per layer rather than one per row.
        query = (select(SpanRow.annotator_id, SpanRow.start, SpanRow.end, LabelRow.name, SpanRow.id)
                 .join(LabelRow, LabelRow.id == SpanRow.label_id).where(SpanRow.document_id == document_id)
                 .order_by(SpanRow.annotator_id, *SPAN_ORDER))
        rows = self.s.connection().execute(query).all()
        groups = [(owner_id, list(group)) for owner_id, group in groupby(rows, key=itemgetter(0))]
        owners = self._owners([owner_id for owner_id, _rows in groups])
        layers: dict[Owner, list[Span]] = {}
        for owner_id, group in groups:
            owner = owners.get(owner_id)
            if owner is not None:  # else removed since the spans were read (PostgreSQL), and its spans with it
                who = owner.name
                layers[owner] = [Span(start, end, label, id_, who) for _owner, start, end, label, id_ in group]
        return layers

    def _owners(self, owner_ids: Sequence[int]) -> dict[int, Owner]:
        if not owner_ids:
            return {}
        query = select(AnnotatorRow.id, AnnotatorRow.kind, AnnotatorRow.name).where(AnnotatorRow.id.in_(owner_ids))
        return {id_: Owner(OwnerKind(kind), name) for id_, kind, name in self.s.execute(query)}

    def get(self, span_id: int) -> tuple[int, Span] | None:
        """The span `span_id` with its document's id."""
        row = self.s.execute(span_query(SpanRow.document_id, *SPAN_COLUMNS, span_id=span_id)).first()
        return (row[0], Span(row[2], row[3], row[4], span_id, row[5])) if row else None

    def counts(self, document_ids: Sequence[int], annotator_id: int) -> dict[int, int]:
        """The annotator's spans per document."""
        if not document_ids:
            return {}
        rows = self.s.execute(span_query(SpanRow.document_id, func.count(), documents=document_ids,
                                         owner_id=annotator_id).group_by(SpanRow.document_id))
        return {doc: n for doc, n in rows}

    def count_labelled(self, project_id: int, label: str) -> int:
        """Spans of every person and gold that use the label: the work deleting it would delete. A model's
        suggestions of the label go with it uncounted; running the source again makes them again."""
        query = span_query(func.count(), project_id=project_id, label=label)
        return self.s.scalar(query.where(AnnotatorRow.kind != OwnerKind.MODEL.value)) or 0

    def stats(self, project_id: int) -> list[tuple[str, Owner, int]]:
        """(label, owner, spans) of every layer of the project, by label and owner."""
        query = (span_query(LabelRow.name, AnnotatorRow.kind, AnnotatorRow.name, func.count(), project_id=project_id)
                 .group_by(LabelRow.name, AnnotatorRow.kind, AnnotatorRow.name)
                 .order_by(LabelRow.name, AnnotatorRow.kind, AnnotatorRow.name))
        return [(label, Owner(OwnerKind(kind), who), n) for label, kind, who, n in self.s.execute(query)]

    def layer_counts(self, project_id: int) -> dict[Owner, int]:
        """The project's layers (owners with at least one span in it) and their spans, by kind and name."""
        query = (span_query(AnnotatorRow.kind, AnnotatorRow.name, func.count(), project_id=project_id)
                 .group_by(AnnotatorRow.kind, AnnotatorRow.name).order_by(AnnotatorRow.kind, AnnotatorRow.name))
        return {Owner(OwnerKind(kind), who): n for kind, who, n in self.s.execute(query)}

    def add(self, project_id: int, document_id: int, annotator_id: int, label: str, start: int, end: int,
            span_id: int | None = None) -> int | None:
        """One INSERT that checks the document, the label, the annotator and same-label overlaps; None: refused."""
        return span_writes.insert_span(self.s.connection(), project_id=project_id, document_id=document_id,
                                       annotator_id=annotator_id, label=label, start=start, end=end, span_id=span_id)

    def delete(self, span_id: int, annotator_id: int, project_id: int,
               expected: tuple[int, str, int, int] | None = None) -> tuple[int, int, int, int] | None:
        """One DELETE of the annotator's span while it is still `expected` (document, label, start, end)."""
        return span_writes.delete_span(self.s.connection(), span_id=span_id, annotator_id=annotator_id,
                                       project_id=project_id, expected=expected)

    def relabel(self, span_id: int, annotator_id: int, project_id: int, label: str,
                expected: tuple[int, str, int, int]) -> bool:
        """One UPDATE while the span is still `expected` and the new label exists and clashes with nothing."""
        return span_writes.relabel_span(self.s.connection(), span_id=span_id, annotator_id=annotator_id,
                                        project_id=project_id, label=label, expected=expected)

    def move(self, span_id: int, annotator_id: int, project_id: int, start: int, end: int,
             expected: tuple[int, str, int, int], attrs: dict[str, Any] | None = None) -> bool:
        """One UPDATE of the span's offsets (and `attrs` when given) while it is still `expected` and clashes with
        nothing."""
        return span_writes.move_span(self.s.connection(), span_id=span_id, annotator_id=annotator_id,
                                     project_id=project_id, start=start, end=end, expected=expected, attrs=attrs)
