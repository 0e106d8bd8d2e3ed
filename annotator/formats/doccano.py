"""doccano sequence-labelling JSONL: {"text", "label": [[start, end, label], ...]} or the relation-extraction
shape {"text", "entities": [{"id", "start_offset", "end_offset", "label"}], "relations": [...]}.

Records may be one per line or pretty-printed over several lines (doccano's own export example is).
Relations are not imported. Every other key goes into meta (the keys of a "meta" object are merged in).
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

TEXT_KEYS = ("text", "column_data")
LABEL_KEYS = ("label", "labels", "column_label")
_NOT_META = {*TEXT_KEYS, *LABEL_KEYS, "entities", "relations", "meta"}


def read(path: Path, *, text_key: str | None = None, label_key: str | None = None) -> Iterator[DocumentRecord]:
    """One record per doccano example. `text_key`/`label_key` name custom columns (doccano's
    `column_data`/`column_label` are known already)."""
    for line, value in iter_json_values(path):
        yield _record(value, path, line, text_key, label_key)


def _record(value: object, path: Path, line: int, text_key: str | None, label_key: str | None) -> DocumentRecord:
    example = require_object(value, path, line, 'a JSON object with "text"')
    key = text_key or next((k for k in TEXT_KEYS if k in example), "text")
    text = require_text(example, key, path, line)
    spans: list[SpanRecord] = []
    labels_at = label_key or next((k for k in LABEL_KEYS if k in example), None)
    if labels_at is not None and example.get(labels_at) is not None:
        spans.extend(_label_spans(example[labels_at], labels_at, text, path, line))
    if example.get("entities") is not None:
        spans.extend(_entity_spans(example["entities"], text, path, line))
    meta: dict[str, Any] = {}
    if isinstance(example.get("meta"), dict):
        meta.update(example["meta"])
    elif example.get("meta") is not None:
        meta["meta"] = example["meta"]
    used = {key, labels_at} | _NOT_META
    meta.update({k: v for k, v in example.items() if k not in used})
    return DocumentRecord(text=text, spans=tuple(spans), meta=meta, source=path.name, line=line)


def _label_spans(labels: object, key: str, text: str, path: Path, line: int) -> Iterator[SpanRecord]:
    if not isinstance(labels, list):
        raise ImportFormatError(f"expected an array of [start, end, label], found {type_name(labels)}", path=path,
                                line=line, field=key)
    for i, item in enumerate(labels):
        if not (isinstance(item, list) and len(item) == 3):
            hint = "this looks like a text classification export" if isinstance(item, str) else ""
            raise ImportFormatError(f"expected [start, end, label], found {item!r}", path=path, line=line,
                                    field=f"{key}[{i}]", hint=hint)
        yield make_span(text, *item, path=path, line=line, field=f"{key}[{i}]", keys=None)


def _entity_spans(entities: object, text: str, path: Path, line: int) -> Iterator[SpanRecord]:
    if not isinstance(entities, list):
        raise ImportFormatError(f"expected an array of entities, found {type_name(entities)}", path=path,
                                line=line, field="entities")
    for i, raw in enumerate(entities):
        field = f"entities[{i}]"
        entity = require_object(raw, path, line, 'an entity with "start_offset", "end_offset" and "label"', field)
        for key in ("start_offset", "end_offset", "label"):
            if key not in entity:
                raise ImportFormatError(f'missing "{key}"', path=path, line=line, field=f"{field}.{key}")
        yield make_span(text, entity["start_offset"], entity["end_offset"], entity["label"], path=path, line=line,
                        field=field, keys=("start_offset", "end_offset", "label"))


def example_from_record(record: DocumentRecord) -> dict[str, Any]:
    """The doccano example of a record: text, label, and the meta keys beside them (or under "meta" for
    keys that doccano uses itself)."""
    example: dict[str, Any] = {
        "text": record.text,
        "label": [[s.start, s.end, s.label] for s in record.spans],
    }
    clashing = {k: v for k, v in record.meta.items() if k in _NOT_META}
    example.update({k: v for k, v in record.meta.items() if k not in _NOT_META})
    if clashing:
        example["meta"] = clashing
    return example


def write(records: Iterable[DocumentRecord], out: Path) -> int:
    """One doccano example per line (UTF-8, not ASCII-escaped); returns the number of documents written."""
    return write_jsonl(records, out, example_from_record)
