"""Review into gold: a lead settles the annotators' spans of a document into the gold layer.

Every action is one committed transaction and returns a GoldStep, what it changed; `undo(step)` and
`redo(step)` replay it backward and forward exactly (the same span ids and origins), and refuse with
SpanChangedError when someone changed those spans or decisions meanwhile, changing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from annotator.domain.review import (
    Candidate,
    CandidateState,
    DocumentReview,
    GoldSpan,
    GoldStep,
    Relabel,
    Verdict,
    VerdictChange,
    review,
    review_origin,
)
from annotator.domain.spans import Span, check_bounds, refuse_clash
from annotator.errors import NotFoundError, ReviewSettingError, SpanChangedError, SpanRuleError
from annotator.services.workspace import Workspace, get_project, retried
from annotator.storage.gold_store import GoldStore

REJECTED = CandidateState.REJECTED.value
CHANGED_HINT = "the review now shows what the database holds; nothing else was changed"


def _where(label: str, start: int, end: int) -> str:
    return f"{label} [{start}:{end}]"


class Review:
    """The review use cases of one reviewer in one project."""

    def __init__(self, ws: Workspace, project_id: int, reviewer: str) -> None:
        self.ws = ws
        self.project_id = project_id
        self.reviewer = reviewer
        self.origin = review_origin(reviewer)
        with ws.unit() as repo:
            store = GoldStore(repo.s)
            self.gold_id = store.gold_id()

    def document(self, document_id: int) -> DocumentReview:
        with self.ws.unit() as repo:
            return self._read(GoldStore(repo.s), document_id)

    def _read(self, store: GoldStore, document_id: int) -> DocumentReview:
        rows = store.review_rows([document_id], self.gold_id)[document_id]
        return review(document_id, rows.annotators, rows.people, rows.gold, rows.verdicts)

    # -- the actions ------------------------------------------------------------------------------
    @retried
    def accept(self, document_id: int, label: str, start: int, end: int) -> GoldStep:
        """Copy the candidate into gold (origin `review:<reviewer>`), lifting a rejection of it."""
        def plan(current: DocumentReview) -> GoldStep:
            candidate = self._candidate(current, label, start, end)
            return self._accepting(document_id, [candidate], f"accept {_where(label, start, end)}")
        return self._act(document_id, plan)

    @retried
    def reject(self, document_id: int, label: str, start: int, end: int) -> GoldStep:
        """Record gold's rejection of the candidate (taking it out of gold if it was there)."""
        def plan(current: DocumentReview) -> GoldStep:
            candidate = self._candidate(current, label, start, end)
            removed = tuple(g for g in current.gold if g.key() == candidate.key())
            verdicts = () if candidate.state is CandidateState.REJECTED else (
                VerdictChange(start, end, label, candidate.verdict, Verdict(REJECTED, self.reviewer)),)
            return GoldStep(document_id, removed=removed, verdicts=verdicts,
                            what=f"reject {_where(label, start, end)}")
        return self._act(document_id, plan)

    @retried
    def accept_agreed(self, document_id: int, min_annotators: int = 2) -> GoldStep:
        """Every open candidate that all of the document's annotators made (at least `min_annotators` of them)."""
        _check_min(min_annotators)

        def plan(current: DocumentReview) -> GoldStep:
            return self._accepting(document_id, current.agreed_open(min_annotators), "accept the agreed spans")
        return self._act(document_id, plan)

    @retried
    def add_gold(self, document_id: int, label: str, start: int, end: int) -> GoldStep:
        """A gold span made by hand at exactly [start, end) (callers snap first)."""
        with self.ws.unit() as repo:
            length = GoldStore(repo.s).document_length(document_id)
        if length is None:
            raise NotFoundError(f"document {document_id} does not exist")
        check_bounds(length, start, end)
        return self._act(document_id, lambda _: GoldStep(
            document_id, added=(GoldSpan(start, end, label, None, self.origin),),
            what=f"add {_where(label, start, end)} to gold"))

    @retried
    def remove_gold(self, document_id: int, span: GoldSpan) -> GoldStep:
        """Take a gold span out, while it is still `span`."""
        def plan(current: DocumentReview) -> GoldStep:
            return GoldStep(document_id, removed=(self._gold(current, span),),
                            what=f"remove {_where(span.label, span.start, span.end)} from gold")
        return self._act(document_id, plan)

    @retried
    def relabel_gold(self, document_id: int, span: GoldSpan, label: str) -> GoldStep:
        def plan(current: DocumentReview) -> GoldStep:
            found = self._gold(current, span)
            assert found.id is not None
            return GoldStep(document_id, relabelled=(Relabel(found.id, found.start, found.end, found.label, label),),
                            what=f"relabel {_where(span.label, span.start, span.end)} as {label} in gold")
        return self._act(document_id, plan)

    @retried
    def undo(self, step: GoldStep) -> GoldStep:
        """Put gold back as it was before `step`; returns the step as done (redo takes it again)."""
        return self._act(step.document_id, lambda _: step.inverse(), read=False).inverse()

    @retried
    def redo(self, step: GoldStep) -> GoldStep:
        return self._act(step.document_id, lambda _: step, read=False)

    # -- how an action is carried out -------------------------------------------------------------
    def _accepting(self, document_id: int, candidates: list[Candidate], what: str) -> GoldStep:
        added, verdicts = [], []
        for c in candidates:
            if c.state is CandidateState.ACCEPTED:
                continue
            added.append(GoldSpan(c.start, c.end, c.label, None, self.origin))
            if c.state is CandidateState.REJECTED:
                verdicts.append(VerdictChange(c.start, c.end, c.label, c.verdict, None))
        return GoldStep(document_id, added=tuple(added), verdicts=tuple(verdicts), what=what)

    def _act(self, document_id: int, plan: Callable[[DocumentReview], GoldStep], *, read: bool = True) -> GoldStep:
        """Plan the step on the document as it is now and apply it, in one transaction."""
        with self.ws.unit() as repo:
            store = GoldStore(repo.s)
            if read:
                step = plan(self._read(store, document_id))
            else:
                step = plan(review(document_id, (), {}, (), {}))
            return self._apply(store, step)

    def _apply(self, store: GoldStore, step: GoldStep) -> GoldStep:
        """Removals first (a relabel or an addition may take their place), then relabels, additions, decisions.
        Any refusal raises, and the caller's transaction rolls the rest back."""
        doc = step.document_id
        for span in step.removed:
            if not store.delete_gold(self.project_id, doc, self.gold_id, span):
                raise SpanChangedError(f"the gold span {_where(span.label, span.start, span.end)} was changed or "
                                       "removed elsewhere", hint=CHANGED_HINT)
        for r in step.relabelled:
            if not store.relabel_gold(self.project_id, doc, self.gold_id, r.id, r.start, r.end, r.before, r.after):
                self._why_not(store, doc, GoldSpan(r.start, r.end, r.after, r.id), own_id=r.id)
                raise SpanChangedError(f"the gold span {_where(r.before, r.start, r.end)} was changed or removed "
                                       "elsewhere", hint=CHANGED_HINT)
        added = []
        for span in step.added:
            new_id = store.insert_gold(self.project_id, doc, self.gold_id, span)
            if new_id is None:
                self._why_not(store, doc, span)
                raise SpanChangedError(f"the gold span {_where(span.label, span.start, span.end)} could not be put "
                                       "back: its place was taken elsewhere", hint=CHANGED_HINT)
            added.append(GoldSpan(span.start, span.end, span.label, new_id, span.origin))
        for v in step.verdicts:
            label_id = store.label_id(self.project_id, v.label)
            if label_id is None or not store.set_verdict(doc, self.gold_id, label_id, v.start, v.end, v.before,
                                                         v.after):
                raise SpanChangedError(f"the decision on {_where(v.label, v.start, v.end)} was changed elsewhere",
                                       hint=CHANGED_HINT)
        return step.with_added(added)

    def _why_not(self, store: GoldStore, document_id: int, span: GoldSpan, own_id: int | None = None) -> None:
        """Raise why gold could not take `span`: no such document or label, or a same-label gold span there."""
        if store.project_of(document_id) != self.project_id:
            raise NotFoundError(f"document {document_id} does not exist in this project")
        if store.label_id(self.project_id, span.label) is None:
            raise SpanRuleError(f"there is no label {span.label!r} in this project")
        gold = store.review_rows([document_id], self.gold_id)[document_id].gold
        refuse_clash(Span(span.start, span.end, span.label),
                     [g.as_span() for g in gold if g.id != own_id and g.label == span.label])

    @staticmethod
    def _candidate(current: DocumentReview, label: str, start: int, end: int) -> Candidate:
        found = current.find(label, start, end)
        if found is None:
            raise SpanChangedError(f"no annotator has the span {_where(label, start, end)} any more",
                                   hint=CHANGED_HINT)
        return found

    @staticmethod
    def _gold(current: DocumentReview, span: GoldSpan) -> GoldSpan:
        found = next((g for g in current.gold if g.id == span.id and g.key() == span.key()), None)
        if found is None:
            raise SpanChangedError(f"the gold span {_where(span.label, span.start, span.end)} was changed or "
                                   "removed elsewhere", hint=CHANGED_HINT)
        return found


