"""Suggestion sources: Qt-free, database-free functions that propose spans for a document.

Each source takes a `Request` (the project language, the document text, the label set and what else it
needs) and returns `Span`s (start, end, label name) on the project language's token boundaries. The registry
maps a name to a source; any other name is read as a spaCy pipeline (an installed package or a folder).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from annotator.domain.labels import LabelSet
from annotator.domain.spans import Span


@dataclass(frozen=True)
class Request:
    """What a source may need to propose spans for one document.

    `tagged`: the strings the project's annotators have tagged, text -> {label: count} (for `occurrences`).
    `existing`: the spans the annotator already has on this document; they are never proposed again.
    `mapping`: a label mapping (a role or a pipeline's label -> a project label), edited by the user.
    `pause`: a source that works in blocks calls it before each block: the window's worker waits there while a
    document opens, and a run for a document the person left ends there (it raises).
    """

    lang: str
    text: str
    labels: LabelSet
    tagged: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    existing: Sequence[Span] = ()
    mapping: Mapping[str, str] | None = None
    pause: Callable[[], None] = field(default=lambda: None, compare=False, repr=False)


class Source(Protocol):
    """A suggestion source: a request in, the proposed spans out (sorted, no exact repeats)."""

    def __call__(self, request: Request) -> list[Span]: ...


def _rules(request: Request) -> list[Span]:
    from annotator.nlp.suggest.rules import rules

    return rules(request)


def _occurrences(request: Request) -> list[Span]:
    from annotator.nlp.suggest.occurrences import occurrences

    return occurrences(request.lang, request.text, request.tagged, request.existing)


_REGISTRY: dict[str, Source] = {"rules": _rules, "occurrences": _occurrences}


def register(name: str, source: Source) -> None:
    """Make `source` available under `name` (a trained model registers its folder's pipeline source here)."""
    _REGISTRY[name] = source


def registered() -> list[str]:
    return sorted(_REGISTRY)


def get_source(name: str) -> Source:
    """The source registered under `name`, else the spaCy pipeline `name` (a package or a folder)."""
    found = _REGISTRY.get(name)
    if found is not None:
        return found
    from annotator.nlp.suggest.pipeline import PipelineSource

    return PipelineSource(name)


def suggest(name: str, request: Request) -> list[Span]:
    """The spans source `name` proposes for the request, less the ones the annotator already has."""
    return without_existing(get_source(name)(request), request.existing)


def without_existing(spans: Sequence[Span], existing: Sequence[Span]) -> list[Span]:
    have = {s.key() for s in existing}
    return sorted({s.key(): Span(*s.key()) for s in spans if s.key() not in have}.values())


