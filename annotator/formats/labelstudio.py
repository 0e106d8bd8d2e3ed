"""Label Studio JSON: a list of tasks, each with `data` (the text) and `annotations[].result[]` of type
"labels" (`value.start/end/text/labels`). A single task object, and JSON Lines of tasks, are read too.

One record per annotation that was not cancelled, its author as the annotator; a task without
annotations gives one record per prediction instead (meta "labelstudio_from" says which), or one record
without spans. `relation` results (`from_id`, `to_id`, `labels`: the first label is the type) link the
regions with those ids; one whose region is not in the annotation stops the import (A161). A span's attributes
(a FIGURE's value, unit, qualifier) travel in its region's `meta.attrs`. Results of other types (choices, text
areas, relations without a label) are counted, not imported.

The converter's JSON_MIN export is read too: one flat record per annotation, the task's data fields at the
top (`text`), each labelling tag's regions under its name (`"label": [{"start", "end", "text", "labels"}]`)
and `annotator`, `annotation_id`, `created_at`, `updated_at`, `lead_time` beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.errors import ImportFormatError, RelationSpanMissingError
from annotator.formats._common import (
    atomic_text_file,
    make_span,
    require_object,
    strict_json,
    type_name,
)
from annotator.formats._json import iter_json_values
from annotator.formats._relations import attrs_of, hashable


def read(path: Path) -> Iterator[DocumentRecord]:
    """Records of every task in the file (see the module docstring for how annotations map to records)."""
    for line, value in iter_json_values(path):
        yield from _task_records(value, path, line)


# The keys JSON_MIN adds beside the task's own data fields.
_JSON_MIN_KEYS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement"})


def _is_region_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(r, dict) and "start" in r and "end" in r and "labels" in r for r in value)


def is_json_min(record: object) -> bool:
    """Whether a JSON record is a JSON_MIN record of the Label Studio converter (see the module docstring)."""
    if not isinstance(record, dict) or "data" in record:
        return False
    return any(_is_region_list(v) for v in record.values()) or {"annotation_id", "lead_time"} <= record.keys()


def _task_records(value: object, path: Path, line: int) -> Iterator[DocumentRecord]:
    task = require_object(value, path, line, 'a Label Studio task object with "data"')
    if is_json_min(task):
        yield _json_min_record(task, path, line)
        return
    if "data" not in task:
        if "result" in task or "annotations" in task or "completions" in task:
            raise ImportFormatError(
                "this file holds Label Studio annotations without their task text (no \"data\")",
                path=path, line=line, field="data",
                hint="export the project from Label Studio as JSON, which puts each task's text with its annotations",
            )
        raise ImportFormatError('missing "data": a Label Studio task holds its text in data.text', path=path,
                                line=line, field="data")
    data = require_object(task["data"], path, line, "an object holding the text", "data")
    text = _task_text(data, path, line)
    meta: dict[str, Any] = {}
    if task.get("id") is not None:
        meta["labelstudio_id"] = task["id"]
    title = data.get("title") if isinstance(data.get("title"), str) else None
    annotations = _list(task, "annotations", path, line)
    if not annotations:  # Label Studio 0.x called them completions
        annotations = _list(task, "completions", path, line)
    kept = [(i, a) for i, a in enumerate(annotations) if not (isinstance(a, dict) and a.get("was_cancelled"))]
    source, results = "annotations", kept
    if not annotations:
        source, results = "predictions", list(enumerate(_list(task, "predictions", path, line)))
    if not results:
        yield DocumentRecord(text=text, meta=meta, title=title, source=path.name, line=line)
        return
    for i, raw in results:
        field = f"{source}[{i}]"
        entry = require_object(raw, path, line, 'an object with "result"', field)
        spans, relations, ignored = _spans(entry, text, path, line, field)
        entry_meta = {**meta, "labelstudio_from": source}
        if ignored:
            entry_meta["labelstudio_ignored_results"] = ignored
        if source == "predictions" and entry.get("model_version") is not None:
            entry_meta["model_version"] = entry["model_version"]
        annotator = _author(entry.get("completed_by")) if source == "annotations" else None
        yield DocumentRecord(text=text, spans=tuple(spans), meta=entry_meta, title=title, source=path.name,
                             annotator=annotator, line=line, relations=relations)


def _json_min_record(record: dict, path: Path, line: int) -> DocumentRecord:
    regions = {key: value for key, value in record.items() if _is_region_list(value)}
    data = {key: value for key, value in record.items() if key not in _JSON_MIN_KEYS and key not in regions}
    if "text" not in data:  # the other tags' results (a Choices tag gives a string) may sit beside the text
        data = {key: value for key, value in data.items() if not isinstance(value, list | dict)}
    text = _task_text(data, path, line)
    spans: list[SpanRecord] = []
    for key, values in regions.items():
        for r, region in enumerate(values):
            where = f"{key}[{r}]"
            labels = region["labels"]
            if not isinstance(labels, list) or not labels:
                raise ImportFormatError(f"expected a non-empty array of labels, found {labels!r}", path=path,
                                        line=line, field=f"{where}.labels")
            for label in labels:
                spans.append(make_span(text, region["start"], region["end"], label, path=path, line=line,
                                       field=where, keys=("start", "end", "labels"),
                                       expected_text=region.get("text")))
    meta: dict[str, Any] = {"labelstudio_from": "json_min"}
    if record.get("id") is not None:
        meta["labelstudio_id"] = record["id"]
    title = data.get("title") if isinstance(data.get("title"), str) else None
    return DocumentRecord(text=text, spans=tuple(spans), meta=meta, title=title, source=path.name,
                          annotator=_author(record.get("annotator")), line=line)


def _task_text(data: dict, path: Path, line: int) -> str:
    text = data.get("text")
    if isinstance(text, str):
        return text
    strings = {key: value for key, value in data.items() if isinstance(value, str)}
    if len(strings) == 1:
        return next(iter(strings.values()))
    raise ImportFormatError(
        f"cannot tell which field holds the text: expected data.text or one string field, found "
        f"{', '.join(strings) or 'none'}", path=path, line=line, field="data.text",
    )


def _list(task: dict, key: str, path: Path, line: int) -> list:
    value = task.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportFormatError(f"expected an array, found {type_name(value)}", path=path, line=line, field=key)
    return value


def _spans(entry: dict, text: str, path: Path, line: int,
           field: str) -> tuple[list[SpanRecord], tuple[RelationRecord, ...], int]:
    results = entry.get("result") or []
    if not isinstance(results, list):
        raise ImportFormatError(f"expected an array, found {type_name(results)}", path=path, line=line,
                                field=f"{field}.result")
    spans: list[SpanRecord] = []
    ids: dict[object, int] = {}  # a region's id -> its first span
    links: list[tuple[str, dict]] = []
    ignored = 0
    for r, raw in enumerate(results):
        where = f"{field}.result[{r}]"
        result = require_object(raw, path, line, "a result object", where)
        if result.get("type") == "relation" and result.get("labels"):
            links.append((where, result))
            continue
        if result.get("type") != "labels":
            ignored += 1
            continue
        if result.get("id") is not None and hashable(result["id"]):
            ids.setdefault(result["id"], len(spans))
        attrs = attrs_of((result.get("meta") or {}).get("attrs") if isinstance(result.get("meta"), dict) else None)
        value = require_object(result.get("value"), path, line, "an object with start, end and labels",
                               f"{where}.value")
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise ImportFormatError(f"expected a non-empty array of labels, found {labels!r}", path=path,
                                    line=line, field=f"{where}.value.labels")
        for key in ("start", "end"):
            if key not in value:
                raise ImportFormatError(f'missing "{key}"', path=path, line=line, field=f"{where}.value.{key}")
        for label in labels:  # a region with several labels is one span per label
            span = make_span(text, value["start"], value["end"], label, path=path, line=line,
                             field=f"{where}.value", keys=("start", "end", "labels"), expected_text=value.get("text"))
            spans.append(SpanRecord(span.start, span.end, span.label, attrs) if attrs else span)
    relations = []
    for where, result in links:
        ends = []
        for key in ("from_id", "to_id"):
            if not hashable(result.get(key)) or result.get(key) not in ids:
                raise RelationSpanMissingError(f"the relation's {key} {result.get(key)!r} is the id of no labels "
                                               "region of this annotation", path=path, line=line,
                                               field=f"{where}.{key}", hint="add the region, or remove the relation")
            ends.append(ids[result[key]])
        labels = result["labels"]
        if not isinstance(labels, list) or not isinstance(labels[0], str):
            raise ImportFormatError(f"expected an array of relation labels, found {labels!r}", path=path, line=line,
                                    field=f"{where}.labels")
        relations.append(RelationRecord(ends[0], ends[1], labels[0]))
    return spans, tuple(dict.fromkeys(relations)), ignored


def _author(completed_by: object) -> str | None:
    if isinstance(completed_by, dict):
        who = completed_by.get("email") or completed_by.get("id")
        return None if who is None else str(who)
    if isinstance(completed_by, str) and completed_by:
        return completed_by
    if isinstance(completed_by, int) and not isinstance(completed_by, bool):
        return f"labelstudio-user-{completed_by}"
    return None


def task_from_record(record: DocumentRecord, number: int) -> dict[str, Any]:
    """The Label Studio task of a record: data.text (and data.title) with one annotation of its spans."""
    data: dict[str, Any] = {"text": record.text}
    if record.title:
        data["title"] = record.title
    result: list[dict[str, Any]] = [
        {
            "id": f"d{number}s{k}",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": s.start, "end": s.end, "text": record.text[s.start : s.end], "labels": [s.label]},
            **({"meta": {"attrs": dict(s.attrs)}} if s.attrs else {}),
        }
        for k, s in enumerate(record.spans, start=1)
    ]
    result += [{"from_id": f"d{number}s{r.head + 1}", "to_id": f"d{number}s{r.child + 1}", "type": "relation",
                "direction": "right", "labels": [r.type]} for r in record.relations]
    return {"id": number, "data": data, "annotations": [{"result": result}]}


def write(records: Iterable[DocumentRecord], out: Path) -> int:
    """A JSON array of tasks, written one task at a time; returns the number of documents written."""
    count = 0
    with atomic_text_file(out) as handle:
        handle.write("[")
        for record in records:
            count += 1
            handle.write(",\n" if count > 1 else "\n")
            handle.write(strict_json(task_from_record(record, count), record, count))
        handle.write("\n]\n")
    return count
