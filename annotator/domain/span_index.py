"""One layer's spans in reading order, with lookups by offset; no Qt (ADR 0008).

The window keeps one index per layer of the open document: the session changes it, and the span table and the
highlighter read it and hear about each change through listeners (the plain-Python model that Qt adapters sit
on, as in napari), so that nothing keeps a second sorted copy.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Protocol, TypeVar

from annotator.domain.spans import Span

K = TypeVar("K", bound=Hashable)


def reading_order(span: Span) -> tuple[int, int, int]:
    """Start first, then the longer of two spans that start together (the outer one), then the older."""
    return (span.start, -span.end, span.id or 0)


class Change(StrEnum):
    INSERT = "insert"
    REMOVE = "remove"
    REPLACE = "replace"  # the same id and offsets, another label: the row stays where it is
    RESET = "reset"  # every span at once (row is -1)


class IndexListener(Protocol):
    """Told before and after each change; `span` is the one that comes, goes or is replaced (its old self)."""

    def index_changing(self, change: Change, row: int, span: Span | None) -> None: ...

    def index_changed(self, change: Change, row: int, span: Span | None) -> None: ...


class SpanIndex:
    """The spans of one layer sorted by (start, -end, id); rows are positions in that order."""

    def __init__(self, spans: Iterable[Span] = (), *, ordered: bool = False) -> None:
        """`ordered`: the spans come in reading order already (as the database's span queries give them), and are
        taken as they come; a document of 10,000 spans is opened without calling a sort key 10,000 times."""
        self._listeners: list[IndexListener] = []
        self._fill(spans, ordered=ordered)

    def _fill(self, spans: Iterable[Span], *, ordered: bool = False) -> None:
        self._spans = list(spans) if ordered else sorted(spans, key=reading_order)
        self._starts = [s.start for s in self._spans]
        self._by_id = {s.id: s for s in self._spans if s.id is not None}
        self._counts = Counter(s.label for s in self._spans)
        # An upper bound on span length (not lowered by removals): a span covering i starts after i - _longest.
        self._longest = max((s.end - s.start for s in self._spans), default=0)

    # -- listeners ---------------------------------------------------------------------------------
    def listen(self, listener: IndexListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unlisten(self, listener: IndexListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _tell(self, before: bool, change: Change, row: int, span: Span | None) -> None:
        for listener in list(self._listeners):
            if before:
                listener.index_changing(change, row, span)
            else:
                listener.index_changed(change, row, span)

    # -- reading -----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self) -> Iterator[Span]:
        return iter(self._spans)

    def __getitem__(self, row: int) -> Span:
        return self._spans[row]

    def get(self, span_id: int) -> Span | None:
        return self._by_id.get(span_id)

    def row_of(self, span_id: int) -> int | None:
        span = self._by_id.get(span_id)
        return None if span is None else bisect.bisect_left(self._spans, reading_order(span), key=reading_order)

    def counts(self) -> Counter[str]:
        return Counter({label: n for label, n in self._counts.items() if n})

    def at(self, position: int) -> list[Span]:
        """The spans covering `position`, innermost first."""
        return _innermost_first(s for s in self._starting_between(position - self._longest, position)
                                if s.covers(position))

    def over(self, start: int, end: int) -> list[Span]:
        """The spans holding the whole of [start, end) (the caret's position when empty), innermost first."""
        if start == end:
            return self.at(start)
        return _innermost_first(s for s in self._starting_between(end - self._longest, start) if s.end >= end)

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The spans sharing at least one character with [start, end), in reading order."""
        return [s for s in self._starting_between(start - self._longest, end - 1) if s.end > start]

    def neighbour(self, start: int, end: int, *, forward: bool) -> Span | None:
        """The span after (or before) the selection [start, end) in reading order; nested ones included."""
        first, last = bisect.bisect_left(self._starts, start), bisect.bisect_right(self._starts, start)
        selected = [i for i in range(first, last) if self._spans[i].end == end]
        if forward:
            i = selected[-1] + 1 if selected else first
            return self._spans[i] if i < len(self._spans) else None
        i = selected[0] - 1 if selected else first - 1
        return self._spans[i] if i >= 0 else None

    def after(self, start: int, end: int) -> list[Span]:
        """The spans next after the offsets (start, end) in reading order, all of those on the same offsets: ones
        starting at `start` and ending before `end` (inside it), else the first starting after `start`."""
        first, last = bisect.bisect_left(self._starts, start), bisect.bisect_right(self._starts, start)
        i = next((i for i in range(first, last) if self._spans[i].end < end), last)
        return self._same_offsets(i)

    def before(self, start: int, end: int) -> list[Span]:
        """The spans next before the offsets (start, end) in reading order, all of those on the same offsets: ones
        starting at `start` and ending after `end` (holding it), else the last starting before `start`."""
        first, last = bisect.bisect_left(self._starts, start), bisect.bisect_right(self._starts, start)
        i = next((i for i in range(last - 1, first - 1, -1) if self._spans[i].end > end), first - 1)
        return self._same_offsets(i)

    def _same_offsets(self, i: int) -> list[Span]:
        """The span at row `i` and its neighbours on the same offsets (rows next to it), in reading order."""
        if not 0 <= i < len(self._spans):
            return []
        key = (self._spans[i].start, self._spans[i].end)
        low, high = i, i + 1
        while low > 0 and (self._spans[low - 1].start, self._spans[low - 1].end) == key:
            low -= 1
        while high < len(self._spans) and (self._spans[high].start, self._spans[high].end) == key:
            high += 1
        return self._spans[low:high]

    def _starting_between(self, low: int, high: int) -> list[Span]:
        """Spans whose start lies in [low, high]."""
        return self._spans[bisect.bisect_left(self._starts, low) : bisect.bisect_right(self._starts, high)]

    # -- changing ----------------------------------------------------------------------------------
    def add(self, span: Span) -> int:
        """Put `span` in its place (a span with the id of one already here replaces it); returns its row."""
        if span.id is not None and span.id in self._by_id:
            self.remove(span.id)
        row = bisect.bisect_left(self._spans, reading_order(span), key=reading_order)
        self._tell(True, Change.INSERT, row, span)
        self._spans.insert(row, span)
        self._starts.insert(row, span.start)
        if span.id is not None:
            self._by_id[span.id] = span
        self._counts[span.label] += 1
        self._longest = max(self._longest, span.end - span.start)
        self._tell(False, Change.INSERT, row, span)
        return row

    def remove(self, span_id: int) -> Span | None:
        """Take the span `span_id` out; returns it (None when it is not here)."""
        row = self.row_of(span_id)
        if row is None:
            return None
        span = self._spans[row]
        self._tell(True, Change.REMOVE, row, span)
        del self._spans[row]
        del self._starts[row]
        del self._by_id[span_id]
        self._counts[span.label] -= 1
        self._tell(False, Change.REMOVE, row, span)
        return span

    def replace(self, span: Span) -> Span | None:
        """Put `span` where the span with its id is; returns the old one (None when there was none: then nothing
        changes). A span moved to other offsets changes row: it is removed and added."""
        old = self._by_id.get(span.id) if span.id is not None else None
        if old is None or span.id is None:
            return None
        if (old.start, old.end) != (span.start, span.end):
            self.remove(span.id)
            self.add(span)
            return old
        row = self.row_of(span.id)
        assert row is not None
        self._tell(True, Change.REPLACE, row, old)
        self._spans[row] = span
        self._by_id[span.id] = span
        self._counts[old.label] -= 1
        self._counts[span.label] += 1
        self._tell(False, Change.REPLACE, row, old)
        return old

    def reset(self, spans: Iterable[Span], *, ordered: bool = False) -> None:
        """Every span at once (read again from the database); `ordered` as in the constructor."""
        self._tell(True, Change.RESET, -1, None)
        self._fill(spans, ordered=ordered)
        self._tell(False, Change.RESET, -1, None)


def neighbour_across(layers: Mapping[K, SpanIndex], start: int, end: int, *,
                      forward: bool) -> tuple[K, Span] | None:
    """Across several layers, the span after (or before) the offsets (start, end) in the order (start, -end, label),
    layers in their order on a tie: what a sorted list of every layer's spans would give, by one bisection a layer."""
    found = [(i, owner, s) for i, (owner, index) in enumerate(layers.items())
             for s in (index.after(start, end) if forward else index.before(start, end))]
    if not found:
        return None

    def order(item: tuple[int, K, Span]) -> tuple[int, int, str, int]:
        return (item[2].start, -item[2].end, item[2].label, item[0])

    _, owner, span = (min if forward else max)(found, key=order)
    return owner, span


def _innermost_first(spans: Iterable[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.end - s.start, s.start))
