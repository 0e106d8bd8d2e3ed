"""A document's undo history read back from the database's change journal (ADR 0015): pure rules, no SQL.

The journal holds what each transaction did to one person's rows (written by triggers, migration 0007). Read
oldest first, a transaction that exactly reverses the step before it is that step's undo, and both go (an undo
then a redo leaves the step, as the window had it). What is left is classified into the steps the window knows;
the history reaches back only to the newest transaction it cannot classify (a span moved and relabelled at once,
a label deleted since): older steps could not be undone without undoing that one first. A transaction of
several changes (the window writes a compound step in one: gui/commands.write_step) is a compound step whose
parts are its changes in the order it made them.
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


PartStep = AddStep | RemoveStep | RelabelStep | MoveStep | LinkStep | DecideStep


@dataclass(frozen=True, slots=True)
class CompoundStep:
    """Several changes of one transaction, one undo step: undone in reverse order, as the window undoes its own."""

    parts: tuple[PartStep, ...]
    text: str


Step = PartStep | CompoundStep


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
    if any(e.what == DECIDED for e in group):
        return _decision(group, owner, document_id) if all(e.what in (DECIDED, SPAN_ADDED) for e in group) else None
    parts = _parts(group, spans, owner)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else CompoundStep(tuple(parts), _compound_text(parts))


def _parts(group: list[Entry], spans: Mapping[int, Span], owner: str) -> list[PartStep]:
    """The changes of one transaction, in the order it made them; [] when one of them cannot be named. A link
    removed with a span (the database cascades) is part of that span's removal: of the first one removed that
    it joins."""
    removed = [e.row_id for e in group if e.what == SPAN_REMOVED]
    took: dict[int, list[Entry]] = {}  # removed span id -> the links that went with it
    taken: set[int] = set()  # their places in the group
    for n, entry in enumerate(group):
        end = next((i for i in removed if i in (entry.head_id, entry.child_id)), None)
        if entry.what == UNLINKED and end is not None:
            took.setdefault(end, []).append(entry)
            taken.add(n)
    parts: list[PartStep] = []
    for n, entry in enumerate(group):
        if n in taken:
            continue
        part = _part(entry, took.get(entry.row_id, []) if entry.what == SPAN_REMOVED else [], spans, owner)
        if part is None:
            return []
        parts.append(part)
    return parts


def _part(entry: Entry, unlinked: list[Entry], spans: Mapping[int, Span], owner: str) -> PartStep | None:
    if entry.what == SPAN_ADDED:
        span = _span(entry, owner)
        return None if span is None else AddStep(span)
    if entry.what == SPAN_CHANGED:
        span, now = _span(entry, owner, old=True), _span(entry, owner)
        if span is None or now is None:
            return None
        if (span.start, span.end) == (now.start, now.end):
            return RelabelStep(span, now.label)
        return MoveStep(span, now.start, now.end) if span.label == now.label else None
    if entry.what in (LINKED, UNLINKED):
        relation = _relation(entry, spans)
        return None if relation is None else LinkStep(relation, entry.origin or "manual",
                                                      removed=entry.what == UNLINKED)
    return _removal(entry, unlinked, spans, owner)


def _compound_text(parts: list[PartStep]) -> str:
    """The step's name as the window gives it (gui/link_state, gui/session), else how many changes it made."""
    links = [p for p in parts if isinstance(p, LinkStep)]
    if len(links) == len(parts) and all(p.removed for p in links):
        return "unlink"
    if len(links) == len(parts) and not any(p.removed for p in links):
        return f"accept {len(links)} links"
    last = parts[-1]
    if isinstance(last, RelabelStep) and len(links) == len(parts) - 1 and all(p.removed for p in links):
        return f"relabel as {last.label}"  # with the links its new label does not fit
    return f"{len(parts)} changes"


def _removal(removed: Entry, unlinked: list[Entry], spans: Mapping[int, Span], owner: str) -> RemoveStep | None:
    span = _span(removed, owner)
    if span is None:
        return None
    around = {**spans, span.id or 0: span}
    relations = []
    for entry in unlinked:
        relation = _relation(entry, around)
        if relation is None:
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
    return DecideStep(Decided(document_id, tuple(added), tuple(decisions)), _decision_text(added, decisions))


def _decision_text(added: list[AddedSpan], decisions: list[DecisionChange]) -> str:
    """The step's name as the window gives it (SuggestionDesk.accept, reject, accept_all)."""
    if len(added) > 1:
        return "accept every suggestion"
    if not added:
        return f"reject {decisions[0].label}"
    span = added[0].span
    # A suggestion taken under another label or at other offsets is recorded as rejected as it was proposed
    proposed = next((d for d in decisions if d.after is not None and d.after.decision is Decision.REJECTED), None)
    if proposed is None:
        return f"accept {span.label}"
    text = f"accept {span.label}" if proposed.label == span.label else f"accept {proposed.label} as {span.label}"
    return text if (proposed.start, proposed.end) == (span.start, span.end) else f"{text}, moved"