def _check_min(min_annotators: int) -> None:
    if min_annotators < 1:
        raise ReviewSettingError(f"--min-annotators {min_annotators} is less than 1",
                                 hint="a span is agreed when every annotator of the document made it; 2 asks for "
                                      "two annotators at least")


# -- the whole project --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GoldSummary:
    """Where a project's review stands, and what an automatic acceptance just did."""

    project: str
    documents: int
    reviewed: int  # documents with at least one candidate
    accepted_now: int  # spans put into gold by this call
    accepted_documents: int  # documents that got them
    open_agreed: int  # open candidates every annotator made, on documents with enough annotators
    open_disputed: int  # open candidates some annotator of the document did not make
    open_alone: int  # open candidates of documents with fewer annotators than asked
    settled: int  # candidates accepted, rejected or superseded
    gold: int  # gold spans of the project

    def lines(self, min_annotators: int, auto: bool) -> list[str]:
        lines = [f"project {self.project}: {self.documents} documents, {self.reviewed} with annotators' spans, "
                 f"{self.gold} gold spans"]
        if auto:
            lines.append(f"accepted {self.accepted_now} agreed span(s) into gold on {self.accepted_documents} "
                         "document(s)")
        lines.append(f"candidates: {self.settled} settled; open: {self.open_agreed} agreed, {self.open_disputed} "
                     f"disputed, {self.open_alone} on documents with fewer than {min_annotators} annotators")
        return lines


