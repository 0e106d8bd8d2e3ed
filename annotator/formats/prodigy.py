"""Prodigy JSON Lines: {"text", "spans": [{"start", "end", "label"}], "meta", "answer", "_annotator_id"}.

Read line by line, so a file of any size streams. Offsets are characters (code points); `token_start` and
`token_end` are ignored. `tokens`, `versions`, `_input_hash`, `_task_hash`, `options` and other keys Prodigy
adds are dropped: they can be rebuilt from the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import (
    make_span,
    require_object,
    require_text,
    type_name,
    write_jsonl,
)
from annotator.formats._json import iter_json_values

# Top-level keys kept in meta; on export they go back to the top level.
KEPT_KEYS = ("answer", "_annotator_id", "_session_id")
SKIPPED_ANSWERS = ("reject", "ignore")


def read(path: Path) -> Iterator[DocumentRecord]:
    """One record per task. A rejected or ignored answer keeps its text but no spans (`skipped_spans`)."""
    for line, value in iter_json_values(path):
        yield record_from_task(value, path=path, line=line)


def record_from_task(value: object, *, path: Path, line: int | None) -> DocumentRecord:
    """A DocumentRecord from one Prodigy task (a decoded JSON object)."""
    task = require_object(value, path, line, 'a JSON object with "text"')
    text = require_text(task, "text", path, line)
    raw_spans = task.get("spans")
    if raw_spans is None:
        raw_spans = []
    if not isinstance(raw_spans, list):
        raise ImportFormatError(f"expected an array of spans, found {type_name(raw_spans)}", path=path, line=line,
                                field="spans")
    spans = []
    length = len(text)
    for i, raw in enumerate(raw_spans):
        # The usual span, checked inline (a span-dense file holds millions); make_span words any other.
        if type(raw) is dict:
            start, end, label = raw.get("start"), raw.get("end"), raw.get("label")
            if (type(start) is int and type(end) is int and 0 <= start < end <= length and type(label) is str
                    and label and not label[0].isspace() and "text" not in raw):
                spans.append(SpanRecord(start, end, label))
                continue
        span = require_object(raw, path, line, 'a span object with "start", "end" and "label"', f"spans[{i}]")
        for key in ("start", "end", "label"):
            if key not in span:
                raise ImportFormatError(f'missing "{key}"', path=path, line=line, field=f"spans[{i}].{key}",
                                        hint='every span needs "start" and "end" (character offsets) and "label"')
        spans.append(make_span(text, span["start"], span["end"], span["label"], path=path, line=line,
                               field=f"spans[{i}]", expected_text=span.get("text")))
    raw_meta = task.get("meta")
    if raw_meta is not None and not isinstance(raw_meta, dict):
        raise ImportFormatError(f"expected an object, found {type_name(raw_meta)}", path=path, line=line,
                                field="meta")
    meta: dict[str, Any] = dict(raw_meta or {})
    for key in KEPT_KEYS:
        if task.get(key) is not None and key not in meta:
            meta[key] = task[key]
    who = task.get("_annotator_id") or task.get("_session_id")
    annotator = str(who) if who is not None else None
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    if task.get("answer") in SKIPPED_ANSWERS:
        return DocumentRecord(text=text, spans=(), meta=meta, title=title, source=path.name, annotator=annotator,
                              line=line, skipped_spans=len(spans))
    return DocumentRecord(text=text, spans=tuple(spans), meta=meta, title=title, source=path.name,
                          annotator=annotator, line=line)


def task_from_record(record: DocumentRecord) -> dict[str, Any]:
    """The Prodigy task of a record: text, spans, meta; `answer` and the annotator at the top level."""
    meta = {key: value for key, value in record.meta.items() if key not in KEPT_KEYS}
    if record.title and "title" not in meta:
        meta["title"] = record.title
    task: dict[str, Any] = {
        "text": record.text,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in record.spans],
        "meta": meta,
    }
    for key in ("answer", "_session_id"):
        if record.meta.get(key) is not None:
            task[key] = record.meta[key]
    annotator = record.annotator or record.meta.get("_annotator_id")
    if annotator:
        task["_annotator_id"] = annotator
    return task


def write(records: Iterable[DocumentRecord], out: Path) -> int:
    """One JSON object per line (UTF-8, not ASCII-escaped); returns the number of documents written."""
    return write_jsonl(records, out, task_from_record)
