"""A document's undo history read back from the database's change journal (ADR 0015): pure rules, no SQL.

The journal holds what each transaction did to one person's rows (written by triggers, migration 0007). Read
oldest first, a transaction that exactly reverses the step before it is that step's undo, and both go (an undo
then a redo leaves the step, as the window had it). What is left is classified into the steps the window knows;
the history reaches back only to the newest transaction it cannot classify (a merge, a move of an edge): older
steps could not be undone without undoing that one first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.relations import Relation
from annotator.domain.spans import Span
from annotator.domain.suggestions import (
    MODEL_ORIGIN,
    AddedSpan,
    Decided,
    Decision,
    DecisionChange,
    DecisionState,
)

SPAN_ADDED, SPAN_REMOVED, SPAN_CHANGED = "span+", "span-", "span~"
LINKED, UNLINKED, DECIDED = "rel+", "rel-", "dec"
_INVERSE = {SPAN_ADDED: SPAN_REMOVED, SPAN_REMOVED: SPAN_ADDED, LINKED: UNLINKED, UNLINKED: LINKED}


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal row: what one statement did to one row. Labels and sources by name (None: gone since)."""

    txn: int
    what: str
    row_id: int
    label: str | None = None
    start: int | None = None
    end: int | None = None
    old_label: str | None = None
    old_start: int | None = None
    old_end: int | None = None
    origin: str | None = None
    attrs: Mapping[str, Any] | None = field(default=None, compare=False)
    head_id: int | None = None
    child_id: int | None = None
    rel_type: str | None = None
    decision: str | None = None
    old_decision: str | None = None
    source: str | None = None
    old_source: str | None = None

    def key(self) -> tuple[Any, ...]:
        """What the change did, without what does not tell two changes apart (origin, attributes)."""
        return (self.what, self.row_id, self.label, self.start, self.end, self.old_label, self.old_start,
                self.old_end, self.head_id, self.child_id, self.rel_type, self.decision, self.old_decision,
                self.source, self.old_source)

    def inverse_key(self) -> tuple[Any, ...]:
        """The key of the change that takes this one back."""
        if self.what == SPAN_CHANGED:
            return (self.what, self.row_id, self.old_label, self.old_start, self.old_end, self.label, self.start,
                    self.end, None, None, None, None, None, None, None)
        if self.what == DECIDED:
            return (self.what, self.row_id, self.label, self.start, self.end, None, None, None, None, None, None,
                    self.old_decision, self.decision, self.old_source, self.source)
        return (_INVERSE[self.what], *self.key()[1:])


@dataclass(frozen=True, slots=True)
class AddStep:
    span: Span  # with its id: the undo removes that row, a redo brings the same id back


@dataclass(frozen=True, slots=True)
class RemoveStep:
    span: Span
    relations: tuple[Relation, ...] = ()
    attrs: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RelabelStep:
    span: Span  # with the label it had before
    label: str


@dataclass(frozen=True, slots=True)
class MoveStep:
    span: Span  # where it was before the move (an edge key)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LinkStep:
    relation: Relation
    origin: str
    removed: bool = False  # an unlink


@dataclass(frozen=True, slots=True)
class DecideStep:
    decided: Decided
    text: str

    @property
    def labels(self) -> frozenset[str]:
        return frozenset({a.span.label for a in self.decided.added} | {d.label for d in self.decided.decisions})


Step = AddStep | RemoveStep | RelabelStep | MoveStep | LinkStep | DecideStep


def transactions(entries: Iterable[Entry]) -> list[list[Entry]]:
    """The entries (oldest first) grouped by transaction, in the order the transactions wrote them."""
    groups: dict[int, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.txn, []).append(entry)
    return list(groups.values())


def undoes(later: Sequence[Entry], earlier: Sequence[Entry]) -> bool:
    """Whether `later` exactly takes back `earlier` (an undo): every change reversed, nothing else."""
    return sorted(map(repr, (e.inverse_key() for e in later))) == sorted(map(repr, (e.key() for e in earlier)))


