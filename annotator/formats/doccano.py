"""doccano sequence-labelling JSONL: {"text", "label": [[start, end, label], ...]} or the relation-extraction
shape {"text", "entities": [{"id", "start_offset", "end_offset", "label"}], "relations": [...]}.

Records may be one per line or pretty-printed over several lines (doccano's own export example is).
Relations (`{"from_id", "to_id", "type"}`) link the entities with those ids; one that names no entity of the
record stops the import (A161). A record with relations is written in the relation-extraction shape, the
others with `label`. doccano has no place for span attributes: they are left out. Every other key goes into
meta (the keys of a "meta" object are merged in).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.errors import ImportFormatError, RelationSpanMissingError
from annotator.formats._common import (
    make_span,
    require_object,
    require_text,
    type_name,
    write_jsonl,
)
from annotator.formats._json import iter_json_values
from annotator.formats._relations import hashable

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
    ids: dict[object, int] = {}
    if example.get("entities") is not None:
        for entity_id, span in _entity_spans(example["entities"], text, path, line):
            if entity_id is not None and hashable(entity_id):
                ids.setdefault(entity_id, len(spans))
            spans.append(span)
    relations = _relations(example.get("relations"), ids, path, line)
    meta: dict[str, Any] = {}
    if isinstance(example.get("meta"), dict):
        meta.update(example["meta"])
    elif example.get("meta") is not None:
        meta["meta"] = example["meta"]
    used = {key, labels_at} | _NOT_META
    meta.update({k: v for k, v in example.items() if k not in used})
    return DocumentRecord(text=text, spans=tuple(spans), meta=meta, source=path.name, line=line, relations=relations)


def _relations(raw: object, ids: dict[object, int], path: Path, line: int) -> tuple[RelationRecord, ...]:
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise ImportFormatError(f"expected an array of relations, found {type_name(raw)}", path=path, line=line,
                                field="relations")
    found = []
    for i, item in enumerate(raw):
        relation = require_object(item, path, line, 'a relation with "from_id", "to_id" and "type"',
                                  f"relations[{i}]")
        ends = []
        for key in ("from_id", "to_id"):
            if not hashable(relation.get(key)) or relation.get(key) not in ids:
                raise RelationSpanMissingError(f"the relation's {key} {relation.get(key)!r} is the id of no entity of "
                                               "this record", path=path, line=line, field=f"relations[{i}].{key}",
                                               hint="add the entity, or remove the relation")
            ends.append(ids[relation[key]])
        kind = relation.get("type")
        if not isinstance(kind, str) or not kind.strip():
            raise ImportFormatError(f"expected the relation's type as text, found {kind!r}", path=path, line=line,
                                    field=f"relations[{i}].type")
        found.append(RelationRecord(ends[0], ends[1], kind))
    return tuple(dict.fromkeys(found))


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


def _entity_spans(entities: object, text: str, path: Path, line: int) -> Iterator[tuple[object, SpanRecord]]:
    if not isinstance(entities, list):
        raise ImportFormatError(f"expected an array of entities, found {type_name(entities)}", path=path,
                                line=line, field="entities")
    for i, raw in enumerate(entities):
        field = f"entities[{i}]"
        entity = require_object(raw, path, line, 'an entity with "start_offset", "end_offset" and "label"', field)
        for key in ("start_offset", "end_offset", "label"):
            if key not in entity:
                raise ImportFormatError(f'missing "{key}"', path=path, line=line, field=f"{field}.{key}")
        yield entity.get("id"), make_span(text, entity["start_offset"], entity["end_offset"], entity["label"],
                                          path=path, line=line, field=field,
                                          keys=("start_offset", "end_offset", "label"))


def example_from_record(record: DocumentRecord) -> dict[str, Any]:
    """The doccano example of a record: text, label, and the meta keys beside them (or under "meta" for
    keys that doccano uses itself)."""
    example: dict[str, Any] = {"text": record.text}
    if record.relations:
        example["entities"] = [{"id": n, "label": s.label, "start_offset": s.start, "end_offset": s.end}
                               for n, s in enumerate(record.spans)]
        example["relations"] = [{"id": n, "from_id": r.head, "to_id": r.child, "type": r.type}
                                for n, r in enumerate(record.relations)]
    else:
        example["label"] = [[s.start, s.end, s.label] for s in record.spans]
    clashing = {k: v for k, v in record.meta.items() if k in _NOT_META}
    example.update({k: v for k, v in record.meta.items() if k not in _NOT_META})
    if clashing:
        example["meta"] = clashing
    return example


def write(records: Iterable[DocumentRecord], out: Path) -> int:
    """One doccano example per line (UTF-8, not ASCII-escaped); returns the number of documents written."""
    return write_jsonl(records, out, example_from_record)