def project_gold(ws: Workspace, project: str, reviewer: str, *, auto_accept_agreed: bool = False,
                 min_annotators: int = 2) -> GoldSummary:
    """The review state of every document of the project; with `auto_accept_agreed`, first every agreed open
    candidate (on documents with at least `min_annotators` annotators) accepted into gold, in one transaction.
    Running it again accepts nothing more."""
    _check_min(min_annotators)
    project_obj = get_project(ws, project)
    reviewing = Review(ws, project_obj.id, reviewer)
    counts = dict.fromkeys(("reviewed", "accepted", "accepted_documents", "agreed", "disputed", "alone", "settled"),
                           0)
    accepted: list[tuple[int, GoldSpan]] = []
    with ws.unit() as repo:
        store = GoldStore(repo.s)
        if auto_accept_agreed:
            store.lock_project(project_obj.id)
        ids = store.document_ids(project_obj.id)
        rows = store.review_rows(ids, reviewing.gold_id)
        for document_id in ids:
            r = rows[document_id]
            current = review(document_id, r.annotators, r.people, r.gold, r.verdicts)
            if not current.candidates:
                continue
            counts["reviewed"] += 1
            step = reviewing._accepting(document_id, current.agreed_open(min_annotators), "")
            if auto_accept_agreed and step.added:
                # An agreed open candidate was never rejected (a rejected one is not open): only additions.
                accepted.extend((document_id, span) for span in step.added)
                counts["accepted"] += len(step.added)
                counts["accepted_documents"] += 1
                current = review(document_id, r.annotators, r.people, [*r.gold, *step.added], r.verdicts)
            enough = len(current.annotators) >= min_annotators
            for c in current.candidates:
                kind = ("settled" if not c.is_open else "disputed" if not c.agreed else "agreed" if enough
                        else "alone")
                counts[kind] += 1
        store.insert_gold_many(project_obj.id, reviewing.gold_id, accepted)
        gold = store.gold_count(project_obj.id, reviewing.gold_id)
    return GoldSummary(project_obj.name, len(ids), counts["reviewed"], counts["accepted"],
                       counts["accepted_documents"], counts["agreed"], counts["disputed"], counts["alone"],
                       counts["settled"], gold)
