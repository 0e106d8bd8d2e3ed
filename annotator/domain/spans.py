"""Spans and their rules. Offsets are Python str indices (code points) into the document text."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from annotator.errors import SpanRuleError


class Span(NamedTuple):
    """A span: Python str indices [start, end) and a label; `id` and `annotator` once stored.

    A named tuple rather than a frozen dataclass: a document can hold tens of thousands, and a tuple is
    made about five times faster; it is just as immutable, hashable and ordered.
    """

    start: int
    end: int
    label: str
    id: int | None = None
    annotator: str | None = None

    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def covers(self, position: int) -> bool:
        return self.start <= position < self.end


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def check_bounds(text_length: int, start: object, end: object) -> None:
    if not isinstance(start, int) or isinstance(start, bool) or not isinstance(end, int) or isinstance(end, bool):
        raise SpanRuleError(f"span offsets must be whole numbers, got start={brief(start)}, end={brief(end)}")
    if not 0 <= start < end <= text_length:
        raise SpanRuleError(
            f"span [{brief(start)}:{brief(end)}] is outside the text or empty (the text has {text_length} characters)",
            hint="offsets must satisfy 0 <= start < end <= length of the text",
        )


def brief(value: object, limit: int = 40) -> str:
    """`repr(value)` cut to a length a one-line message can hold (a hostile file's offset may have 4,000 digits)."""
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}... ({len(shown)} characters)"


def validate_span(text: str, span: Span, others: Iterable[Span] = ()) -> None:
    """Raise SpanRuleError if `span` cannot join `others` (the same annotator's spans of the document)."""
    check_bounds(len(text), span.start, span.end)
    refuse_clash(span, others)


def refuse_clash(span: Span, others: Iterable[Span]) -> None:
    """Raise SpanRuleError when a same-label span among `others` overlaps `span`, an exact repeat included."""
    for other in others:
        if other.label == span.label and overlaps(other, span):
            if other.key() == span.key():
                raise SpanRuleError(f"{span.label} [{span.start}:{span.end}] is already there",
                                    hint="the same label key on it removes it")
            raise SpanRuleError(
                f"{span.label} [{span.start}:{span.end}] overlaps {other.label} [{other.start}:{other.end}]",
                hint="two spans of the same label may not overlap; remove one first",
            )


def find_conflicts(spans: Sequence[Span]) -> list[tuple[Span, Span]]:
    """Pairs of same-label spans that overlap (exact duplicates are not conflicts)."""
    conflicts = []
    by_label: dict[str, list[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label, []).append(span)
    for group in by_label.values():
        group.sort(key=lambda s: (s.start, s.end))
        furthest: Span | None = None
        for span in group:
            if furthest is not None and span.start < furthest.end and span.key() != furthest.key():
                conflicts.append((furthest, span))
            if furthest is None or span.end > furthest.end:
                furthest = span
    return conflicts


def dedupe(spans: Iterable[Span]) -> tuple[list[Span], int]:
    """Drop exact repeats of (start, end, label); return the kept spans and how many repeats there were."""
    seen: set[tuple[int, int, str]] = set()
    kept = []
    repeats = 0
    for span in spans:
        if span.key() in seen:
            repeats += 1
            continue
        seen.add(span.key())
        kept.append(span)
    return kept, repeats


@dataclass(frozen=True, slots=True)
class TokenBounds:
    """Token start and end offsets of a text, sorted; what snapping and alignment need."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def is_aligned(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.ends, end)
        return i < len(self.starts) and self.starts[i] == start and j < len(self.ends) and self.ends[j] == end


def snap(text: str, start: int, end: int, bounds: TokenBounds | None) -> tuple[int, int] | None:
    """Grow [start, end) outward to whole tokens, never starting or ending on whitespace.

    Returns None when the range holds only whitespace. With no token bounds, only whitespace is trimmed.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    if bounds is None or not bounds.starts:
        return start, end
    # The token holding `start` is the last token that starts at or before it.
    i = bisect.bisect_right(bounds.starts, start) - 1
    if i >= 0 and bounds.ends[i] > start:
        start = bounds.starts[i]
    # The token holding end-1 is the last token that starts at or before end-1.
    j = bisect.bisect_right(bounds.starts, end - 1) - 1
    if j >= 0 and bounds.ends[j] > end - 1:
        end = max(end, bounds.ends[j])
    return start, end


def token_at(text: str, position: int, bounds: TokenBounds | None) -> tuple[int, int] | None:
    """The token around `position` (or just before it, at the end of a word); None on whitespace."""
    if not text:
        return None
    for pos in (position, position - 1):
        if 0 <= pos < len(text) and not text[pos].isspace():
            return snap(text, pos, pos + 1, bounds)
    return None
