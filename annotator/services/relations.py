"""Relations and FIGURE attributes: the project's relation types, links between spans of one layer, and the
span removal that takes its links along so that one undo step brings both back (`Frames.restore`).

A label is a *figure* label when it is the child label of a relation type named `figure` (resources/labels.json:
CLAIM -> FIGURE): a FIGURE renamed keeps its attributes, and no code tests a label's name. Each span of a figure
label carries `parse_figure`'s reading of its text in span.attrs, made when the span is made here or imported,
and editable (`set_figure`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from annotator.domain.documents import Changes
from annotator.domain.figures import figure_from_attrs, parse_figure
from annotator.domain.layers import Owner
from annotator.domain.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.domain.relations import Relation, RelationType, relation_type, validate_relation
from annotator.domain.spans import Span
from annotator.errors import (
    AnnotatorError,
    FigureError,
    FigureSpanError,
    ImportRelationError,
    RelationError,
    RelationRefusedError,
    RelationTypeError,
    SpanChangedError,
)
from annotator.services.annotation import CHANGED_HINT, Annotations
from annotator.services.workspace import Workspace, default_relation_types, get_project, retried
from annotator.storage.repository import Repository

FIGURE_TYPE = "figure"  # the relation type whose child label is read as a number


def figure_labels(types: Iterable[RelationType]) -> frozenset[str]:
    return frozenset(t.child_label for t in types if t.name == FIGURE_TYPE)


def figure_attrs(text: str, lang: str) -> dict[str, Any]:
    return parse_figure(text, lang).as_attrs()


# An import reads each FIGURE's text (about 0.1 ms each); news repeats its figures' wording, so a file's
# repeats are read once. Callers copy what they keep.
_imported_figure = lru_cache(maxsize=4096)(figure_attrs)


def project_types(repo: Repository, project_id: int) -> tuple[RelationType, ...]:
    """The project's relation types; a project made before relation types existed gets the defaults whose
    labels it has, the first time they are asked for (a project keeps at least one type, see delete)."""
    types = repo.relations.types(project_id)
    if not types:
        labels = repo.labels.of_project(project_id)
        fitting = [t for t in default_relation_types() if t.head_label in labels and t.child_label in labels]
        repo.relations.add_types(project_id, fitting)
        types = tuple(fitting)
    return types


# -- the schema, by project name (the command line) ---------------------------------------------------
def list_relation_types(ws: Workspace, project: str) -> tuple[RelationType, ...]:
    project_id = get_project(ws, project).id
    with ws.unit() as repo:
        return project_types(repo, project_id)


def add_relation_type(ws: Workspace, project: str, name: str, head_label: str, child_label: str) -> RelationType:
    project_id = get_project(ws, project).id
    kind = RelationType(name, head_label, child_label)  # RelationError on a bad name
    with ws.unit() as repo:
        types = project_types(repo, project_id)
        labels = repo.labels.of_project(project_id)
        missing = [label for label in (head_label, child_label) if label not in labels]
        if missing:
            raise RelationTypeError(f"the project has no label {missing[0]!r}",
                                    hint=f"labels: {', '.join(labels.names())}")
        if any(t.name == name for t in types):
            raise RelationTypeError(f"the project already has a relation type {name!r}",
                                    hint="delete it first to change the labels it joins")
        repo.relations.add_types(project_id, [kind])
    return kind


def delete_relation_type(ws: Workspace, project: str, name: str) -> int:
    """Delete the type `name` with the relations that use it; returns how many relations went."""
    project_id = get_project(ws, project).id
    with ws.unit() as repo:
        types = project_types(repo, project_id)
        relation_type(name, types)  # RelationError when there is none
        if all(t.name == name for t in types):
            raise RelationTypeError(f"{name!r} is the project's last relation type; nothing was deleted",
                                    hint="add another relation type first")
        return repo.relations.delete_type(project_id, name)


@dataclass(frozen=True)
class RemovedSpan:
    """A span as it was removed, with the links and attributes it took: what `Frames.restore` puts back."""

    document_id: int
    span: Span
    relations: tuple[Relation, ...]
    attrs: Mapping[str, Any] | None


class Frames:
    """Links, figures and link-aware span removal for one annotator (their layer) in one project."""

    def __init__(self, ws: Workspace, project_id: int, annotator: str) -> None:
        self.notes = Annotations(ws, project_id, annotator)
        self.ws = ws
        self.project_id = project_id
        self.annotator = annotator

    @property
    def annotator_id(self) -> int:
        return self.notes.annotator_id

    def types(self) -> tuple[RelationType, ...]:
        with self.ws.unit() as repo:
            return project_types(repo, self.project_id)

    def relations(self, document_id: int) -> dict[Owner, list[Relation]]:
        """The document's relations, per layer (owner)."""
        with self.ws.unit() as repo:
            return repo.relations.of_documents([document_id]).get(document_id, {})

    # -- links --------------------------------------------------------------------------------------
    @retried
    def link(self, head_id: int, child_id: int, type_: str, *, relation_id: int | None = None,
             origin: str = "manual") -> tuple[Relation, Changes]:
        """Link two spans of this annotator's layer in one document; RelationError (A120/A160) says why not.
        `relation_id` re-creates an undone link with its id (a later undo step names it); `origin` records how
        it was made ("manual", or "proposed" for a proposal taken)."""
        with self.ws.unit() as repo:
            (head_doc, head), (child_doc, child) = (self._span(repo, span_id, own=False)
                                                  for span_id in (head_id, child_id))
            validate_relation(Relation(head, child, type_), project_types(repo, self.project_id))
            if head_doc != child_doc:
                raise RelationRefusedError(f"{head.label} {head_id} and {child.label} {child_id} are spans of two "
                                           "documents", hint="link spans of one document")
            if head.annotator != self.annotator:
                raise RelationRefusedError(f"span {head_id} is {head.annotator}'s, not yours ({self.annotator})",
                                           hint="a relation belongs to one layer: link spans of your own")
            new_id = repo.relations.add(head_id, child_id, type_, self.annotator_id, origin=origin,
                                        relation_id=relation_id)
            if new_id is None:
                raise RelationRefusedError(f"{head.label} {head_id} is already linked to {child.label} {child_id} "
                                           f"as {type_}", hint="nothing was changed")
        return Relation(head, child, type_, new_id), Changes(documents=frozenset({head_doc}))

    @retried
    def unlink(self, relation: Relation) -> Changes:
        assert relation.id is not None, "a stored relation"
        with self.ws.unit() as repo:
            if not repo.relations.remove(relation.id, self.annotator_id):
                raise RelationRefusedError(f"the {relation.type} link {relation.id} was removed elsewhere",
                                           hint=CHANGED_HINT)
            found = repo.spans.get(relation.head.id) if relation.head.id is not None else None
        return Changes(documents=frozenset({found[0]}) if found else frozenset())

    # -- spans with their links and attributes ------------------------------------------------------
    def add_span(self, document_id: int, label: str, start: int, end: int, *,
                 span_id: int | None = None) -> tuple[Span, Changes]:
        """`Annotations.add_span`, and a FIGURE's reading of its text stored with it, in the same transaction."""
        def add() -> tuple[Span, Changes]:
            span, changes = self.notes.add_span(document_id, label, start, end, span_id=span_id)
            with self.ws.unit() as repo:
                if label in figure_labels(project_types(repo, self.project_id)):
                    doc = self.notes.document(document_id)
                    repo.relations.set_attrs(span.id or 0, figure_attrs(doc.text[start:end], doc.lang))
            return span, changes

        return self.ws.together(add)

    @retried
    def remove_span(self, span_id: int, *, expected: Span | None = None,
                    document_id: int | None = None) -> tuple[RemovedSpan, Changes]:
        """Remove one of this annotator's spans with its links (the database cascades), read in the same
        transaction so that `restore` can put all of it back. `expected`: as `Annotations.remove_span`."""
        with self.ws.unit() as repo:
            if expected is None or document_id is None:
                document_id, expected = self._span(repo, span_id)
            relations = tuple(repo.relations.of_span(span_id))
            attrs = repo.relations.attrs([span_id]).get(span_id)
            picture = (document_id, expected.label, expected.start, expected.end)
            if repo.spans.delete(span_id, self.annotator_id, self.project_id, picture) is None:
                raise SpanChangedError(f"the {expected.label} span [{expected.start}:{expected.end}] was changed "
                                       "elsewhere", hint=CHANGED_HINT)
            repo.statuses.mark_in_progress(document_id, self.annotator_id)
        span = Span(expected.start, expected.end, expected.label, span_id, self.annotator)
        return RemovedSpan(document_id, span, relations, attrs), Changes(documents=frozenset({document_id}),
                                                                         spans_removed=(span_id,))

    @retried
    def restore(self, removed: RemovedSpan) -> Changes:
        """Put a removed span back with its id, attributes and links, in one transaction (one undo step)."""
        span = removed.span
        assert span.id is not None, "a stored span"
        with self.ws.unit() as repo:
            new_id = repo.spans.add(self.project_id, removed.document_id, self.annotator_id, span.label, span.start,
                                   span.end, span.id)
            if new_id is None:
                raise SpanChangedError(f"the {span.label} span [{span.start}:{span.end}] cannot come back: its "
                                       "place or label changed elsewhere", hint=CHANGED_HINT)
            if removed.attrs is not None:
                repo.relations.set_attrs(new_id, dict(removed.attrs))
            for relation in removed.relations:
                other = relation.child if relation.head.id == span.id else relation.head
                if other.id is None or repo.spans.get(other.id) is None:
                    raise RelationRefusedError(
                        f"the {relation.type} link cannot come back: {other.label} [{other.start}:{other.end}] was "
                        "removed elsewhere", hint="nothing was changed")
                repo.relations.add(relation.head.id or 0, relation.child.id or 0, relation.type, self.annotator_id,
                                   relation_id=relation.id)
        return Changes(documents=frozenset({removed.document_id}), spans_added=(new_id,))

    @retried
    def set_figure(self, span_id: int, **fields: Any) -> dict[str, Any]:
        """Change fields of a FIGURE's attributes (value, low, high, unit, qualifier, factor, reference)."""
        with self.ws.unit() as repo:
            document_id, span = self._span(repo, span_id, own=False, missing=FigureSpanError)
            if span.label not in figure_labels(project_types(repo, self.project_id)):
                raise FigureSpanError(f"span {span_id} is a {span.label}, not a figure",
                                      hint="figure attributes belong to the spans of the figure relation's label")
            attrs = repo.relations.attrs([span_id]).get(span_id)
            if attrs is None:
                doc = repo.documents.get(document_id)
                attrs = figure_attrs(doc.text[span.start:span.end], doc.lang) if doc else {}
            unknown = set(fields) - set(parse_figure("").as_attrs())
            if unknown:
                raise FigureError(f"figures have no field {sorted(unknown)[0]!r}",
                                  hint="value, low, high, unit, qualifier, factor, reference")
            attrs.update(fields)
            attrs = figure_from_attrs(attrs).as_attrs()  # FigureError names a field that cannot be read back
            repo.relations.set_attrs(span_id, attrs)
        return attrs

    def _span(self, repo: Repository, span_id: int, *, own: bool = True,
              missing: type[AnnotatorError] = RelationRefusedError) -> tuple[int, Span]:
        found = repo.spans.get(span_id)
        if found is None:
            raise missing(f"there is no span {span_id}", hint="it was removed, or the id is mistyped")
        if own and found[1].annotator != self.annotator:
            raise RelationRefusedError(f"span {span_id} is {found[1].annotator}'s, not yours ({self.annotator})",
                                       hint="a relation belongs to one layer: link spans of your own")
        return found


