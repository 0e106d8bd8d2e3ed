"""What file formats read and write: documents with their spans, free of any database identity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SpanRecord:
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One document as a format carries it.

    `line` is where the record starts in its file (1-based), for messages. `annotator` is set when the
    format names who annotated it (Prodigy's `_annotator_id`, a Label Studio user); the importer falls
    back on the annotator the user gave. `skipped_spans` counts spans the format marks as not annotations
    (a rejected Prodigy answer), so the import summary can report them.
    """

    text: str
    spans: tuple[SpanRecord, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None
    source: str | None = None
    annotator: str | None = None
    line: int | None = None
    skipped_spans: int = 0
