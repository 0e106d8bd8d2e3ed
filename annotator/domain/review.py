"""Review into gold: every person's spans of a document grouped into candidates, and the steps that settle them.

A *candidate* is one (label, start, end) that at least one person of the document made, with who made it and
who did not. It is *agreed* when every annotator of the document made it (an annotator of a document: someone
with a span on it or a status other than todo). Its state says whether the lead has settled it: accepted (gold
holds that very span), rejected (a gold-layer decision), superseded (gold holds another span of the label that
overlaps it, so it could not join gold as it is), or still open.

A `GoldStep` is what one review action changed in the gold layer, exact enough to be undone and redone: the
gold spans added and removed (with their ids and origins), relabelled in place, and the decisions changed.
Its inverse undoes it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from annotator.domain.documents import Changes
from annotator.domain.spans import Span

REVIEW_ORIGIN = "review"
ORIGIN_LENGTH = 64  # span.origin's width in the schema


def review_origin(reviewer: str) -> str:
    """The origin of a span the reviewer put into gold: `review:<reviewer>`, cut to what the column holds."""
    return f"{REVIEW_ORIGIN}:{reviewer}"[:ORIGIN_LENGTH]


class CandidateState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


Key = tuple[int, int, str]  # (start, end, label), as Span.key()


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    label: str
    made_by: tuple[str, ...]
    missed_by: tuple[str, ...]
    state: CandidateState = CandidateState.OPEN
    gold_id: int | None = None  # the gold span that is this candidate, once accepted
    verdict: Verdict | None = None  # gold's decision on it, as stored

    @property
    def agreed(self) -> bool:
        return not self.missed_by

    @property
    def is_open(self) -> bool:
        return self.state is CandidateState.OPEN

    def key(self) -> Key:
        return (self.start, self.end, self.label)

    def covers(self, position: int) -> bool:
        return self.start <= position < self.end


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """A span of the gold layer with its origin (`review:ana`, or what an import wrote)."""

    start: int
    end: int
    label: str
    id: int | None = None
    origin: str = ""

    def key(self) -> Key:
        return (self.start, self.end, self.label)

    def as_span(self) -> Span:
        return Span(self.start, self.end, self.label, self.id, "gold")


@dataclass(frozen=True, slots=True)
class Verdict:
    """A gold-layer decision on a candidate: `rejected`, and by which reviewer."""

    decision: str
    reviewer: str | None


@dataclass(frozen=True, slots=True)
class VerdictChange:
    start: int
    end: int
    label: str
    before: Verdict | None
    after: Verdict | None


@dataclass(frozen=True, slots=True)
class Relabel:
    id: int
    start: int
    end: int
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class GoldStep:
    """What one review action did to the gold layer of a document; `inverse()` is its undo."""

    document_id: int
    added: tuple[GoldSpan, ...] = ()
    removed: tuple[GoldSpan, ...] = ()
    relabelled: tuple[Relabel, ...] = ()
    verdicts: tuple[VerdictChange, ...] = ()
    what: str = ""  # for the undo menu: "accept LOCATION [3:9]"

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.relabelled or self.verdicts)

    def inverse(self) -> GoldStep:
        return GoldStep(
            self.document_id, added=self.removed, removed=self.added,
            relabelled=tuple(Relabel(r.id, r.start, r.end, r.after, r.before) for r in self.relabelled),
            verdicts=tuple(VerdictChange(v.start, v.end, v.label, v.after, v.before) for v in self.verdicts),
            what=self.what)

    @property
    def changes(self) -> Changes:
        return Changes(documents=frozenset({self.document_id}),
                       spans_added=tuple(s.id for s in self.added if s.id is not None),
                       spans_removed=tuple(s.id for s in self.removed if s.id is not None))

    def with_added(self, added: Sequence[GoldSpan]) -> GoldStep:
        return replace(self, added=tuple(added))


@dataclass(frozen=True, slots=True)
class DocumentReview:
    """A document as the reviewer sees it: its annotators, the candidates in reading order, and gold."""

    document_id: int
    annotators: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    gold: tuple[GoldSpan, ...]
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(c.start for c in self.candidates))

    @property
    def open(self) -> list[Candidate]:
        return [c for c in self.candidates if c.is_open]

    def agreed_open(self, min_annotators: int = 2) -> list[Candidate]:
        """The open candidates every annotator made, on a document with at least `min_annotators` of them."""
        if len(self.annotators) < min_annotators:
            return []
        chosen: list[Candidate] = []
        for c in self.candidates:
            # Imported layers may hold overlapping spans of one label; gold takes the first of such a pair only.
            if c.is_open and c.agreed and not any(o.label == c.label and o.start < c.end and c.start < o.end
                                                   for o in chosen):
                chosen.append(c)
        return chosen

    def find(self, label: str, start: int, end: int) -> Candidate | None:
        i = bisect.bisect_left(self._starts, start)
        while i < len(self.candidates) and self.candidates[i].start == start:
            if self.candidates[i].key() == (start, end, label):
                return self.candidates[i]
            i += 1
        return None

    def at(self, position: int) -> Candidate | None:
        """The candidate under `position`: an open one before a settled one, then the innermost (shortest)."""
        covering = [c for c in self.candidates[: bisect.bisect_right(self._starts, position)] if c.covers(position)]
        if not covering:
            return None
        return min(covering, key=lambda c: (not c.is_open, c.end - c.start, c.label))

    def neighbour_open(self, position: int, current: Key | None = None, *, forward: bool = True) -> Candidate | None:
        """The open candidate after (before) `current` in reading order, or when `current` is not an open one, the
        first starting at or after `position` (the last starting before it); wraps around."""
        found = self.open
        if not found:
            return None
        keys = [c.key() for c in found]
        if current in keys:
            i = keys.index(current) + (1 if forward else -1)
            return found[i % len(found)]
        if forward:
            return next((c for c in found if c.start >= position), found[0])
        return next((c for c in reversed(found) if c.start < position), found[-1])


def review(document_id: int, annotators: Iterable[str], people: Mapping[str, Sequence[Span]],
           gold: Sequence[GoldSpan], verdicts: Mapping[Key, Verdict]) -> DocumentReview:
    """Group the people's spans of a document into candidates and settle each against gold and the decisions.

    `annotators` are the document's annotators (whoever made a span is one, whatever the caller passes).
    """
    who = sorted(set(annotators) | {name for name, spans in people.items() if spans})
    makers: dict[Key, list[str]] = {}
    for name in who:
        for span in people.get(name, ()):
            makers.setdefault(span.key(), []).append(name)
    in_gold = {g.key(): g for g in gold}
    gold_by_label: dict[str, list[GoldSpan]] = {}
    for g in gold:
        gold_by_label.setdefault(g.label, []).append(g)
    candidates = []
    for key in sorted(makers, key=lambda k: (k[0], -k[1], k[2])):
        start, end, label = key
        made = tuple(makers[key])
        missed = tuple(name for name in who if name not in made)
        if key in in_gold:
            state, gold_id = CandidateState.ACCEPTED, in_gold[key].id
        elif key in verdicts and verdicts[key].decision == CandidateState.REJECTED.value:
            state, gold_id = CandidateState.REJECTED, None
        elif any(g.start < end and start < g.end for g in gold_by_label.get(label, ())):
            state, gold_id = CandidateState.SUPERSEDED, None
        else:
            state, gold_id = CandidateState.OPEN, None
        candidates.append(Candidate(start, end, label, made, missed, state, gold_id, verdicts.get(key)))
    gold_sorted = tuple(sorted(gold, key=lambda g: (g.start, -g.end, g.label)))
    return DocumentReview(document_id, tuple(who), tuple(candidates), gold_sorted)
