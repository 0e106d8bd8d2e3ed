"""CoNLL token-per-line files with IOB tags (IOB2, IOB1, BIO; BIOES/BILOU read too).

Reading: the token is the first column and the tag the last, separated by a tab or by spaces; other
columns (POS, chunk) are ignored. A blank line ends a sentence. The text of a document is its tokens
joined by single spaces and its sentences joined by "\\n". Documents: one per `-DOCSTART-` block, in
any of its forms (`-DOCSTART- -X- O O` as spaCy and CoNLL-2003 write it, `-DOCSTART- -X- -X- O` as
doccano-transformer does, Label Studio's `-DOCSTART- -X- O`). Label Studio's CONLL2003 export writes one
`-DOCSTART-` for the whole file and one blank-line block per task (its token lines read `token -X- _ TAG`):
such a file gives one document per block. A file without `-DOCSTART-` lines (KazNERD, doccano's
examples) has no document boundaries, so each sentence is one document, or every
`sentences_per_document` sentences (0: the whole file is one document).

Writing: IOB2, one block per document opened by `-DOCSTART- -X- O O` (the delimiter `spacy convert`
splits documents at), one sentence per line of the text; a line break inside a span is written as the
white space it is inside the entity, so that line does not end a sentence. Spans must start and end at
tokens and not overlap (one tag per token); otherwise the export stops with the list, unless
`drop_overlaps` keeps the longest of the overlapping spans and reports the others in `dropped`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import ExportError, ImportFormatError, listed
from annotator.formats._common import atomic_text_file, document_name, iter_lines
from annotator.formats._label_names import LabelNames, names_file

DOCSTART = "-DOCSTART-"
# spaCy's converter splits documents at exactly this line, as in the CoNLL-2003 data.
DOCSTART_LINE = "-DOCSTART- -X- O O"
_TAG = re.compile(r"^(?:O|([BIESLU])-(\S+))$")
# Columns and tokens are separated by ASCII whitespace only, so a token may hold a no-break space.
_TOKEN = re.compile(r"[^ \t\n\r\x0b\x0c]+")
_COLUMNS = re.compile(r"[ \t]+")
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c]")
_BLANK = " \t\r\n"
_OFF_TOKENS = "does not start and end at token boundaries"

Token = tuple[str, str]  # (token, tag)


def read(path: Path, *, sentences_per_document: int = 1) -> Iterator[DocumentRecord]:
    """Documents of a CoNLL file; see the module docstring for how sentences are grouped."""
    sentences: list[list[Token]] = []
    sentence: list[Token] = []
    doc_line: int | None = None
    docstart_seen = False
    per_block = False  # Label Studio's CONLL2003: one block per task under a single -DOCSTART-
    first_token = True
    for lineno, raw in iter_lines(path):
        content = raw.rstrip("\r\n")
        if not content.strip(_BLANK):
            if sentence:
                sentences.append(sentence)
                sentence = []
                group = 1 if per_block else 0 if docstart_seen else sentences_per_document
                if group and len(sentences) >= group:
                    yield _document(sentences, path, doc_line)
                    sentences, doc_line = [], None
            continue
        columns = content.split("\t") if "\t" in content else _COLUMNS.split(content)
        columns = [c.strip(_BLANK) for c in columns if c.strip(_BLANK)]
        if columns[0] == DOCSTART:
            if sentence:
                sentences.append(sentence)
                sentence = []
            if sentences:
                yield _document(sentences, path, doc_line)
            sentences, doc_line, docstart_seen = [], None, True
            continue
        if len(columns) < 2:
            raise ImportFormatError(f"expected a token and a tag separated by a tab or spaces, found {content!r}",
                                    path=path, line=lineno)
        tag = columns[-1]
        if not _TAG.match(tag):
            raise ImportFormatError(
                f"{tag!r} is not an IOB tag: expected O, B-LABEL or I-LABEL as the last column",
                path=path, line=lineno, field="tag",
            )
        if first_token:
            first_token = False
            per_block = docstart_seen and len(columns) == 4 and columns[1:3] == ["-X-", "_"]
        if doc_line is None:
            doc_line = lineno
        sentence.append((columns[0], tag))
    if sentence:
        sentences.append(sentence)
    if sentences:
        yield _document(sentences, path, doc_line)


def _document(sentences: list[list[Token]], path: Path, line: int | None) -> DocumentRecord:
    parts: list[str] = []
    spans: list[SpanRecord] = []
    pos = 0
    for number, sentence in enumerate(sentences):
        if number:
            parts.append("\n")
            pos += 1
        current: list = []  # [label, start, end] of the span being read
        for index, (token, tag) in enumerate(sentence):
            if index:
                parts.append(" ")
                pos += 1
            start, pos = pos, pos + len(token)
            parts.append(token)
            match = _TAG.match(tag)
            assert match is not None
            prefix, label = match.group(1), match.group(2)
            if prefix is None:
                _close(current, spans)
            elif prefix in "BSU" or not current or current[0] != label:
                # A B- starts a span; so does an I- after O or after another label (IOB1).
                _close(current, spans)
                current[:] = [label, start, pos]
            else:
                current[2] = pos
            if prefix in ("E", "S", "L", "U"):
                _close(current, spans)
        _close(current, spans)
    return DocumentRecord(text="".join(parts), spans=tuple(spans), source=path.name, line=line)


def _close(current: list, spans: list[SpanRecord]) -> None:
    if current:
        spans.append(SpanRecord(current[1], current[2], current[0]))
        current.clear()


def write(
    records: Iterable[DocumentRecord],
    out: Path,
    *,
    drop_overlaps: bool = False,
    dropped: list[tuple[str, SpanRecord]] | None = None,
    tokenize: Callable[[str], Sequence[tuple[int, int]]] | None = None,
    label_names: LabelNames | None = None,
) -> int:
    """IOB2 CoNLL, one `-DOCSTART-` block per document; returns the number of documents written.

    Stops with an ExportError listing every span that does not fall on tokens or overlaps another (unless
    `drop_overlaps`: then the longest spans are kept and each left out is appended to `dropped` as
    (document, span)). Nothing is written when it stops. Exact repeats of a span are written once.
    `tokenize` gives the (start, end) of each token of a text (a language's tokenizer); without it tokens
    are split at whitespace. A label with white space is written under the name `label_names` gives it,
    and the pairs go beside `out` (see _label_names).
    """
    names = label_names or LabelNames.conll()
    problems: list[str] = []
    count = 0
    with atomic_text_file(out) as handle:
        for count, record in enumerate(records, start=1):
            name = document_name(record, count)
            spans, overlapping = _without_overlaps(record.spans)
            if overlapping and drop_overlaps:
                if dropped is not None:
                    dropped.extend((name, span) for span in overlapping)
            elif overlapping:
                problems.extend(f"{name} [{s.start}:{s.end}] {s.label} {record.text[s.start:s.end]!r}: overlaps "
                                "a longer span" for s in overlapping)
            spans = [SpanRecord(s.start, s.end, names(s.label)) for s in spans]
            handle.write(_block(record, spans, name, problems, tokenize))
        if problems:
            off_tokens = any(p.endswith(_OFF_TOKENS) for p in problems)
            raise ExportError(
                f"{len(problems)} span(s) cannot be written as CoNLL IOB tags; nothing was written:\n"
                + "\n".join(listed(problems)),
                hint="CoNLL has one tag per token: fix these spans" + (
                    ", or export with --align expand to snap them outward to whole tokens" if off_tokens else ""),
            )
    names.save(names_file(out, "conll"))
    return count


def _without_overlaps(spans: Iterable[SpanRecord]) -> tuple[list[SpanRecord], list[SpanRecord]]:
    """The spans to write (longest first wins, then the earliest) and the overlapping ones left out."""
    unique = list(dict.fromkeys(spans))
    kept: list[SpanRecord] = []
    left_out: list[SpanRecord] = []
    for span in sorted(unique, key=lambda s: (s.start - s.end, s.start, s.label)):
        if any(span.start < k.end and k.start < span.end for k in kept):
            left_out.append(span)
        else:
            kept.append(span)
    kept.sort(key=lambda s: s.start)
    return kept, left_out


def _block(record: DocumentRecord, spans: list[SpanRecord], name: str, problems: list[str],
           tokenize: Callable[[str], Sequence[tuple[int, int]]] | None = None) -> str:
    text = record.text
    if tokenize is None:
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    else:
        tokens = [(a, b, text[a:b]) for a, b in tokenize(text) if text[a:b].strip()]
    if not tokens:
        problems.append(f"{name}: the text has no words")
        return ""
    if any(token == DOCSTART for _, _, token in tokens):
        problems.append(f"{name}: the text holds the word {DOCSTART}, which CoNLL reserves for document starts")
    by_start = {start: i for i, (start, _, _) in enumerate(tokens)}
    by_end = {end: i for i, (_, end, _) in enumerate(tokens)}
    tags = ["O"] * len(tokens)
    for span in spans:
        first, last = by_start.get(span.start), by_end.get(span.end)
        covered = text[span.start : span.end]
        where = f"{name} [{span.start}:{span.end}] {span.label} {covered!r}"
        if first is None or last is None:
            problems.append(f"{where}: {_OFF_TOKENS}")
        elif not span.label or any(c.isspace() for c in span.label):
            problems.append(f"{where}: a CoNLL tag cannot hold a space")
        else:
            tags[first] = f"B-{span.label}"
            for i in range(first + 1, last + 1):
                tags[i] = f"I-{span.label}"
    lines = [f"{DOCSTART_LINE}\n", "\n"]
    for i, (start, _, token) in enumerate(tokens):
        # A line break inside an entity is white space in it: ending the sentence there would cut the entity.
        if i and not tags[i].startswith("I-") and _LINE_BREAK.search(text, tokens[i - 1][1], start):
            lines.append("\n")
        lines.append(f"{token} {tags[i]}\n")
    lines.append("\n")
    return "".join(lines)
