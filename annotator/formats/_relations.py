"""What the format modules share about relations and span attributes: spans found by their offsets and label,
a relation that names a span the file does not hold refused with the line (A161)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from annotator.domain.records import RelationRecord, SpanRecord
from annotator.errors import ImportFormatError, RelationSpanMissingError

Tokenize = Callable[[str], Sequence[tuple[int, int]]]


class SpanIndex:
    """The spans of one record by (start, end, label), to turn a format's relation ends into span indices."""

    def __init__(self, spans: Sequence[SpanRecord], path: Path, line: int | None) -> None:
        self.index = {(s.start, s.end, s.label): n for n, s in enumerate(spans)}
        self.path = path
        self.line = line

    def find(self, start: object, end: object, label: object, field: str) -> int:
        found = self.index.get((start, end, label)) if all(map(hashable, (start, end, label))) else None  # type: ignore[arg-type]
        if found is None:
            raise RelationSpanMissingError(
                f"the relation names a {label} span [{start}:{end}] that the record's spans do not hold",
                path=self.path, line=self.line, field=field,
                hint="add the span to the record, or remove the relation")
        return found

    def relation(self, head: int, child: int, label: object, field: str) -> RelationRecord:
        if not isinstance(label, str) or not label.strip():
            raise ImportFormatError(f"expected the relation's type as text, found {label!r}", path=self.path,
                                    line=self.line, field=field)
        return RelationRecord(head, child, label)


def attrs_of(value: object) -> dict[str, Any] | None:
    """A span's attributes as a format carries them: a JSON object, else none."""
    return dict(value) if isinstance(value, dict) and value else None


def token_span(tokens: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The indices of the first and last token that the characters [start, end) touch."""
    first = next((i for i, (_a, b) in enumerate(tokens) if b > start), 0)
    last = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i][0] < end), first)
    return first, max(first, last)


def hashable(value: object) -> bool:
    """Whether a decoded JSON value can be an id (a list or an object in a hostile file cannot)."""
    return not isinstance(value, list | dict)
