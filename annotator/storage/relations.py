"""The SQL of relations: a project's relation types, the links between spans of one layer, span attributes.

Kept apart from repository.py so that the span queries there stay the key press's (docs/adr/0006): nothing
here runs when a span is tagged. A relation goes with either of its spans (ON DELETE CASCADE on both ends).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, null, select, update
from sqlalchemy.orm import Session, aliased

from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.relations import Relation, RelationType
from annotator.domain.spans import Span
from annotator.storage import span_writes
from annotator.storage.models import AnnotatorRow, LabelRow, RelationRow, RelationTypeRow, SpanRow

RELATION = span_writes.table_of(RelationRow)
_HEAD = aliased(SpanRow, name="head")
_CHILD = aliased(SpanRow, name="child")
_HEAD_LABEL = aliased(LabelRow, name="head_label")
_CHILD_LABEL = aliased(LabelRow, name="child_label")


class RelationStore:
    """All SQL about relations, in the caller's transaction (a Repository's session)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # -- the schema ---------------------------------------------------------------------------------
    def types(self, project_id: int) -> tuple[RelationType, ...]:
        rows = self.s.execute(select(RelationTypeRow.name, RelationTypeRow.head_label, RelationTypeRow.child_label)
                              .where(RelationTypeRow.project_id == project_id)
                              .order_by(RelationTypeRow.position, RelationTypeRow.id))
        return tuple(RelationType(name, head, child) for name, head, child in rows)

    def add_types(self, project_id: int, types: Iterable[RelationType]) -> None:
        """Add the types the project lacks; one that another process adds at the same moment is kept once (two
        imports that make the same project both seed it on PostgreSQL)."""
        position = self.s.scalar(select(func.count()).where(RelationTypeRow.project_id == project_id)) or 0
        table = span_writes.table_of(RelationTypeRow)
        dialect_insert = span_writes.upsert_insert(self.s.get_bind().dialect.name)
        for n, kind in enumerate(types, start=position):
            values = {"project_id": project_id, "name": kind.name, "head_label": kind.head_label,
                      "child_label": kind.child_label, "position": n}
            if dialect_insert is None:  # pragma: no cover - SQLite and PostgreSQL both know ON CONFLICT
                self.s.execute(insert(table).values(**values))
                continue
            self.s.execute(dialect_insert(table).values(**values).on_conflict_do_nothing(
                index_elements=["project_id", "name", "head_label", "child_label"]))

    def delete_type(self, project_id: int, name: str) -> int:
        """Remove the type `name` and the relations of the project that name it; how many relations went."""
        spans = select(SpanRow.id).join(LabelRow, LabelRow.id == SpanRow.label_id).where(
            LabelRow.project_id == project_id)
        gone = self.s.execute(delete(RelationRow).where(RelationRow.type == name, RelationRow.head_id.in_(spans)))
        self.s.execute(delete(RelationTypeRow).where(RelationTypeRow.project_id == project_id,
                                                     RelationTypeRow.name == name))
        return int(getattr(gone, "rowcount", 0) or 0)

    def rename_label(self, project_id: int, old: str, new: str) -> None:
        """A renamed label keeps the relation types it is part of."""
        for column in ("head_label", "child_label"):
            self.s.execute(update(RelationTypeRow)
                           .where(RelationTypeRow.project_id == project_id,
                                  getattr(RelationTypeRow, column) == old)
                           .values({column: new}))

    # -- relations ----------------------------------------------------------------------------------
    def add(self, head_id: int, child_id: int, type_: str, annotator_id: int, *, origin: str = "manual",
            relation_id: int | None = None) -> int | None:
        """INSERT the relation unless the same one is there (then None); `relation_id` re-creates an undone one."""
        values: dict[str, Any] = {"head_id": head_id, "child_id": child_id, "type": type_,
                                  "annotator_id": annotator_id, "origin": origin, "created_at": datetime.now(UTC)}
        if relation_id is not None:
            values["id"] = relation_id
        dialect_insert = span_writes.upsert_insert(self.s.get_bind().dialect.name)
        if dialect_insert is None:  # pragma: no cover - SQLite and PostgreSQL both know ON CONFLICT
            return self.s.execute(insert(RELATION).values(**values).returning(RELATION.c.id)).scalar()
        query = dialect_insert(RELATION).values(**values).on_conflict_do_nothing(
            index_elements=["head_id", "child_id", "type"])
        return self.s.execute(query.returning(RELATION.c.id)).scalar()

    def remove(self, relation_id: int, annotator_id: int) -> bool:
        query = delete(RELATION).where(RELATION.c.id == relation_id, RELATION.c.annotator_id == annotator_id)
        return self.s.execute(query.returning(RELATION.c.id)).first() is not None

    def _query(self) -> Any:
        return (select(RelationRow.id, RelationRow.type, AnnotatorRow.kind, AnnotatorRow.name,
                       _HEAD.id, _HEAD.start, _HEAD.end, _HEAD_LABEL.name,
                       _CHILD.id, _CHILD.start, _CHILD.end, _CHILD_LABEL.name, _HEAD.document_id)
                .join(_HEAD, _HEAD.id == RelationRow.head_id)
                .join(_CHILD, _CHILD.id == RelationRow.child_id)
                .join(_HEAD_LABEL, _HEAD_LABEL.id == _HEAD.label_id)
                .join(_CHILD_LABEL, _CHILD_LABEL.id == _CHILD.label_id)
                .join(AnnotatorRow, AnnotatorRow.id == RelationRow.annotator_id)
                .order_by(_HEAD.document_id, _HEAD.start, _HEAD.id, RelationRow.id))

    def _rows(self, query: Any) -> list[tuple[int, Owner, Relation]]:
        out = []
        for (id_, type_, kind, who, h_id, h_start, h_end, h_label, c_id, c_start, c_end, c_label,
             document_id) in self.s.connection().execute(query).all():
            relation = Relation(Span(h_start, h_end, h_label, h_id, who), Span(c_start, c_end, c_label, c_id, who),
                                type_, id_)
            out.append((document_id, Owner(OwnerKind(kind), who), relation))
        return out

    def of_documents(self, document_ids: Sequence[int],
                     annotator_id: int | None = None) -> dict[int, dict[Owner, list[Relation]]]:
        """Each document's relations grouped by layer (owner); `annotator_id` keeps one layer."""
        query = self._query().where(_HEAD.document_id.in_(list(document_ids)))
        if annotator_id is not None:
            query = query.where(RelationRow.annotator_id == annotator_id)
        out: dict[int, dict[Owner, list[Relation]]] = {}
        for document_id, owner, relation in self._rows(query):
            out.setdefault(document_id, {}).setdefault(owner, []).append(relation)
        return out

    def of_span(self, span_id: int) -> list[Relation]:
        """The relations a span is the head or the child of: what deleting it takes with it."""
        query = self._query().where((RelationRow.head_id == span_id) | (RelationRow.child_id == span_id))
        return [relation for _doc, _owner, relation in self._rows(query)]

    # -- attributes ---------------------------------------------------------------------------------
    def attrs(self, span_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The attributes of those of the spans that have any."""
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(span_ids), 500):  # stay under any driver's bound-parameter limit
            rows = self.s.execute(select(SpanRow.id, SpanRow.attrs).where(SpanRow.id.in_(list(span_ids[i:i + 500])),
                                                                          SpanRow.attrs.is_not(None)))
            out.update({id_: dict(attrs) for id_, attrs in rows if attrs is not None})
        return out

    def attrs_of_documents(self, document_ids: Sequence[int], annotator_id: int | None = None) -> dict[int, dict[str, Any]]:
        """The attributes of the documents' spans that have any, by span id (one query per batch of documents)."""
        query = select(SpanRow.id, SpanRow.attrs).where(SpanRow.document_id.in_(list(document_ids)),
                                                        SpanRow.attrs.is_not(None))
        if annotator_id is not None:
            query = query.where(SpanRow.annotator_id == annotator_id)
        return {id_: dict(attrs) for id_, attrs in self.s.execute(query) if attrs is not None}

    def attr_texts(self, document_id: int, annotator_id: int) -> dict[int, str]:
        """The attributes of the annotator's spans of the document that have any, by span id, as the JSON text the
        database holds: the window opens a document with thousands of figure readings and decodes the few it shows
        (decoding them all took longer than reading them)."""
        query = select(SpanRow.id, cast(SpanRow.attrs, Text)).where(
            SpanRow.document_id == document_id, SpanRow.annotator_id == annotator_id, SpanRow.attrs.is_not(None))
        return {id_: text for id_, text in self.s.connection().execute(query) if text != "null"}

    def set_attrs(self, span_id: int, attrs: dict[str, Any] | None) -> bool:
        # SQL NULL, not the JSON null that SQLAlchemy writes for None: `attrs IS NULL` is what "no attributes" reads.
        query = (update(SpanRow).where(SpanRow.id == span_id).values(attrs=null() if attrs is None else attrs)
                 .returning(SpanRow.id))
        return self.s.execute(query).first() is not None
