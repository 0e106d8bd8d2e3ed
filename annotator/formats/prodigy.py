"""Prodigy JSON Lines: {"text", "spans": [{"start", "end", "label"}], "meta", "answer", "_annotator_id"}.

Read line by line, so a file of any size streams. Offsets are characters (code points); `token_start` and
`token_end` are ignored. `tokens`, `versions`, `_input_hash`, `_task_hash`, `options` and other keys Prodigy
adds are dropped: they can be rebuilt from the text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError, RelationSpanMissingError
from annotator.formats._common import (
    make_span,
    require_object,
    require_text,
    type_name,
    write_jsonl,
)
from annotator.formats._json import iter_json_values
from annotator.formats._relations import SpanIndex, Tokenize, attrs_of, hashable, token_span

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
    for i, raw in enumerate(raw_spans):
        span = require_object(raw, path, line, 'a span object with "start", "end" and "label"', f"spans[{i}]")
        for key in ("start", "end", "label"):
            if key not in span:
                raise ImportFormatError(f'missing "{key}"', path=path, line=line, field=f"spans[{i}].{key}",
                                        hint='every span needs "start" and "end" (character offsets) and "label"')
        made = make_span(text, span["start"], span["end"], span["label"], path=path, line=line,
                         field=f"spans[{i}]", expected_text=span.get("text"))
        attrs = attrs_of(span.get("attrs"))
        spans.append(dataclasses.replace(made, attrs=attrs) if attrs else made)
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
                          annotator=annotator, line=line, relations=_relations(task, raw_spans, spans, path, line))


def _relations(task: dict[str, Any], raw_spans: list[Any], spans: list[Any], path: Path,
               line: int | None) -> tuple[Any, ...]:
    """rel.manual's `relations`: each end found by its `head_span`/`child_span` (offsets and label), or, without
    them, by the token its span ends on (`head`/`child`, as rel.manual and spaCy's rel_component tutorial read)."""
    raw = task.get("relations")
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise ImportFormatError(f"expected an array of relations, found {type_name(raw)}", path=path, line=line,
                                field="relations")
    index = SpanIndex(spans, path, line)
    by_token_end = {s.get("token_end"): n for n, s in enumerate(raw_spans)
                    if s.get("token_end") is not None and hashable(s.get("token_end"))}
    found = []
    for i, item in enumerate(raw):
        relation = require_object(item, path, line, 'a relation object with "head", "child" and "label"',
                                  f"relations[{i}]")
        ends = []
        for end in ("head", "child"):
            field = f"relations[{i}].{end}_span"
            span = relation.get(f"{end}_span")
            if isinstance(span, dict):
                ends.append(index.find(span.get("start"), span.get("end"), span.get("label"), field))
            elif hashable(relation.get(end)) and relation.get(end) in by_token_end:
                ends.append(by_token_end[relation[end]])
            else:
                raise RelationSpanMissingError(f"the relation's {end} (token {relation.get(end)!r}) is the last "
                                               "token of none of the task's spans", path=path, line=line,
                                               field=f"relations[{i}].{end}",
                                               hint="add the span, or remove the relation")
        found.append(index.relation(ends[0], ends[1], relation.get("label"), f"relations[{i}].label"))
    return tuple(dict.fromkeys(found))


def task_from_record(record: DocumentRecord, tokenize: Tokenize | None = None) -> dict[str, Any]:
    """The Prodigy task of a record: text, spans (with `attrs` when a span has any), meta, rel.manual's
    `relations` when it has any (token indices from `tokenize`); `answer` and the annotator at the top level."""
    meta = {key: value for key, value in record.meta.items() if key not in KEPT_KEYS}
    if record.title and "title" not in meta:
        meta["title"] = record.title
    task: dict[str, Any] = {
        "text": record.text,
        "spans": [{"start": s.start, "end": s.end, "label": s.label, **({"attrs": dict(s.attrs)} if s.attrs else {})}
                  for s in record.spans],
        "meta": meta,
    }
    if record.relations:
        tokens = list(tokenize(record.text)) if tokenize is not None else []
        task["relations"] = [_relation(record, r.head, r.child, r.type, tokens) for r in record.relations]
    for key in ("answer", "_session_id"):
        if record.meta.get(key) is not None:
            task[key] = record.meta[key]
    annotator = record.annotator or record.meta.get("_annotator_id")
    if annotator:
        task["_annotator_id"] = annotator
    return task


def _relation(record: DocumentRecord, head: int, child: int, label: str,
              tokens: list[tuple[int, int]]) -> dict[str, Any]:
    ends = {}
    for name, n in (("head", head), ("child", child)):
        span = record.spans[n]
        first, last = token_span(tokens, span.start, span.end) if tokens else (0, 0)
        ends[name] = (last, {"start": span.start, "end": span.end, "token_start": first, "token_end": last,
                             "label": span.label})
    return {"head": ends["head"][0], "child": ends["child"][0], "head_span": ends["head"][1],
            "child_span": ends["child"][1], "label": label}


def write(records: Iterable[DocumentRecord], out: Path, tokenize: Tokenize | None = None) -> int:
    """One JSON object per line (UTF-8, not ASCII-escaped); returns the number of documents written."""
    return write_jsonl(records, out, partial(task_from_record, tokenize=tokenize))
