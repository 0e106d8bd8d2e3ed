"""Two sets of spans compared: true and false positives and negatives, precision, recall and F1 per label.

The same comparison serves agreement between two annotators (one of them taken as the reference) and the
evaluation of a model's layer against a person's. A span is anything whose first three items are (start,
end, label): a `Span`, or a plain tuple.

Two spans of the same label match
- *exactly* when their start and end are equal;
- *by overlap* when they are equal or share at least one token: a character when no tokens are given, else
  one of the (start, end) tokens the caller passes (a token is shared when both spans cover part of it).
Matching is one-to-one (a maximum matching per label): a long span that overlaps two short ones is matched
with one of them, and the other counts as a miss, so no span is counted twice.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SpanKey = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Counts:
    """Matched spans (tp), predicted spans left unmatched (fp), reference spans left unmatched (fn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        """None when nothing was predicted: undefined, not 0 or 1."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """2tp / (2tp + fp + fn): the harmonic mean of precision and recall, defined (as 0) when one of them is
        not; None only when neither side has a span."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision, "recall": self.recall,
                "f1": self.f1}


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts per label; `overall` is their sum (micro-averaged precision, recall and F1)."""

    labels: Mapping[str, Counts] = field(default_factory=dict)

    @property
    def overall(self) -> Counts:
        return sum(self.labels.values(), Counts())

    def __add__(self, other: Tally) -> Tally:
        merged = dict(self.labels)
        for label, counts in other.labels.items():
            merged[label] = merged.get(label, Counts()) + counts
        return Tally(merged)

    def get(self, label: str) -> Counts:
        return self.labels.get(label, Counts())


@dataclass(frozen=True, slots=True)
class Scores:
    """The comparison under both kinds of match."""

    exact: Tally = field(default_factory=Tally)
    overlap: Tally = field(default_factory=Tally)

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.exact + other.exact, self.overlap + other.overlap)


class TokenIndex:
    """Tokens of a text as sorted, non-overlapping (start, end) ranges, and the tokens a span touches."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, tokens: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(tokens)
        self._starts = [s for s, _ in ordered]
        self._ends = [e for _, e in ordered]

    def __len__(self) -> int:
        return len(self._starts)

    def covered(self, start: int, end: int) -> tuple[int, int]:
        """The indices [first, last) of the tokens that share a character with [start, end); first == last: none."""
        first = bisect.bisect_right(self._ends, start)  # the first token that ends after `start`
        last = bisect.bisect_left(self._starts, end)  # the tokens that start before `end`
        return first, max(first, last)


def as_key(span: Sequence[Any]) -> SpanKey:
    return (int(span[0]), int(span[1]), str(span[2]))


def compare(reference: Iterable[Sequence[Any]], predicted: Iterable[Sequence[Any]],
            tokens: Iterable[tuple[int, int]] | TokenIndex | None = None) -> Scores:
    """`predicted` scored against `reference`, per label, exactly and by overlap (see the module's notes).

    Exact repeats within one side count once. `tokens`: the text's token ranges (or a TokenIndex made once for
    many comparisons on one text); without them, overlap means sharing a character.
    """
    index = tokens if isinstance(tokens, TokenIndex) or tokens is None else TokenIndex(tokens)
    ref_by_label = _by_label(reference)
    pred_by_label = _by_label(predicted)
    exact: dict[str, Counts] = {}
    overlap: dict[str, Counts] = {}
    for label in ref_by_label.keys() | pred_by_label.keys():
        ref = ref_by_label.get(label, [])
        pred = pred_by_label.get(label, [])
        same = len(set(ref) & set(pred))
        exact[label] = Counts(same, len(pred) - same, len(ref) - same)
        matched = max_matching(ref, pred, index)
        overlap[label] = Counts(matched, len(pred) - matched, len(ref) - matched)
    return Scores(Tally(exact), Tally(overlap))


def _by_label(spans: Iterable[Sequence[Any]]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, set[tuple[int, int]]] = {}
    for span in spans:
        start, end, label = as_key(span)
        out.setdefault(label, set()).add((start, end))
    return {label: sorted(ranges) for label, ranges in out.items()}


def units(ranges: Sequence[tuple[int, int]], index: TokenIndex | None) -> list[tuple[int, int]]:
    """Each range as the [first, last) units it covers: characters as they are, or token indices."""
    return list(ranges) if index is None else [index.covered(s, e) for s, e in ranges]


def max_matching(ref: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], index: TokenIndex | None) -> int:
    """The size of a maximum one-to-one matching between `ref` and `pred` ranges that are equal or share a unit."""
    if not ref or not pred:
        return 0
    edges = _overlap_edges(ref, pred, index)
    match_of_pred: dict[int, int] = {}
    match_of_ref: dict[int, int] = {}
    for r, candidates in enumerate(edges):  # greedy first: most pairs are settled here
        for p in candidates:
            if p not in match_of_pred:
                match_of_pred[p] = r
                match_of_ref[r] = p
                break
    for r in range(len(ref)):
        if r not in match_of_ref and edges[r]:
            _augment(r, edges, match_of_ref, match_of_pred)
    return len(match_of_ref)


def _overlap_edges(ref: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]],
                   index: TokenIndex | None) -> list[list[int]]:
    """For each reference range, the predicted ranges it may be matched with, found by a sorted sweep."""
    ref_units = units(ref, index)
    pred_units = units(pred, index)
    order = sorted(range(len(pred)), key=lambda p: pred_units[p])
    starts = [pred_units[p][0] for p in order]
    longest = max(e - s for s, e in pred_units)
    exact = {span: p for p, span in enumerate(pred)}
    edges = []
    for r, (s, e) in enumerate(ref_units):
        found = []
        if ref[r] in exact:
            found.append(exact[ref[r]])
        if e > s:
            # A predicted range that shares a unit starts before `e` and no more than `longest` units before `s`.
            lo = bisect.bisect_right(starts, s - longest)
            hi = bisect.bisect_left(starts, e)
            for p in order[lo:hi]:
                p_start, p_end = pred_units[p]
                if p_end > s and p_end > p_start and p not in found:  # a range that covers no token shares none
                    found.append(p)
        edges.append(found)
    return edges


def _augment(root: int, edges: list[list[int]], match_of_ref: dict[int, int], match_of_pred: dict[int, int]) -> None:
    """One breadth-first search for an alternating path from the free `root`; flip it when found."""
    came_from: dict[int, int] = {}  # predicted -> the reference it was reached from
    queue = deque([root])
    seen_ref = {root}
    while queue:
        r = queue.popleft()
        for p in edges[r]:
            if p in came_from:
                continue
            came_from[p] = r
            owner = match_of_pred.get(p)
            if owner is None:
                while True:  # flip the path back to the root
                    r = came_from[p]
                    previous = match_of_ref.get(r)
                    match_of_ref[r] = p
                    match_of_pred[p] = r
                    if previous is None:
                        return
                    p = previous
            if owner not in seen_ref:
                seen_ref.add(owner)
                queue.append(owner)