def steps_from(entries: Sequence[Entry], spans: Mapping[int, Span], owner: str, document_id: int, *,
               limit: int) -> list[Step]:
    """The undo steps the journal's `entries` (one document, one person, oldest first) stand for, oldest first,
    at most `limit` of them. `spans`: the person's spans now, by id, that the entries' links join."""
    kept: list[list[Entry]] = []
    for group in transactions(entries):
        if kept and undoes(group, kept[-1]):
            kept.pop()
        else:
            kept.append(group)
    # The ends of a link: a span removed by a later step is back when that step is undone, as the journal knew it.
    known = {e.row_id: span for e in entries if e.what in (SPAN_ADDED, SPAN_REMOVED, SPAN_CHANGED)
             for span in [_span(e, owner)] if span is not None}
    known.update(spans)
    steps: list[Step] = []
    for group in reversed(kept):
        if len(steps) == limit:
            break
        step = _step(group, known, owner, document_id)
        if step is None:
            break
        steps.append(step)
    return steps[::-1]


def _span(entry: Entry, owner: str, *, old: bool = False) -> Span | None:
    label, start, end = ((entry.old_label, entry.old_start, entry.old_end) if old
                         else (entry.label, entry.start, entry.end))
    if label is None or start is None or end is None:
        return None  # its label was deleted since: nothing can name it
    return Span(start, end, label, entry.row_id, owner)


def _relation(entry: Entry, spans: Mapping[int, Span]) -> Relation | None:
    head, child = spans.get(entry.head_id or 0), spans.get(entry.child_id or 0)
    if head is None or child is None or entry.rel_type is None:
        return None
    return Relation(head, child, entry.rel_type, entry.row_id)


def _step(group: list[Entry], spans: Mapping[int, Span], owner: str, document_id: int) -> Step | None:
    kinds = sorted(e.what for e in group)
    first = group[0]
    if kinds == [SPAN_ADDED]:
        span = _span(first, owner)
        return None if span is None else AddStep(span)
    if kinds == [SPAN_CHANGED]:
        span, now = _span(first, owner, old=True), _span(first, owner)
        if span is None or now is None:
            return None
        if (span.start, span.end) == (now.start, now.end):
            return RelabelStep(span, now.label)
        return MoveStep(span, now.start, now.end) if span.label == now.label else None
    if kinds in ([LINKED], [UNLINKED]):
        relation = _relation(first, spans)
        return None if relation is None else LinkStep(relation, first.origin or "manual", removed=kinds == [UNLINKED])
    if set(kinds) <= {SPAN_REMOVED, UNLINKED} and kinds.count(SPAN_REMOVED) == 1:
        return _removal(group, spans, owner)
    if DECIDED in kinds and set(kinds) <= {DECIDED, SPAN_ADDED}:
        return _decision(group, owner, document_id)
    return None


def _removal(group: list[Entry], spans: Mapping[int, Span], owner: str) -> RemoveStep | None:
    removed = next(e for e in group if e.what == SPAN_REMOVED)
    span = _span(removed, owner)
    if span is None:
        return None
    around = {**spans, span.id or 0: span}
    relations = []
    for entry in group:
        if entry.what == UNLINKED:
            relation = _relation(entry, around)
            if relation is None or span.id not in (relation.head.id, relation.child.id):
                return None
            relations.append(relation)
    return RemoveStep(span, tuple(relations), removed.attrs)


def _decision(group: list[Entry], owner: str, document_id: int) -> DecideStep | None:
    added: list[AddedSpan] = []
    decisions: list[DecisionChange] = []
    for entry in group:
        if entry.what == SPAN_ADDED:
            span = _span(entry, owner)
            if span is None or not (entry.origin or "").startswith(MODEL_ORIGIN):
                return None
            added.append(AddedSpan(span, entry.origin or ""))
            continue
        if entry.label is None or entry.start is None or entry.end is None:
            return None
        before = None if entry.old_decision is None else DecisionState(Decision(entry.old_decision), entry.old_source)
        after = None if entry.decision is None else DecisionState(Decision(entry.decision), entry.source)
        decisions.append(DecisionChange(entry.label, entry.start, entry.end, before, after))
    if len(added) > 1:
        text = "accept every suggestion"  # as the window names the step (SuggestionDesk.accept_all)
    elif added:
        text = f"accept {added[0].span.label}"
    else:
        text = f"reject {decisions[0].label}"
    return DecideStep(Decided(document_id, tuple(added), tuple(decisions)), text)
