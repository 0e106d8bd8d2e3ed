"""Suggestions as a person sees them, and the record of a decision on them that undo and redo replay.

A model layer holds a source's spans for a document (every person sees the same layer). What one person is
shown is that layer less the suggestions they rejected and less those they already have as spans of their own;
accepting one copies it into their layer and records the decision, rejecting one records only the decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from annotator.domain.spans import Span, overlaps

MODEL_ORIGIN = "model:"  # the origin of a span accepted from a suggestion is "model:" + the source's name


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Suggestion(NamedTuple):
    """A span proposed by `source` (the name of a model layer: rules, occurrences, trained, a pipeline); `id` is
    its row in that layer, which a window uses to find it again (a new run of the source gives new rows)."""

    start: int
    end: int
    label: str
    source: str
    id: int | None = None

    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def covers(self, position: int) -> bool:
        return self.start <= position < self.end


def origin_of(source: str) -> str:
    return MODEL_ORIGIN + source


@dataclass(frozen=True, slots=True)
class DecisionState:
    """One stored decision row's content: the decision and the source it was made on."""

    decision: Decision
    source: str | None


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """A person's decision on (label, start, end) before and after one call; None: no row."""

    label: str
    start: int
    end: int
    before: DecisionState | None
    after: DecisionState | None


@dataclass(frozen=True, slots=True)
class AddedSpan:
    span: Span  # with its id, so that redo puts back the same row
    origin: str


@dataclass(frozen=True, slots=True)
class Decided:
    """What accept, reject or accept-all did on one document: the spans it added and the decisions it wrote.

    Undo removes the spans and puts every decision back to `before`; redo adds the same spans (same ids) and
    writes `after` again.
    """

    document_id: int
    added: tuple[AddedSpan, ...] = ()
    decisions: tuple[DecisionChange, ...] = ()

    @property
    def span_ids(self) -> tuple[int, ...]:
        return tuple(a.span.id for a in self.added if a.span.id is not None)


def visible(layers: Mapping[str, Sequence[Span]], rejected: Iterable[tuple[int, int, str]],
            own: Iterable[Span], order: Sequence[str] | None = None) -> list[Suggestion]:
    """The suggestions a person is shown, in reading order: every source's spans (the ones in `order`, in that
    order of preference when two propose the same span), less the `rejected` keys and the person's `own` spans."""
    hidden = set(rejected) | {s.key() for s in own}
    shown: dict[tuple[int, int, str], Suggestion] = {}
    for source in order if order is not None else sorted(layers):
        for span in layers.get(source, ()):
            if span.key() not in hidden and span.key() not in shown:
                shown[span.key()] = Suggestion(span.start, span.end, span.label, source, span.id)
    return sorted(shown.values(), key=lambda s: (s.start, -s.end, s.label))


def acceptable_together(suggestions: Sequence[Suggestion], own: Sequence[Span]) -> list[Suggestion]:
    """The suggestions that accept-all takes: those that overlap none of the person's spans (of any label), and
    of suggestions of one label that overlap each other the first in reading order (the longest at a start)."""
    taken: list[Suggestion] = []
    for suggestion in suggestions:
        probe = Span(suggestion.start, suggestion.end, suggestion.label)
        if any(overlaps(probe, span) for span in own):
            continue
        if any(t.label == suggestion.label and overlaps(probe, Span(t.start, t.end, t.label)) for t in taken):
            continue
        taken.append(suggestion)
    return taken
