"""spaCy v2 training tuples: a JSON array of [text, {"entities": [[start, end, label], ...]}]."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import make_span, require_object, type_name
from annotator.formats._json import iter_json_values


def read(path: Path) -> Iterator[DocumentRecord]:
    """One record per [text, annotations] item; entity offsets are characters. Other keys (cats, links)
    are ignored."""
    for number, (line, item) in enumerate(iter_json_values(path)):
        where = f"[{number}]"
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise ImportFormatError(
                f'expected [text, {{"entities": [[start, end, label], ...]}}], found {type_name(item)}',
                path=path, line=line, field=where,
            )
        text, annotations = item
        annotations = require_object(annotations, path, line, 'an object with "entities"', f"{where}[1]")
        entities = annotations.get("entities") or []
        if not isinstance(entities, list):
            raise ImportFormatError(f"expected an array, found {type_name(entities)}", path=path, line=line,
                                    field=f"{where}[1].entities")
        spans = []
        for i, entity in enumerate(entities):
            field = f"{where}[1].entities[{i}]"
            if not (isinstance(entity, list) and len(entity) == 3):
                raise ImportFormatError(f"expected [start, end, label], found {entity!r}", path=path, line=line,
                                        field=field)
            spans.append(make_span(text, *entity, path=path, line=line, field=field, keys=None))
        yield DocumentRecord(text=text, spans=tuple(spans), source=path.name, line=line)