def number_or_none(text: str) -> float | None:
    """A command-line number; '' or 'none' clears the field."""
    if text.strip().lower() in ("", "none", "null"):
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise FigureError(f"{text!r} is not a number", hint="write digits, e.g. 17000 or 1.5e6, or none") from None
    if not math.isfinite(value):
        raise FigureError(f"{text!r} is not a finite number", hint="write digits, or none")
    return value



# -- imports ------------------------------------------------------------------------------------------
def with_spans(record: DocumentRecord, keys: Sequence[tuple[int, int, str]], spans: Sequence[Span]) -> DocumentRecord:
    """The record with `spans` (its own, renamed and with repeats merged; `keys[i]` is what its span i became),
    each keeping its attributes, and its relations pointing at the same spans in the new order."""
    attrs: dict[tuple[int, int, str], Mapping[str, Any] | None] = {}
    for key, old in zip(keys, record.spans, strict=True):
        if attrs.get(key) is None:
            attrs[key] = old.attrs
    index = {span.key(): n for n, span in enumerate(spans)}
    relations = tuple(dict.fromkeys(RelationRecord(index[keys[r.head]], index[keys[r.child]], r.type)
                                    for r in record.relations))
    new = tuple(type(record.spans[0])(s.start, s.end, s.label, attrs.get(s.key())) for s in spans)
    return replace(record, spans=new, relations=relations)


