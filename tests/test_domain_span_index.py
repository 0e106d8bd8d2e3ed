"""The span index of one layer: reading order, lookups by offset, cheap changes, listeners told in order."""

from __future__ import annotations

import random

from annotator.domain.span_index import Change, SpanIndex, neighbour_across, reading_order
from annotator.domain.spans import Span

# A CLAIM holding a SOURCE and a FIGURE, two spans on the same characters (equal offsets, other labels),
# a LOCATION nested in the SOURCE, and one span alone further on.
CLAIM = Span(0, 40, "CLAIM", 1)
SOURCE = Span(0, 12, "SOURCE", 2)
SAME = Span(0, 12, "PERSON", 3)
PLACE = Span(5, 12, "LOCATION", 4)
FIGURE = Span(20, 30, "FIGURE", 5)
ALONE = Span(50, 55, "LOCATION", 6)
ALL = [ALONE, FIGURE, PLACE, SAME, SOURCE, CLAIM]


def test_reading_order_puts_the_outer_span_first_and_equal_spans_by_id() -> None:
    index = SpanIndex(ALL)
    assert list(index) == [CLAIM, SOURCE, SAME, PLACE, FIGURE, ALONE]
    assert [index.row_of(s.id) for s in (CLAIM, SAME, ALONE)] == [0, 2, 5]  # type: ignore[arg-type]
    assert index.row_of(99) is None
    assert index.counts() == {"CLAIM": 1, "SOURCE": 1, "PERSON": 1, "LOCATION": 2, "FIGURE": 1}


def test_lookups_by_offset_innermost_first() -> None:
    index = SpanIndex(ALL)
    assert index.at(7) == [PLACE, SOURCE, SAME, CLAIM]  # equal spans: by start, then as sorted is stable
    assert index.at(12) == [CLAIM]  # end is exclusive
    assert index.at(45) == []
    assert index.over(5, 12) == [PLACE, SOURCE, SAME, CLAIM]
    assert index.over(3, 14) == [CLAIM]
    assert index.over(22, 22) == [FIGURE, CLAIM]


def test_overlap_queries_in_reading_order() -> None:
    index = SpanIndex(ALL)
    assert index.overlapping(11, 21) == [CLAIM, SOURCE, SAME, PLACE, FIGURE]
    assert index.overlapping(40, 50) == []  # both ends exclusive: CLAIM ends at 40, ALONE starts at 50
    assert index.overlapping(39, 51) == [CLAIM, ALONE]


def test_next_and_previous_from_a_selection_or_a_caret() -> None:
    index = SpanIndex(ALL)
    assert index.neighbour(0, 0, forward=True) == CLAIM
    assert index.neighbour(0, 40, forward=True) == SOURCE  # into the nested ones
    # Two equal spans look the same selected: Tab passes both (else it would stay on them forever).
    assert index.neighbour(0, 12, forward=True) == PLACE
    assert index.neighbour(0, 12, forward=False) == CLAIM
    assert index.neighbour(50, 55, forward=True) is None
    assert index.neighbour(0, 40, forward=False) is None
    assert index.neighbour(45, 45, forward=False) == FIGURE


class Recorder:
    def __init__(self, index: SpanIndex) -> None:
        self.index = index
        self.seen: list[tuple[str, Change, int, int]] = []

    def index_changing(self, change: Change, row: int, span: Span | None) -> None:
        self.seen.append(("before", change, row, len(self.index)))

    def index_changed(self, change: Change, row: int, span: Span | None) -> None:
        self.seen.append(("after", change, row, len(self.index)))


def test_changes_keep_the_order_and_tell_listeners_before_and_after() -> None:
    index = SpanIndex([CLAIM, FIGURE])
    heard = Recorder(index)
    index.listen(heard)
    assert index.add(SOURCE) == 1
    relabelled = SOURCE._replace(label="PERSON")
    assert index.replace(relabelled) == SOURCE
    assert index.get(2) == relabelled and index.counts()["SOURCE"] == 0
    assert index.remove(5) == FIGURE
    assert index.remove(5) is None  # already gone: nobody is told
    assert list(index) == [CLAIM, relabelled]
    assert heard.seen == [("before", Change.INSERT, 1, 2), ("after", Change.INSERT, 1, 3),
                          ("before", Change.REPLACE, 1, 3), ("after", Change.REPLACE, 1, 3),
                          ("before", Change.REMOVE, 2, 3), ("after", Change.REMOVE, 2, 2)]
    index.unlisten(heard)
    index.reset([ALONE])
    assert list(index) == [ALONE] and len(heard.seen) == 6


def test_a_span_moved_to_other_offsets_changes_row() -> None:
    index = SpanIndex([CLAIM, FIGURE, ALONE])
    moved = FIGURE._replace(start=52, end=54)
    assert index.replace(moved) == FIGURE
    assert list(index) == [CLAIM, ALONE, moved]
    assert index.at(25) == [CLAIM]
    assert index.replace(Span(1, 2, "X", 77)) is None and len(index) == 3


def test_random_changes_agree_with_a_brute_force_list() -> None:
    rnd = random.Random(8)
    spans: list[Span] = []
    index = SpanIndex()
    next_id = 1
    for _ in range(600):
        if spans and rnd.random() < 0.35:
            gone = spans.pop(rnd.randrange(len(spans)))
            assert index.remove(gone.id) == gone  # type: ignore[arg-type]
        else:
            start = rnd.randrange(100)
            span = Span(start, start + rnd.randint(1, 30), rnd.choice("ABC"), next_id)
            next_id += 1
            spans.append(span)
            index.add(span)
        expected = sorted(spans, key=reading_order)
        assert list(index) == expected
        a, b = sorted(rnd.sample(range(130), 2))
        assert index.overlapping(a, b) == [s for s in expected if s.start < b and a < s.end]
        assert set(index.at(a)) == {s for s in expected if s.start <= a < s.end}
        assert set(index.over(a, b)) == {s for s in expected if s.start <= a and b <= s.end}
    rebuilt = SpanIndex(reversed(spans))  # one sort from any order
    assert list(rebuilt) == list(index)


def test_the_next_and_previous_span_across_layers_agree_with_one_sorted_list_of_them_all() -> None:
    """What the window's Tab / Shift+Tab between suggestions and the selection after an accept need, on random
    layers (nested spans, equal offsets under other labels, the same span in two layers): one bisection a layer
    gives what sorting every layer's spans by (start, -end, label), layers in order on a tie, gives."""
    rnd = random.Random(11)
    for _ in range(300):
        layers: dict[str, SpanIndex] = {}
        for name in ("rules", "occurrences", "trained")[: rnd.randint(1, 3)]:
            spans = set()
            for _ in range(rnd.randint(0, 12)):
                start = rnd.randint(0, 30)
                spans.add(Span(start, start + rnd.randint(1, 8), rnd.choice("ABC")))
            layers[name] = SpanIndex(Span(s.start, s.end, s.label, i) for i, s in enumerate(sorted(spans), start=1))
        everything = sorted(((owner, s) for owner, index in layers.items() for s in index),
                            key=lambda pair: (pair[1].start, -pair[1].end, pair[1].label))
        for _ in range(20):
            start = rnd.randint(0, 32)
            end = start + rnd.randint(0, 9)
            here = (start, -end)
            after = next((p for p in everything if (p[1].start, -p[1].end) > here), None)
            before = next((p for p in reversed(everything) if (p[1].start, -p[1].end) < here), None)
            assert neighbour_across(layers, start, end, forward=True) == after, (layers, start, end)
            assert neighbour_across(layers, start, end, forward=False) == before, (layers, start, end)
