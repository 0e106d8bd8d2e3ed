"""spaCy DocBin: write a train/dev corpus with its config, and read .spacy files back as records."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.domain.spans import snap
from annotator.errors import LISTED, DamagedDocBinError, ExportAlignmentError, RelationSpanMissingError
from annotator.nlp import load_spacy
from annotator.nlp.docbin_pack import DocPacker
from annotator.nlp.tokens import blank, bounds_of, tokenize

# The spancat suggester proposes every n-gram up to this many tokens; longer spans are reported instead.
MAX_SUGGESTER_TOKENS = 60
SHARD_DOCS = 1000
# What a span categorizer and an entity recognizer train on; fewer attributes keep DocBins small.
DOCBIN_ATTRS = ["ORTH", "SPACY", "NORM", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]


# doc.user_data keys: our relations and span attributes (read back by read_docbin), and the extension
# attribute `doc._.rel` that explosion's rel_component tutorial trains on ({(head token, child token): {type: 1.0}}).
USER_RELATIONS = "annotator_relations"
USER_ATTRS = "annotator_attrs"
REL_EXTENSION = ("._.", "rel", None, None)

LEFT_OUT_STATEMENT = "a statement, not an entity"
LEFT_OUT_OVERLAP = "overlaps a longer entity"
# The report keeps LISTED spans of each list (what the summary shows) and counts the rest: memory stays flat
# however many statements a corpus holds.


@dataclass
class DocBinReport:
    documents: dict[str, int] = field(default_factory=lambda: {"train": 0, "dev": 0})
    spans: int = 0
    moved: int = 0  # spans snapped outward under --align expand
    # (document, start, end, label, why): the first LISTED spans kept in doc.spans but not in doc.ents,
    # and how many there are for each why
    left_out_of_ents: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    left_out_counts: dict[str, int] = field(default_factory=dict)
    longest_span_tokens: int = 1
    suggester_max: int = 0  # the max_size written in config.cfg
    # (document, start, end, label, tokens): the first LISTED spans longer than the suggester proposes
    too_long_for_suggester: list[tuple[str, int, int, str, int]] = field(default_factory=list)
    too_long_count: int = 0

    def leave_out_of_ents(self, name: str, span: Any, why: str) -> None:
        self.left_out_counts[why] = self.left_out_counts.get(why, 0) + 1
        if len(self.left_out_of_ents) < LISTED:
            self.left_out_of_ents.append((name, span.start_char, span.end_char, span.label_, why))


class DocBinWriter:
    """Streams documents into train and dev DocBins in the new folder `out`, which holds train.spacy, dev.spacy
    and config.cfg once `commit()` returns. The caller stages `out` and moves it into place (the exporter
    replaces a previous export as one unit, see docs/adr/0005).

    Memory stays flat in the corpus size: every SHARD_DOCS documents the DocBin is written to a shard in
    a hidden folder under `out`. A part that fits in one shard becomes the file `train.spacy`; a larger
    one becomes a folder `train.spacy/` of shards, which spaCy's corpus reader (and so `spacy train`)
    reads the same way. Alignment is strict unless `expand` is set: a span that does not fall on token
    boundaries is listed, and `commit()` raises ExportAlignmentError instead of writing.

    Spans of the labels named in `statements` (the project's labels of kind statement) go in doc.spans only;
    every other span is an entity, in doc.ents too unless it overlaps a longer one.
    """

    def __init__(self, out: Path, lang: str, *, statements: Iterable[str] = (), spans_key: str = "sc",
                 expand: bool = False) -> None:
        self.out = out
        self.statements = frozenset(statements)
        self.nlp = blank(lang)
        self.lang = lang
        self.spans_key = spans_key
        self.expand = expand
        self.report = DocBinReport()
        self.misaligned: list[tuple[str, int, int, str, str]] = []
        self._created_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
        self._bins: dict[str, Any] = {}
        self._packer = DocPacker()  # DocBin.add's bytes, without its per-token loop (nlp/docbin_pack.py)
        self._shards: dict[str, list[Path]] = {"train": [], "dev": []}

    def add(self, name: str, text: str, spans: Iterable[SpanRecord], part: str,
            relations: Iterable[RelationRecord] = ()) -> None:
        load_spacy()
        from spacy.tokens import DocBin
        from spacy.tokens import Span as SpacySpan
        from spacy.util import filter_spans

        doc = tokenize(text, self.lang)
        spans = list(spans)
        bounds = None
        keys: dict[tuple[int, int, str], None] = {}  # (first token, past the last, label), repeats merged
        # each span's tokens and characters, once aligned: (first token, past the last, start, end)
        placed: dict[tuple[int, int, str], tuple[int, int, int, int]] = {}
        for span, found in zip(spans, _token_ranges(doc, [(s.start, s.end) for s in spans]), strict=True):
            if found is None:
                if not self.expand:
                    self.misaligned.append((name, span.start, span.end, span.label, text[span.start : span.end]))
                    continue
                bounds = bounds or bounds_of(doc)
                snapped = snap(text, span.start, span.end, bounds)
                s = None if snapped is None else doc.char_span(*snapped, label=span.label, alignment_mode="expand")
                if s is None:
                    self.misaligned.append((name, span.start, span.end, span.label, text[span.start : span.end]))
                    continue
                self.report.moved += 1
                found = (s.start, s.end)
                chars = (s.start_char, s.end_char)
            else:
                chars = (span.start, span.end)  # _token_ranges found tokens that start and end there
            keys[(found[0], found[1], span.label)] = None
            placed[(span.start, span.end, span.label)] = (*found, *chars)
        ordered = sorted(keys)
        made = [SpacySpan(doc, first, end, label=label) for first, end, label in ordered]
        report = self.report
        statements = self.statements
        # Lengths and labels from the tuples: a Span's len() and label_ are calls into spaCy, 48 a document.
        report.longest_span_tokens = max(report.longest_span_tokens,
                                         max((end - first for first, end, _ in ordered), default=1))
        entity_like = []
        for s, (first, end, label) in zip(made, ordered, strict=True):
            if end - first > MAX_SUGGESTER_TOKENS:
                report.too_long_count += 1
                if len(report.too_long_for_suggester) < LISTED:
                    report.too_long_for_suggester.append((name, s.start_char, s.end_char, label, end - first))
            if label in statements:
                report.leave_out_of_ents(name, s, LEFT_OUT_STATEMENT)
            else:
                entity_like.append(s)
        doc.spans[self.spans_key] = made
        ents = filter_spans(entity_like)  # longest first, earliest wins ties
        doc.ents = ents
        if len(ents) < len(entity_like):
            kept = {(s.start, s.end, s.label_) for s in ents}
            for s in entity_like:
                if (s.start, s.end, s.label_) not in kept:
                    report.leave_out_of_ents(name, s, LEFT_OUT_OVERLAP)
        self.report.spans += len(made)
        self.report.documents[part] += 1
        if self.misaligned:  # the export will stop: keep checking, stop building
            return
        _frames(doc, spans, list(relations), placed)
        if part not in self._bins:
            self._bins[part] = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
        self._packer.add(self._bins[part], doc)
        if len(self._bins[part]) >= SHARD_DOCS:
            self._flush(part)

    def _flush(self, part: str) -> None:
        docbin = self._bins.pop(part, None)
        if docbin is None or len(docbin) == 0:
            return
        folder = self._staging / part
        folder.mkdir(exist_ok=True)
        shard = folder / f"{len(self._shards[part]):05d}.spacy"
        _write_synced(shard, docbin.to_bytes())
        self._shards[part].append(shard)

    def abort(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)
        if self._created_out and self.out.exists() and not any(self.out.iterdir()):
            self.out.rmdir()

    def commit(self) -> DocBinReport:
        if self.misaligned:
            self.abort()
            raise ExportAlignmentError(self.misaligned)
        load_spacy()
        from spacy.tokens import DocBin

        try:
            for part in ("train", "dev"):
                self._flush(part)
                shards = self._shards[part]
                if not shards:  # spacy train wants both paths to exist, even for an empty part
                    source = self._staging / f"{part}.empty"
                    source.write_bytes(DocBin(attrs=DOCBIN_ATTRS).to_bytes())
                else:
                    source = shards[0] if len(shards) == 1 else self._staging / part
                os.rename(source, self.out / f"{part}.spacy")
            self.report.suggester_max = suggester_max_size(self.report.longest_span_tokens)
            config = training_config(self.lang, self.spans_key, self.report.longest_span_tokens)
            _write_synced(self.out / "config.cfg", config.encode("utf-8"))
        finally:
            shutil.rmtree(self._staging, ignore_errors=True)
        return self.report


def _frames(doc: Any, spans: list[SpanRecord], relations: list[RelationRecord],
            placed: dict[tuple[int, int, str], tuple[int, int, int, int]]) -> None:
    """Relations and attributes into doc.user_data, at the offsets of the spans as placed on tokens; `doc._.rel`
    as the rel_component tutorial reads it: every pair of a head-label span and a child-label span of a linked
    type, by first token, scored 1.0 where linked, else 0.0."""

    def where(span: SpanRecord) -> tuple[int, int, str, int] | None:
        found = placed.get((span.start, span.end, span.label))
        if found is None:
            return None
        first, _past, start, end = found
        return start, end, span.label, first

    attrs = [[*found[:3], dict(s.attrs)] for s in spans if s.attrs and (found := where(s))]
    if attrs:
        doc.user_data[USER_ATTRS] = attrs
    links = [(found_head, found_child, r.type) for r in relations
             if (found_head := where(spans[r.head])) and (found_child := where(spans[r.child]))]
    if not links:
        return
    doc.user_data[USER_RELATIONS] = [[*h[:3], *c[:3], kind] for h, c, kind in links]
    starts: dict[str, set[int]] = {}
    for (_start, _end, label), (first, *_rest) in placed.items():
        starts.setdefault(label, set()).add(first)
    rel: dict[tuple[int, int], dict[str, float]] = {}
    for kind, (head_label, child_label) in {kind: (h[2], c[2]) for h, c, kind in links}.items():
        for h_token in sorted(starts.get(head_label, ())):
            for c_token in sorted(starts.get(child_label, ())):
                rel.setdefault((h_token, c_token), {})[kind] = 0.0
    for h, c, kind in links:
        rel[(h[3], c[3])][kind] = 1.0
    doc.user_data[REL_EXTENSION] = rel


def suggester_max_size(longest_span_tokens: int) -> int:
    """The n-gram suggester's max_size: the longest span annotated, within [3, MAX_SUGGESTER_TOKENS]."""
    return max(3, min(longest_span_tokens, MAX_SUGGESTER_TOKENS))


def _token_ranges(doc: Any, pairs: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """For each (start, end) in characters, the tokens [first, past the last) it covers exactly, or None when
    an edge falls inside a token or on whitespace (what `char_span(..., alignment_mode="strict")` and a
    check of its text for surrounding spaces found, one span at a time, at several times the cost)."""
    import numpy
    load_spacy()
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    if not pairs or not len(doc):
        return [None] * len(pairs)
    rows = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(numpy.int64)
    starts = rows[:, 0]
    ends = starts + rows[:, 1]
    solid = rows[:, 2] == 0
    wanted = numpy.array(pairs, dtype=numpy.int64)
    first = numpy.searchsorted(starts, wanted[:, 0])
    last = numpy.searchsorted(ends, wanted[:, 1])
    inside = (first < len(doc)) & (last < len(doc))
    first_c = numpy.minimum(first, len(doc) - 1)
    last_c = numpy.minimum(last, len(doc) - 1)
    exact = inside & (starts[first_c] == wanted[:, 0]) & (ends[last_c] == wanted[:, 1])
    exact &= solid[first_c] & solid[last_c]
    return [(f, la + 1) if ok else None for f, la, ok in zip(first.tolist(), last.tolist(), exact.tolist(), strict=True)]


def training_config(lang: str, spans_key: str, longest_span_tokens: int) -> str:
    """A span-categorizer config that `python -m spacy train config.cfg` runs on from the export folder."""
    load_spacy()
    from spacy.cli.init_config import init_config

    config = init_config(lang=lang, pipeline=["spancat"], optimize="efficiency", gpu=False, silent=True)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    spancat = config["components"]["spancat"]
    spancat["spans_key"] = spans_key
    # Statements are whole clauses: the suggester must propose spans as long as the longest one annotated.
    spancat["suggester"] = {
        "@misc": "spacy.ngram_range_suggester.v1",
        "min_size": 1,
        "max_size": suggester_max_size(longest_span_tokens),
    }
    config["training"]["score_weights"] = {
        f"spans_{spans_key}_f": 1.0, f"spans_{spans_key}_p": 0.0, f"spans_{spans_key}_r": 0.0,
    }
    return config.to_str()


def _write_synced(path: Path, data: bytes) -> None:
    # On disk before the folder is moved into place: a power cut must not leave a renamed but empty file.
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def read_docbin(path: Path) -> Iterator[DocumentRecord]:
    """Every span of every spans key, and the entities, of a .spacy file, as records.

    A file spaCy cannot read back (truncated, damaged, saved without its strings) is a DamagedDocBinError
    naming the file and the document where reading stopped.
    """
    load_spacy()
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        docbin = DocBin().from_disk(path)
    except Exception as e:  # spaCy raises ValueError, KeyError or msgpack errors for a damaged file
        raise DamagedDocBinError(f"not a readable spaCy DocBin file ({_why(e)})", path=path) from e
    vocab = Vocab()
    docs = docbin.get_docs(vocab)
    number = 0
    while True:
        number += 1
        # Damage in the tokens, strings or span groups only shows when a document is rebuilt from them.
        try:
            doc = next(docs, None)
            if doc is None:
                return
            found: dict[tuple[int, int, str], None] = {}
            for key in doc.spans:
                for s in doc.spans[key]:
                    found[(s.start_char, s.end_char, s.label_)] = None
            for s in doc.ents:
                found[(s.start_char, s.end_char, s.label_)] = None
            text = doc.text
            user = doc.user_data
        except Exception as e:
            raise DamagedDocBinError(f"document {number} cannot be read back ({_why(e)})", path=path,
                                     hint="export the file again from its source") from e
        try:
            yield _record(text, found, user, path, number)
        except (TypeError, ValueError) as e:  # user_data that another program wrote under our keys
            raise DamagedDocBinError(f"document {number} holds relations or attributes that cannot be read "
                                     f"({_why(e)})", path=path, hint="export the file again from its source") from e


def _record(text: str, found: dict[tuple[int, int, str], None], user: dict[Any, Any], path: Path,
            number: int) -> DocumentRecord:
    """A record of a document's spans, with the attributes and relations an export of ours kept in user_data."""
    attrs = {(a, b, label): value for a, b, label, value in user.get(USER_ATTRS) or () if isinstance(value, dict)}
    index = {key: n for n, key in enumerate(found)}
    relations = []
    for item in user.get(USER_RELATIONS) or ():
        *ends, kind = item
        head, child = index.get(tuple(ends[:3])), index.get(tuple(ends[3:]))
        if head is None or child is None:
            raise RelationSpanMissingError(f"document {number} holds a {kind} relation between spans it does not "
                                           f"hold ({ends})", path=path, line=number,
                                           hint="export the file again from its source")
        relations.append(RelationRecord(head, child, kind))
    return DocumentRecord(text=text, spans=tuple(SpanRecord(a, b, label, attrs.get((a, b, label)))
                                                 for a, b, label in found),
                          source=path.name, line=number, relations=tuple(dict.fromkeys(relations)))


def _why(error: Exception) -> str:
    if "[E018]" in str(error):  # a string for a token or label is missing from the file's string table
        return "the file lacks the strings of its tokens or labels; was it saved without them?"
    return type(error).__name__
