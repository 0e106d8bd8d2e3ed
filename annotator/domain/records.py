"""What file formats read and write: documents with their spans, free of any database identity."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.errors import (
    FieldTooLongError,
    ImportFormatError,
    LoneSurrogateError,
    NotANumberError,
    TooDeepError,
)


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """`attrs`: what the span says beyond its label (a FIGURE's value, unit, qualifier), when the format carries
    it; not part of the span's identity (two records of one span are equal whatever their attributes)."""

    start: int
    end: int
    label: str
    attrs: Mapping[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A link from the span at index `head` of its record's `spans` to the one at `child`."""

    head: int
    child: int
    type: str


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One document as a format carries it.

    `line` is where the record starts in its file (1-based), for messages. `annotator` is set when the
    format names who annotated it (Prodigy's `_annotator_id`, a Label Studio user); the importer falls
    back on the annotator the user gave. `skipped_spans` counts spans the format marks as not annotations
    (a rejected Prodigy answer), so the import summary can report them. `relations` link spans of `spans`
    by index (a format that names a span it does not hold raises RelationSpanMissingError, A161).
    """

    text: str
    spans: tuple[SpanRecord, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None
    source: str | None = None
    annotator: str | None = None
    line: int | None = None
    skipped_spans: int = 0
    relations: tuple[RelationRecord, ...] = ()


# Meta nested deeper than this is refused: JSON writers and PostgreSQL recurse per level, and no tool's
# metadata comes near it.
MAX_META_DEPTH = 100
MAX_ANNOTATOR_NAME = 200  # the length of the annotator.name column
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair: no UTF-8 encoder takes one


def check_record(record: DocumentRecord) -> None:
    """Raise an ImportFormatError subclass, naming the field, if the record cannot be stored and exported as it is.

    A text that is empty or only whitespace is refused, as the txt and csv readers always did: it holds nothing
    to annotate, and a file of such records is most often a scraper's failure. Lone surrogates ("\\ud800" in
    JSON) cannot be encoded by SQLite, PostgreSQL or any UTF-8 file. NaN and Infinity are refused rather than
    stored as null or a string, which would change the data without saying so: they are not JSON, PostgreSQL's
    jsonb rejects them and every exporter writes strict JSON.
    """
    if not record.text or record.text.isspace():  # isspace, not strip: no copy of a long article
        raise ImportFormatError("the text is empty or only whitespace: there is nothing to annotate",
                                field="text", hint="leave such records out of the file")
    _check_string(record.text, "text")
    if record.title is not None:
        _check_string(record.title, "title")
    if record.annotator is not None:
        _check_string(record.annotator, "annotator")
        if len(record.annotator) > MAX_ANNOTATOR_NAME:
            raise FieldTooLongError(f"the annotator name has {len(record.annotator)} characters; at most "
                                    f"{MAX_ANNOTATOR_NAME} are kept", field="annotator")
    checked: set[str] = set()  # a label is checked once per record, at the first span that carries it
    for i, span in enumerate(record.spans):
        label = span.label
        if isinstance(label, str) and label not in checked:
            _check_string(label, f"spans[{i}].label")
            checked.add(label)
    _check_meta(record.meta)


def _check_string(value: str, field: str) -> None:
    nul = value.find("\x00")
    if nul >= 0:  # SQLite would keep it and PostgreSQL refuse it: one rule for both, said before anything is written
        raise ImportFormatError(
            f"character {nul} is a NUL (U+0000), which a PostgreSQL database cannot store", field=field,
            hint="the file holds binary data or a broken encoding; remove the NUL characters")
    if value.isascii():  # most text, checked many times faster than by the search
        return
    found = LONE_SURROGATE.search(value)
    if found:
        raise LoneSurrogateError(
            f"character {found.start()} is a lone surrogate ({ascii(found.group())}), half of a UTF-16 pair, which "
            "no database or UTF-8 file can hold", field=field,
            hint="the file was written by a program that split an emoji or other character in two; fix or remove it",
        )


def _check_meta(meta: Mapping[str, Any]) -> None:
    # Iterative, not recursive: the nesting itself is what is being checked.
    stack: list[tuple[object, str, int]] = [(meta, "meta", 0)]
    while stack:
        value, field, depth = stack.pop()
        if isinstance(value, str):
            _check_string(value, field)
        elif isinstance(value, float) and not math.isfinite(value):
            shown = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
            raise NotANumberError(f"{shown} is not a JSON number", field=field,
                                  hint="write null, or the number as a string")
        elif isinstance(value, Mapping | list | tuple):
            if depth >= MAX_META_DEPTH:
                raise TooDeepError(f"nested more than {MAX_META_DEPTH} levels deep", field=field)
            if isinstance(value, Mapping):
                for key, item in value.items():
                    name = f"{field}.{_shown(key)}"
                    if isinstance(key, str):
                        _check_string(key, name)
                    stack.append((item, name, depth + 1))
            else:
                stack.extend((item, f"{field}[{i}]", depth + 1) for i, item in enumerate(value))


def _shown(key: object) -> str:
    """A meta key as a message can print it: short, and with any surrogate escaped."""
    text = str(key)
    if LONE_SURROGATE.search(text):
        text = ascii(text)[1:-1]
    return text if len(text) <= 40 else text[:40] + "..."
