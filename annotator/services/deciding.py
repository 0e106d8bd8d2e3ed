"""One person deciding on suggestions: what they are shown, accept, reject, accept all, and undo and redo of each.

Every call is one committed transaction. Accepting copies a suggestion into the person's layer with its origin
(`model:rules`) and records an `accepted` decision; a label key on a suggestion accepts it under that label and
records the suggested label as `rejected`; rejecting records `rejected`, and a suggestion decided on (rejected, or
accepted and since moved or removed) is never shown to that person on that document again, whichever source
proposes it and however often the sources run.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.domain.documents import Changes
from annotator.domain.layers import OwnerKind
from annotator.domain.spans import Span
from annotator.domain.suggestions import (
    AddedSpan,
    Decided,
    Decision,
    DecisionChange,
    DecisionState,
    Suggestion,
    acceptable_together,
    origin_of,
    visible,
)
from annotator.errors import NotFoundError, SpanChangedError, SpanRuleError
from annotator.services.annotation import CHANGED_HINT, why_not_added
from annotator.services.workspace import Workspace, retried
from annotator.storage.repository import Repository
from annotator.storage.suggestion_store import SuggestionStore


class Suggestions:
    """The suggestion use cases for one person in one project."""

    def __init__(self, ws: Workspace, project_id: int, annotator: str) -> None:
        self.ws = ws
        self.project_id = project_id
        self.annotator = annotator
        with ws.unit() as repo:
            self.annotator_id = repo.owners.annotator_id(annotator)

    # -- reading ----------------------------------------------------------------------------------
    def for_document(self, document_id: int, sources: Sequence[str] | None = None) -> list[Suggestion]:
        """What the person is shown on the document, from `sources` (default: every model layer it has)."""
        with self.ws.unit() as repo:
            return self._visible(repo, document_id, sources)

    def rejected(self, document_id: int) -> set[tuple[int, int, str]]:
        """The (start, end, label) the person rejected on the document."""
        with self.ws.unit() as repo:
            return SuggestionStore(repo.s).rejected(document_id, self.annotator_id)

    def decided(self, document_id: int) -> set[tuple[int, int, str]]:
        """The (start, end, label) the person decided on in the document, rejected or accepted: never offered to
        them again, so that a suggestion accepted and then moved by an edge key (or removed) does not return."""
        with self.ws.unit() as repo:
            return SuggestionStore(repo.s).decided(document_id, self.annotator_id)

    def layer_names(self) -> list[str]:
        """The model layers the database holds (sources that ran at least once), by name."""
        with self.ws.unit() as repo:
            return [owner.name for owner in repo.owners.all() if owner.kind is OwnerKind.MODEL]

    def _visible(self, repo: Repository, document_id: int, sources: Sequence[str] | None) -> list[Suggestion]:
        store = SuggestionStore(repo.s)
        return visible(store.model_layers(document_id), store.decided(document_id, self.annotator_id),
                       repo.spans.of_document(document_id, self.annotator_id), sources)

    # -- deciding ---------------------------------------------------------------------------------
    @retried
    def accept(self, document_id: int, suggestion: Suggestion, label: str | None = None, *,
               at: tuple[int, int] | None = None) -> tuple[Decided, Changes]:
        """The suggestion becomes the person's span (under `label` when given, at the offsets `at` when an edge key
        moved it); one transaction. A suggestion taken under another label or at other offsets is recorded as
        rejected as it was proposed, so that it does not come back beside the span made of it."""
        label = label or suggestion.label
        placed = suggestion if at is None else suggestion._replace(start=at[0], end=at[1])
        with self.ws.unit() as repo:
            store = SuggestionStore(repo.s)
            added = self._add(repo, store, document_id, placed, label)
            decisions = [self._decide(store, document_id, placed, label, Decision.ACCEPTED)]
            if (placed.start, placed.end, label) != suggestion.key():
                decisions.append(self._decide(store, document_id, suggestion, suggestion.label,
                                              Decision.REJECTED))
            repo.statuses.mark_in_progress(document_id, self.annotator_id)
        decided = Decided(document_id, (added,), tuple(decisions))
        return decided, Changes(documents=frozenset({document_id}), spans_added=decided.span_ids)

    @retried
    def reject(self, document_id: int, suggestion: Suggestion) -> tuple[Decided, Changes]:
        """The suggestion is not shown to this person on this document again."""
        with self.ws.unit() as repo:
            change = self._decide(SuggestionStore(repo.s), document_id, suggestion, suggestion.label,
                                  Decision.REJECTED)
            repo.statuses.mark_in_progress(document_id, self.annotator_id)
        return Decided(document_id, (), (change,)), Changes(documents=frozenset({document_id}))

    @retried
    def accept_all(self, document_id: int, sources: Sequence[str] | None = None) -> tuple[Decided, Changes]:
        """Every suggestion shown that overlaps none of the person's spans becomes theirs; one transaction."""
        added: list[AddedSpan] = []
        decisions: list[DecisionChange] = []
        with self.ws.unit() as repo:
            store = SuggestionStore(repo.s)
            own = repo.spans.of_document(document_id, self.annotator_id)
            for suggestion in acceptable_together(self._visible(repo, document_id, sources), own):
                new_id = store.add_span(self.project_id, document_id, self.annotator_id, suggestion.label,
                                        suggestion.start, suggestion.end, origin_of(suggestion.source))
                if new_id is None:  # a span another window added since the read: that suggestion waits
                    continue
                added.append(AddedSpan(Span(suggestion.start, suggestion.end, suggestion.label, new_id,
                                            self.annotator), origin_of(suggestion.source)))
                decisions.append(self._decide(store, document_id, suggestion, suggestion.label,
                                              Decision.ACCEPTED))
            if added:
                repo.statuses.mark_in_progress(document_id, self.annotator_id)
        decided = Decided(document_id, tuple(added), tuple(decisions))
        return decided, Changes(documents=frozenset({document_id}), spans_added=decided.span_ids)

    def _add(self, repo: Repository, store: SuggestionStore, document_id: int, suggestion: Suggestion,
             label: str) -> AddedSpan:
        origin = origin_of(suggestion.source)
        new_id = store.add_span(self.project_id, document_id, self.annotator_id, label, suggestion.start,
                                suggestion.end, origin)
        if new_id is None:
            why_not_added(repo, self.project_id, self.annotator_id, document_id, label, suggestion.start,
                          suggestion.end)
            raise SpanRuleError(f"the {label} span [{suggestion.start}:{suggestion.end}] could not be added")
        return AddedSpan(Span(suggestion.start, suggestion.end, label, new_id, self.annotator), origin)

    def _decide(self, store: SuggestionStore, document_id: int, suggestion: Suggestion, label: str,
                decision: Decision) -> DecisionChange:
        after = DecisionState(decision, suggestion.source)
        before = store.set_decision(self.project_id, document_id, self.annotator_id, label, suggestion.start,
                                    suggestion.end, after)
        return DecisionChange(label, suggestion.start, suggestion.end, before, after)

    # -- undo and redo ----------------------------------------------------------------------------
    @retried
    def undo(self, decided: Decided) -> Changes:
        """Take back what `decided` did: its spans removed (while they are still as it made them), its decisions
        as they were before; one transaction, all or nothing."""
        with self.ws.unit() as repo:
            store = SuggestionStore(repo.s)
            for added in reversed(decided.added):
                span = added.span
                assert span.id is not None
                picture = (decided.document_id, span.label, span.start, span.end)
                if repo.spans.delete(span.id, self.annotator_id, self.project_id, picture) is None:
                    raise SpanChangedError(f"the {span.label} span [{span.start}:{span.end}] was changed or removed "
                                           "elsewhere", hint=CHANGED_HINT)
            self._write(store, decided, after=False)
        return Changes(documents=frozenset({decided.document_id}), spans_removed=decided.span_ids)

    @retried
    def redo(self, decided: Decided) -> Changes:
        """Do again what `decided` did, with the same span ids; one transaction, all or nothing."""
        with self.ws.unit() as repo:
            store = SuggestionStore(repo.s)
            for added in decided.added:
                span = added.span
                if store.add_span(self.project_id, decided.document_id, self.annotator_id, span.label, span.start,
                                  span.end, added.origin, span_id=span.id) is None:
                    if repo.documents.get(decided.document_id) is None:
                        raise NotFoundError(f"document {decided.document_id} does not exist")
                    raise SpanChangedError(f"the {span.label} span [{span.start}:{span.end}] cannot be put back: "
                                           "a span of the same label is there now", hint=CHANGED_HINT)
            self._write(store, decided, after=True)
        return Changes(documents=frozenset({decided.document_id}), spans_added=decided.span_ids)

    def _write(self, store: SuggestionStore, decided: Decided, *, after: bool) -> None:
        changes = decided.decisions if after else tuple(reversed(decided.decisions))
        for change in changes:
            store.set_decision(self.project_id, decided.document_id, self.annotator_id, change.label, change.start,
                               change.end, change.after if after else change.before)
