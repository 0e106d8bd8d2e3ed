"""What the window needs to link a claim by keyboard: the open document's links and figure readings of the
annotator's own layer, its sentences, the candidates of a claim in reading order, and proposed links.

Writes go through `Frames` (annotator.services.relations); this module reads and ranks.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.documents import Document
from annotator.domain.links import propose_links
from annotator.domain.relations import Relation, RelationType
from annotator.domain.spans import Span
from annotator.services.relations import Frames, figure_labels, project_types

_PARAGRAPH = re.compile(r"[^\r\n\u2028\u2029]+")


class StoredAttrs(MutableMapping[int, dict[str, Any]]):
    """Span attributes by span id, each kept as the JSON text read from the database until it is first asked for
    (a document of 10,000 spans opens with thousands of figure readings, of which a few are in view)."""

    def __init__(self, texts: Mapping[int, str] | None = None) -> None:
        self._texts = dict(texts or {})
        self._read: dict[int, dict[str, Any]] = {}

    def __getitem__(self, span_id: int) -> dict[str, Any]:
        if span_id not in self._read:
            self._read[span_id] = json.loads(self._texts.pop(span_id))  # a KeyError for a span without any
        return self._read[span_id]

    def __setitem__(self, span_id: int, attrs: dict[str, Any]) -> None:
        self._texts.pop(span_id, None)
        self._read[span_id] = attrs

    def __delitem__(self, span_id: int) -> None:
        if self._texts.pop(span_id, None) is None:
            del self._read[span_id]

    def __contains__(self, span_id: object) -> bool:
        return span_id in self._read or span_id in self._texts

    def __iter__(self) -> Iterator[int]:
        return itertools.chain(self._read, self._texts)

    def __len__(self) -> int:
        return len(self._read) + len(self._texts)


@dataclass
class DocumentFrames:
    """The links and span attributes of one layer of one document, as the window holds them."""

    relations: list[Relation] = field(default_factory=list)
    attrs: MutableMapping[int, dict[str, Any]] = field(default_factory=StoredAttrs)


class Linking:
    """Reads for link mode, for one annotator's layer; `frames` does the writing."""

    def __init__(self, frames: Frames) -> None:
        self.frames = frames
        self._types: tuple[RelationType, ...] | None = None
        self._sentences: dict[int, list[tuple[int, int]]] = {}

    def types(self) -> tuple[RelationType, ...]:
        """The project's relation types, read once (the schema is edited from the command line)."""
        if self._types is None:
            with self.frames.ws.unit() as repo:
                self._types = project_types(repo, self.frames.project_id)
        return self._types

    def figure_labels(self) -> frozenset[str]:
        return figure_labels(self.types())

    def type_between(self, head: Span, child: Span) -> RelationType | None:
        """The relation type that the two labels imply (CLAIM -> SOURCE is said_by, ...), if any."""
        return next((t for t in self.types() if t.fits(head, child)), None)

    def read(self, document_id: int) -> DocumentFrames:
        """The document's links and attributes of this annotator's layer, in one transaction."""
        with self.frames.ws.unit() as repo:
            if self._types is None:  # read with the document, not on the first key press
                self._types = project_types(repo, self.frames.project_id)
            owned = repo.relations.of_documents([document_id], self.frames.annotator_id).get(document_id, {})
            attrs = StoredAttrs(repo.relations.attr_texts(document_id, self.frames.annotator_id))
        return DocumentFrames([r for rs in owned.values() for r in rs], attrs)

    def sentences(self, document: Document) -> list[tuple[int, int]]:
        found = self._sentences.get(document.id)
        if found is None:
            from annotator.nlp.sentences import sentence_bounds  # spaCy: loaded when a claim is first linked

            found = self._sentences[document.id] = sentence_bounds(document.text, document.lang)
        return found

    def candidates(self, document: Document, claim: Span, spans: Iterable[Span]) -> list[Span]:
        """The spans `claim` can link to: those of its sentence(s) first, then those of its paragraph, each
        group nearest first; spans of labels that no relation type joins to the claim's are left out."""
        sentence = _covering(self.sentences(document), claim)
        paragraph = _covering([(m.start(), m.end()) for m in _PARAGRAPH.finditer(document.text)], claim)
        ranked = []
        for span in spans:
            if span.key() == claim.key() or self.type_between(claim, span) is None:
                continue
            if span.start < sentence[1] and sentence[0] < span.end:
                group = 0
            elif span.start < paragraph[1] and paragraph[0] < span.end:
                group = 1
            else:
                continue
            ranked.append(((group, _distance(span, claim), span.start), span))
        return [span for _key, span in sorted(ranked, key=lambda pair: pair[0])]

    def proposals(self, document: Document, claim: Span, spans: Sequence[Span],
                  linked: Iterable[Relation]) -> list[Relation]:
        """propose_links' relations for `claim`, less those already made."""
        kinds = [t for t in self.types() if t.head_label == claim.label]
        if not kinds:
            return []
        made = {(r.head.id, r.child.id, r.type) for r in linked}
        found = propose_links(document.text, spans, self.sentences(document), kinds)
        return [r for r in found if r.head.id == claim.id and (r.head.id, r.child.id, r.type) not in made]


def _covering(ranges: Sequence[tuple[int, int]], span: Span) -> tuple[int, int]:
    """From the start of the first range that `span` touches to the end of the last; the span itself if none."""
    touched = [r for r in ranges if r[0] < span.end and span.start < r[1]]
    if not touched:
        return span.start, span.end
    return touched[0][0], touched[-1][1]


def _distance(span: Span, claim: Span) -> int:
    if span.start >= claim.start and span.end <= claim.end:
        return 0
    return claim.start - span.end if span.end <= claim.start else span.start - claim.end
