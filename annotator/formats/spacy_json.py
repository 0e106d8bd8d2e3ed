"""spaCy v2 training data in JSON, in either of its two shapes.

- Training tuples: a JSON array of `[text, {"entities": [[start, end, label], ...]}]`, offsets in characters.
- The v2 corpus format that `spacy convert` took and gave, and doccano-transformer and spaCy's
  `docs_to_json` still write: `[{"id": ..., "paragraphs": [{"raw": TEXT, "sentences": [{"tokens":
  [{"orth": ..., "ner": "U-LOC"}, ...]}]}]}]`. Each paragraph is one document (as spaCy reads it); its
  entities are the token-level `ner` tags (BILUO, or IOB) turned into character spans of `raw` by finding
  each token in it. Without `raw` the text is the tokens joined by their `space` (else one space).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import make_span, require_object, type_name
from annotator.formats._json import iter_json_values

# BILUO as spaCy writes it, IOB too; "-" (or nothing) is spaCy's "missing", read as outside.
_NER = re.compile(r"^(?:O|-|([BILUES])-(.+))$")


def read(path: Path) -> Iterator[DocumentRecord]:
    """One record per [text, annotations] item, or per paragraph of a v2 corpus document."""
    for number, (line, item) in enumerate(iter_json_values(path)):
        where = f"[{number}]"
        if isinstance(item, dict) and "paragraphs" in item:
            yield from _corpus_document(item, path, line, where)
            continue
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise ImportFormatError(
                f'expected [text, {{"entities": [[start, end, label], ...]}}] or a spaCy v2 document '
                f'{{"id", "paragraphs"}}, found {type_name(item)}',
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


def _array(value: object, path: Path, line: int, field: str) -> list:
    if not isinstance(value, list):
        raise ImportFormatError(f"expected an array, found {type_name(value)}", path=path, line=line, field=field)
    return value


def _corpus_document(doc: dict, path: Path, line: int, where: str) -> Iterator[DocumentRecord]:
    meta: dict[str, Any] = {} if doc.get("id") is None else {"spacy_json_id": doc["id"]}
    for p, raw_para in enumerate(_array(doc["paragraphs"], path, line, f"{where}.paragraphs")):
        field = f"{where}.paragraphs[{p}]"
        para = require_object(raw_para, path, line, 'a paragraph with "raw" and "sentences"', field)
        tokens: list[tuple[str, str, str | None, str]] = []  # orth, ner, space, field
        for s, raw_sentence in enumerate(_array(para.get("sentences") or [], path, line, f"{field}.sentences")):
            sentence = require_object(raw_sentence, path, line, 'a sentence with "tokens"', f"{field}.sentences[{s}]")
            for t, raw_token in enumerate(_array(sentence.get("tokens") or [], path, line,
                                                 f"{field}.sentences[{s}].tokens")):
                token_field = f"{field}.sentences[{s}].tokens[{t}]"
                token = require_object(raw_token, path, line, 'a token with "orth"', token_field)
                orth, ner, space = token.get("orth"), token.get("ner") or "O", token.get("space")
                if not isinstance(orth, str) or not orth:
                    raise ImportFormatError(f"expected the token text as a string, found {orth!r}", path=path,
                                            line=line, field=f"{token_field}.orth")
                if not isinstance(ner, str) or not _NER.match(ner):
                    raise ImportFormatError(f"{ner!r} is not a BILUO or IOB tag (O, B-X, I-X, L-X, U-X)",
                                            path=path, line=line, field=f"{token_field}.ner")
                tokens.append((orth, ner, space if isinstance(space, str) else None, token_field))
        raw = para.get("raw")
        if raw is None:
            raw = "".join(orth + (" " if space is None else space) for orth, _, space, _ in tokens).rstrip()
        elif not isinstance(raw, str):
            raise ImportFormatError(f"the text must be a string, found {type_name(raw)}", path=path, line=line,
                                    field=f"{field}.raw")
        if not raw.strip():
            continue
        spans = _spans(tokens, _token_offsets(raw, tokens, path, line))
        yield DocumentRecord(text=raw, spans=tuple(spans), meta=dict(meta), source=path.name, line=line)


def _token_offsets(raw: str, tokens: list[tuple[str, str, str | None, str]], path: Path,
                   line: int) -> list[tuple[int, int]]:
    """Where each token is in the text: found in order, skipping only white space between tokens."""
    offsets = []
    pos = 0
    for orth, _, _, field in tokens:
        at = pos
        while not raw.startswith(orth, at) and at < len(raw) and raw[at].isspace():
            at += 1
        if not raw.startswith(orth, at):
            raise ImportFormatError(
                f"the token {orth!r} is not in the text at character {pos} (found {raw[pos:pos + 20]!r})",
                path=path, line=line, field=field,
                hint="the tokens must spell out the raw text in order; convert the file with "
                     "`python -m spacy convert FILE.json OUT --converter json` and import the .spacy file",
            )
        offsets.append((at, at + len(orth)))
        pos = at + len(orth)
    return offsets


def _spans(tokens: list[tuple[str, str, str | None, str]], offsets: list[tuple[int, int]]) -> list[SpanRecord]:
    spans: list[SpanRecord] = []
    current: list = []  # [label, start, end] of the entity being read

    def close() -> None:
        if current:
            spans.append(SpanRecord(current[1], current[2], current[0]))
            current.clear()

    for (_, ner, _, _), (start, end) in zip(tokens, offsets, strict=True):
        match = _NER.match(ner)
        assert match is not None
        prefix, label = match.group(1), match.group(2)
        if prefix is None:
            close()
        elif prefix in "BUS" or not current or current[0] != label:
            close()
            current[:] = [label, start, end]
        else:
            current[2] = end
        if prefix in ("L", "U", "E", "S"):
            close()
    close()
    return spans