class ImportedFrames:
    """What an import stores beside the spans: FIGURE attributes (the file's, else read from the text) and
    relations, whose types the project gains when it lacks them (as it gains labels)."""

    def __init__(self, repo: Repository, project_id: int, path: Path) -> None:
        self.repo = repo
        self.project_id = project_id
        self.path = path
        self.types = list(project_types(repo, project_id))
        self.figures = figure_labels(self.types)
        project = repo.projects.by_id(project_id)
        self.lang = project.lang if project else "en"
        self.types_added: list[str] = []

    def attrs_of(self, span: SpanRecord, text: str) -> dict[str, Any] | None:
        """The attributes an imported span is stored with: the file's, else a FIGURE's reading of its text."""
        attrs = span.attrs
        if attrs is None and span.label in self.figures:
            attrs = _imported_figure(text[span.start:span.end], self.lang)
        return None if attrs is None else dict(attrs)

    def store_relations(self, document_id: int, annotator_id: int, record: DocumentRecord) -> int:
        if not record.relations:
            return 0
        ids = {span.key(): span.id for span in self.repo.spans.of_document(document_id, annotator_id)}
        added = 0
        for relation in record.relations:
            head, child = record.spans[relation.head], record.spans[relation.child]
            kind = next((t for t in self.types if t.name == relation.type), None)
            if kind is None:
                try:
                    kind = RelationType(relation.type, head.label, child.label)
                except RelationError as error:  # a type name no project can hold: said with the file and line
                    raise ImportRelationError(error.message, path=self.path, line=record.line, field="relations",
                                              hint=error.hint) from None
                self.repo.relations.add_types(self.project_id, [kind])
                self.types.append(kind)
                self.types_added.append(kind.name)
            if (kind.head_label, kind.child_label) != (head.label, child.label):
                raise ImportRelationError(
                    f"a {kind.name} relation goes from {kind.head_label} to {kind.child_label}, not from {head.label} "
                    f"[{head.start}:{head.end}] to {child.label} [{child.start}:{child.end}]", path=self.path,
                    line=record.line, field="relations", hint="map the labels with --map, or fix the relation")
            head_id, child_id = ids.get((head.start, head.end, head.label)), ids.get((child.start, child.end,
                                                                                     child.label))
            if head_id is not None and child_id is not None:
                added += self.repo.relations.add(head_id, child_id, kind.name, annotator_id,
                                                 origin="import") is not None
        return added


