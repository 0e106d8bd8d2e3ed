"""Annotating one document: spans added, removed and relabelled, status, moving between documents.

Every call is one committed transaction: what the window shows is already on disk.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from annotator.domain.documents import Changes, Document, DocumentListItem, Status
from annotator.domain.history import Step, steps_from
from annotator.domain.labels import LabelSet
from annotator.domain.layers import Layer, Owner, OwnerKind
from annotator.domain.spans import Span, TokenBounds, check_bounds, refuse_clash, snap, token_at
from annotator.errors import NotFoundError, PermissionDeniedError, SpanChangedError, SpanRuleError, UsageError
from annotator.services import team
from annotator.services.workspace import Workspace, retried
from annotator.storage.journal import JournalStore
from annotator.storage.repository import Repository


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    counts: dict[Status, int]

    @property
    def left(self) -> int:
        return self.counts[Status.TODO] + self.counts[Status.IN_PROGRESS]


def _bounds(text: str, lang: str) -> TokenBounds | None:
    """Token bounds, or None when the language has no tokenizer (a failure is not cached: it may pass)."""
    try:
        return _cached_bounds(text, lang)
    except UsageError:
        return None


@lru_cache(maxsize=32)
def _cached_bounds(text: str, lang: str) -> TokenBounds:
    from annotator.nlp.tokens import token_bounds

    return token_bounds(text, lang)


HISTORY_STEPS = 200  # undo steps a document's history gets back from the change journal after a restart
_LAYER_ORDER = {OwnerKind.GOLD: 0, OwnerKind.ANNOTATOR: 1, OwnerKind.MODEL: 2}
CHANGED_HINT = "the window now shows what the database holds; nothing else was changed"


def _changed_elsewhere(span: Span) -> SpanChangedError:
    return SpanChangedError(f"the {span.label} span [{span.start}:{span.end}] was changed elsewhere", hint=CHANGED_HINT)


class Annotations:
    """The annotation use cases for one annotator in one project."""

    def __init__(self, ws: Workspace, project_id: int, annotator: str) -> None:
        self.ws = ws
        self.project_id = project_id
        self.annotator = annotator
        with ws.unit() as repo:
            self.annotator_id = repo.owners.annotator_id(annotator)
            project = repo.projects.by_id(project_id)
        if project is None:
            raise NotFoundError(f"project {project_id} does not exist")
        self.lang = project.lang
        self._lengths: dict[int, int] = {}  # document id -> length of its text, for the bounds of a tag

    # -- reading ----------------------------------------------------------------------------------
    def labels(self) -> LabelSet:
        with self.ws.unit() as repo:
            return repo.labels.of_project(self.project_id)

    def document(self, document_id: int) -> Document:
        with self.ws.unit() as repo:
            return self._document(repo, document_id)

    def opened(self, document_id: int) -> tuple[Document, dict[Layer, list[Span]]]:
        """The document and its layers (as `layers`), read in one transaction: what the window shows as it opens."""
        with self.ws.unit() as repo:
            return self._document(repo, document_id), self._layers(repo, document_id)

    def _document(self, repo: Repository, document_id: int) -> Document:
        doc = repo.documents.get(document_id)
        if doc is None:
            raise NotFoundError(f"document {document_id} does not exist")
        self._lengths[document_id] = len(doc.text)
        return doc

    def spans(self, document_id: int) -> list[Span]:
        """This annotator's spans of the document, in reading order."""
        with self.ws.unit() as repo:
            return repo.spans.of_document(document_id, self.annotator_id)

    def layers(self, document_id: int) -> dict[Layer, list[Span]]:
        """Every layer of the document in one read: this annotator's own first (editable, perhaps empty), then
        gold, other people and models (read-only), each in reading order."""
        with self.ws.unit() as repo:
            return self._layers(repo, document_id)

    def _layers(self, repo: Repository, document_id: int) -> dict[Layer, list[Span]]:
        found = repo.spans.layers(document_id)
        own = Owner.person(self.annotator)
        layers = {Layer(own, editable=True): found.pop(own, [])}
        for owner in sorted(found, key=lambda o: (_LAYER_ORDER[o.kind], o.name)):
            layers[Layer(owner, editable=False)] = found[owner]
        return layers

    def history(self, document_id: int, *, limit: int = HISTORY_STEPS) -> list[Step]:
        """This person's last undo steps on the document as the change journal holds them (ADR 0015), oldest
        first, at most `limit`; the journal's transactions beyond twice that are pruned."""
        with self.ws.unit() as repo:
            entries = JournalStore(repo.s).entries(document_id, self.annotator_id, 2 * limit)
            ends = {i for e in entries for i in (e.head_id, e.child_id) if i is not None}
            found = (repo.spans.get(i) for i in sorted(ends))  # the spans links join: only those are read
            spans = {span.id: span for _doc, span in filter(None, found) if span.id is not None}
        if entries:
            # A team role without DELETE on the journal (team init not run again since 0007) keeps it whole.
            with contextlib.suppress(PermissionDeniedError), self.ws.unit() as repo:
                JournalStore(repo.s).prune(document_id, self.annotator_id, keep=2 * limit)
        return steps_from(entries, spans, self.annotator, document_id, limit=limit)

    def status(self, document_id: int) -> Status:
        with self.ws.unit() as repo:
            return repo.statuses.get(document_id, self.annotator_id)[0]

    def token_bounds(self, document: Document) -> TokenBounds | None:
        return _bounds(document.text, document.lang)

    def snapped(self, document: Document, start: int, end: int, *, snap_to_tokens: bool = True) -> tuple[int, int] | None:
        """The range a tag of [start, end) would cover; a caret (start == end) takes the token around it."""
        bounds = self.token_bounds(document) if snap_to_tokens else None
        if start == end:
            return token_at(document.text, start, bounds)
        return snap(document.text, start, end, bounds)

    def list_documents(self, *, status: Status | None = None, text: str = "", offset: int = 0,
                       limit: int = 200, queue: bool = False) -> list[DocumentListItem]:
        """A page of the project's documents; with `queue`, of the annotator's assigned ones in queue order."""
        with self.ws.unit() as repo:
            return repo.documents.page(self.project_id, self.annotator_id, status=status, text=text,
                                       offset=offset, limit=limit, queue=queue)

    def count_documents(self, *, status: Status | None = None, text: str = "", queue: bool = False) -> int:
        with self.ws.unit() as repo:
            return repo.documents.count_matching(self.project_id, self.annotator_id, status=status, text=text,
                                                 queue=queue)

    def has_queue(self) -> bool:
        """Whether documents are assigned to this annotator in this project (team mode's queue)."""
        with self.ws.unit() as repo:
            return team.has_queue(repo, self.project_id, self.annotator_id)

    def team_progress(self) -> dict[str, dict[str, int]]:
        """Per annotator with a queue in the project: documents assigned and done (or skipped)."""
        return team.queue_progress(self.ws, self.project_id)

    def progress(self) -> Progress:
        with self.ws.unit() as repo:
            counts = repo.statuses.counts(self.project_id, self.annotator_id)
        return Progress(counts[Status.DONE], sum(counts.values()), counts)

    def neighbour(self, document_id: int, *, forward: bool) -> int | None:
        with self.ws.unit() as repo:
            position = repo.documents.position_of(document_id)
            return None if position is None else repo.documents.neighbour(self.project_id, position, forward=forward)

    def first_document(self) -> int | None:
        with self.ws.unit() as repo:
            queued = team.next_in_queue(repo, self.project_id, self.annotator_id, None)[1]
            return queued or repo.documents.next_todo(self.project_id, self.annotator_id, -1) or repo.documents.neighbour(
                self.project_id, -1, forward=True)

    def in_project(self, document_id: int) -> bool:
        """Whether the document exists and is this project's: one indexed read, not the document's text."""
        with self.ws.unit() as repo:
            return repo.documents.project_of(document_id) == self.project_id

    def position(self, document_id: int) -> int:
        """0-based place of the document in the project's order."""
        with self.ws.unit() as repo:
            position = repo.documents.position_of(document_id)
            if position is None:
                return 0
            return repo.documents.count_before(self.project_id, position)

    # -- changing ---------------------------------------------------------------------------------
    # A key press is one transaction of at most two statements: the write, which checks its own rules (the
    # document, the label, the owner, no same-label overlap; see annotator.storage.span_writes), and the
    # document's status. Only when the write is refused are the reasons read, to say which one it was.
    @retried
    def add_span(self, document_id: int, label: str, start: int, end: int, *, span_id: int | None = None) -> tuple[Span, Changes]:
        """Add a span exactly at [start, end) (callers snap first); `span_id` re-creates an undone span."""
        check_bounds(self._length(document_id), start, end)
        with self.ws.unit() as repo:
            new_id = repo.spans.add(self.project_id, document_id, self.annotator_id, label, start, end, span_id)
            if new_id is None:
                self._why_not_added(repo, document_id, label, start, end)
                # The annotator's row was gone (nothing in the application removes one): made again, once.
                self.annotator_id = repo.owners.annotator_id(self.annotator)
                new_id = repo.spans.add(self.project_id, document_id, self.annotator_id, label, start, end, span_id)
                if new_id is None:
                    self._why_not_added(repo, document_id, label, start, end)
                    raise SpanRuleError(f"the {label} span [{start}:{end}] could not be added")
            repo.statuses.mark_in_progress(document_id, self.annotator_id)
        return Span(start, end, label, new_id, self.annotator), Changes(documents=frozenset({document_id}),
                                                                       spans_added=(new_id,))

    @retried
    def remove_span(self, span_id: int, *, expected: Span | None = None,
                    document_id: int | None = None) -> tuple[Span, int, Changes]:
        """Remove one of this annotator's spans; returns it and its document so that undo can put it back.

        `expected` and `document_id` are the span as the caller (an undo step, the window) knows it: if the row
        with that id is no longer exactly that span, nothing is removed and SpanChangedError says why.
        """
        with self.ws.unit() as repo:
            if expected is None or document_id is None:  # no picture to hold the row to: read it first
                document_id, expected = self._own_span(repo, span_id, expected, document_id)
            picture = (document_id, expected.label, expected.start, expected.end)
            if repo.spans.delete(span_id, self.annotator_id, self.project_id, picture) is None:
                self._own_span(repo, span_id, expected, document_id)
                raise _changed_elsewhere(expected)
            repo.statuses.mark_in_progress(document_id, self.annotator_id)
        span = Span(expected.start, expected.end, expected.label, span_id, self.annotator)
        return span, document_id, Changes(documents=frozenset({document_id}), spans_removed=(span_id,))

    @retried
    def relabel(self, span_id: int, label: str, *, expected: Span | None = None,
                document_id: int | None = None) -> tuple[str, Changes]:
        """Give one of this annotator's spans another label; returns the old label. `expected`: as remove_span."""
        with self.ws.unit() as repo:
            if expected is None or document_id is None:
                document_id, expected = self._own_span(repo, span_id, expected, document_id)
            picture = (document_id, expected.label, expected.start, expected.end)
            if not repo.spans.relabel(span_id, self.annotator_id, self.project_id, label, picture):
                self._own_span(repo, span_id, expected, document_id)
                if label not in repo.labels.ids(self.project_id):
                    raise SpanRuleError(f"there is no label {label!r} in this project")
                others = [s for s in repo.spans.of_document(document_id, self.annotator_id, label=label,
                                                overlapping=(expected.start, expected.end)) if s.id != span_id]
                refuse_clash(Span(expected.start, expected.end, label), others)
                raise _changed_elsewhere(expected)
        return expected.label, Changes(documents=frozenset({document_id}), spans_added=(span_id,),
                                       spans_removed=(span_id,))

    @retried
    def move_span(self, span_id: int, start: int, end: int, *, expected: Span, document_id: int,
                  attrs: dict[str, Any] | None = None) -> tuple[Span, Changes]:
        """Give one of this annotator's spans the offsets [start, end) (an edge key; callers snap first): one UPDATE
        and the document's status. Refused while the span is no longer `expected` or would overlap a span of its
        label; its links stay with it (the same row), and so do its attributes unless `attrs` replaces them (a
        figure's reading of its new text)."""
        check_bounds(self._length(document_id), start, end)
        with self.ws.unit() as repo:
            picture = (document_id, expected.label, expected.start, expected.end)
            if not repo.spans.move(span_id, self.annotator_id, self.project_id, start, end, picture, attrs):
                self._own_span(repo, span_id, expected, document_id)
                others = [s for s in repo.spans.of_document(document_id, self.annotator_id, label=expected.label,
                                                            overlapping=(start, end)) if s.id != span_id]
                refuse_clash(Span(start, end, expected.label), others)
                raise _changed_elsewhere(expected)
            repo.statuses.mark_in_progress(document_id, self.annotator_id)
        return Span(start, end, expected.label, span_id, self.annotator), Changes(
            documents=frozenset({document_id}), spans_added=(span_id,), spans_removed=(span_id,))

    def _length(self, document_id: int) -> int:
        """The document's length in characters: texts never change and ids are never reused, so it is kept."""
        if document_id not in self._lengths:
            self.document(document_id)
        return self._lengths[document_id]

    def _why_not_added(self, repo: Repository, document_id: int, label: str, start: int, end: int) -> None:
        why_not_added(repo, self.project_id, self.annotator_id, document_id, label, start, end)

    @retried
    def set_status(self, document_id: int, status: Status, *, seconds: float = 0.0) -> Changes:
        with self.ws.unit() as repo:
            repo.statuses.save(document_id, self.annotator_id, status, seconds)
        return Changes(documents=frozenset({document_id}), statuses=frozenset({document_id}))

    @retried
    def add_time(self, document_id: int, seconds: float) -> Changes:
        """Add `seconds` to the time spent on the document, whose status stays as it is (one statement)."""
        with self.ws.unit() as repo:
            repo.statuses.add_seconds(document_id, self.annotator_id, seconds)
        return Changes(documents=frozenset({document_id}))

    def next_todo(self, after_document: int | None) -> int | None:
        """The next document to do: from the annotator's queue in team mode (an empty one takes a document
        nobody has yet), else the next one in the project's order that is not done."""
        with self.ws.unit() as repo:
            queued, found = team.next_in_queue(repo, self.project_id, self.annotator_id, after_document)
        if queued:
            return found if found is not None else team.claim_open(self.ws, self.project_id, self.annotator_id)
        with self.ws.unit() as repo:
            position = -1 if after_document is None else (repo.documents.position_of(after_document) or 0)
            return repo.documents.next_todo(self.project_id, self.annotator_id, position)

    def _own_span(self, repo: Repository, span_id: int, expected: Span | None,
                  document_id: int | None) -> tuple[int, Span]:
        """The span row `span_id`, checked to be this annotator's and, when given, the one the caller knows."""
        found = repo.spans.get(span_id)
        what = (f"the {expected.label} span [{expected.start}:{expected.end}]" if expected is not None
                else f"span {span_id}")
        hint = CHANGED_HINT
        if found is None:
            raise SpanChangedError(f"{what} was removed elsewhere (another window or command)", hint=hint)
        found_document, span = found
        if span.annotator != self.annotator:
            raise SpanChangedError(f"{what} is no longer yours: it was removed and its place taken by a span of "
                                   f"{span.annotator}", hint=hint)
        if (document_id is not None and found_document != document_id) or (
                expected is not None and (span.start, span.end, span.label) != (expected.start, expected.end,
                                                                                expected.label)):
            raise SpanChangedError(f"{what} was changed elsewhere (it is now {span.label} [{span.start}:{span.end}]"
                                   f"{'' if document_id in (None, found_document) else ' in another document'})", hint=hint)
        return found_document, span


def why_not_added(repo: Repository, project_id: int, annotator_id: int, document_id: int, label: str, start: int,
                  end: int) -> None:
    """Raise the reason an INSERT of a span was refused; returns when none of the rules explains it."""
    if repo.documents.get(document_id) is None:
        raise NotFoundError(f"document {document_id} does not exist")
    if label not in repo.labels.ids(project_id):
        raise SpanRuleError(f"there is no label {label!r} in this project")
    refuse_clash(Span(start, end, label), repo.spans.of_document(document_id, annotator_id, label=label,
                                                                 overlapping=(start, end)))