# -- exports ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredFrames:
    """The relations and span attributes of a batch of documents, read in the export's transaction."""

    relations: dict[int, dict[Owner, list[Relation]]]
    attrs: dict[int, dict[str, Any]]

    @classmethod
    def read(cls, repo: Repository, document_ids: Sequence[int], annotator_id: int | None) -> StoredFrames:
        return cls(repo.relations.of_documents(document_ids, annotator_id),
                   repo.relations.attrs_of_documents(document_ids, annotator_id))

    def record(self, record: DocumentRecord, document_id: int, spans: Sequence[Span]) -> DocumentRecord:
        """`record` with `spans` (each once, by position and label), their attributes, and the relations
        between them (of any layer the spans come from: several annotators' spans merged give their links)."""
        index: dict[tuple[int, int, str], int] = {}
        kept: list[SpanRecord] = []
        by_id: dict[int, int] = {}
        for span in spans:
            n = index.setdefault(span.key(), len(kept))
            if n == len(kept):
                kept.append(SpanRecord(span.start, span.end, span.label,
                                       self.attrs.get(span.id) if span.id is not None else None))
            if span.id is not None:
                by_id[span.id] = n
        links = [RelationRecord(by_id[r.head.id], by_id[r.child.id], r.type)
                 for layer in self.relations.get(document_id, {}).values() for r in layer
                 if r.head.id in by_id and r.child.id in by_id]
        return replace(record, spans=tuple(kept), relations=tuple(dict.fromkeys(links)))


def lazy_tokens(lang: str) -> Callable[[str], list[tuple[int, int]]]:
    """The language's token offsets, its tokenizer loaded on the first text that needs them (one with relations)."""
    loaded: list[Callable[[str], list[tuple[int, int]]]] = []

    def tokens(text: str) -> list[tuple[int, int]]:
        if not loaded:
            from annotator.nlp.tokens import token_offsets

            loaded.append(token_offsets(lang))
        return loaded[0](text)

    return tokens
