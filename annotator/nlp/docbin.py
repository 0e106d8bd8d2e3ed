"""spaCy DocBin: write a train/dev corpus with its config, and read .spacy files back as records."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.domain.spans import snap
from annotator.errors import DamagedDocBinError, ExportAlignmentError
from annotator.nlp.tokens import blank, bounds_of, tokenize

# Labels that are statements rather than entities stay out of doc.ents by default.
NON_ENTITY_LABELS = frozenset({"CLAIM"})
MAX_SUGGESTER_TOKENS = 60
SHARD_DOCS = 1000
# What a span categorizer and an entity recognizer train on; fewer attributes keep DocBins small.
DOCBIN_ATTRS = ["ORTH", "SPACY", "NORM", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]


@dataclass
class DocBinReport:
    documents: dict[str, int] = field(default_factory=lambda: {"train": 0, "dev": 0})
    spans: int = 0
    moved: int = 0  # spans snapped outward under --align expand
    left_out_of_ents: list[tuple[str, int, int, str]] = field(default_factory=list)
    longest_span_tokens: int = 1


class DocBinWriter:
    """Streams documents into train and dev DocBins; nothing appears at `out` until `commit()`.

    Memory stays flat in the corpus size: every SHARD_DOCS documents the DocBin is written to a shard in
    a hidden folder under `out`. A part that fits in one shard becomes the file `train.spacy`; a larger
    one becomes a folder `train.spacy/` of shards, which spaCy's corpus reader (and so `spacy train`)
    reads the same way. Alignment is strict unless `expand` is set: a span that does not fall on token
    boundaries is listed, and `commit()` raises ExportAlignmentError instead of writing.
    """

    def __init__(self, out: Path, lang: str, *, spans_key: str = "sc", expand: bool = False,
                 non_entity_labels: Iterable[str] = NON_ENTITY_LABELS) -> None:
        self.out = out
        self.nlp = blank(lang)
        self.lang = lang
        self.spans_key = spans_key
        self.expand = expand
        self.non_entity = frozenset(non_entity_labels)
        self.report = DocBinReport()
        self.misaligned: list[tuple[str, int, int, str, str]] = []
        self._created_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
        self._bins: dict[str, Any] = {}
        self._shards: dict[str, list[Path]] = {"train": [], "dev": []}

    def add(self, name: str, text: str, spans: Iterable[SpanRecord], part: str) -> None:
        from spacy.tokens import DocBin
        from spacy.tokens import Span as SpacySpan
        from spacy.util import filter_spans

        doc = tokenize(text, self.lang)
        bounds = None
        made = []
        for span in spans:
            s = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
            if s is None or s.text != s.text.strip():
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
            made.append(s)
            self.report.longest_span_tokens = max(self.report.longest_span_tokens, len(s))
        made = sorted(set(made), key=lambda s: (s.start, s.end, s.label_))
        doc.spans[self.spans_key] = made
        entity_like = [s for s in made if s.label_ not in self.non_entity]
        ents = filter_spans(entity_like)  # longest first, earliest wins ties
        doc.ents = [SpacySpan(doc, s.start, s.end, label=s.label_) for s in ents]
        kept = {(s.start, s.end, s.label_) for s in ents}
        for s in entity_like:
            if (s.start, s.end, s.label_) not in kept:
                self.report.left_out_of_ents.append((name, s.start_char, s.end_char, s.label_))
        self.report.spans += len(made)
        self.report.documents[part] += 1
        if self.misaligned:  # the export will stop: keep checking, stop building
            return
        if part not in self._bins:
            self._bins[part] = DocBin(attrs=DOCBIN_ATTRS, store_user_data=False)
        self._bins[part].add(doc)
        if len(self._bins[part]) >= SHARD_DOCS:
            self._flush(part)

    def _flush(self, part: str) -> None:
        docbin = self._bins.pop(part, None)
        if docbin is None or len(docbin) == 0:
            return
        folder = self._staging / part
        folder.mkdir(exist_ok=True)
        shard = folder / f"{len(self._shards[part]):05d}.spacy"
        shard.write_bytes(docbin.to_bytes())
        self._shards[part].append(shard)

    def abort(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)
        if self._created_out and self.out.exists() and not any(self.out.iterdir()):
            self.out.rmdir()

    def commit(self) -> DocBinReport:
        if self.misaligned:
            self.abort()
            raise ExportAlignmentError(self.misaligned)
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
                _replace(source, self.out / f"{part}.spacy")
            config = training_config(self.lang, self.spans_key, self.report.longest_span_tokens)
            atomic_write_bytes(self.out / "config.cfg", config.encode("utf-8"))
        finally:
            shutil.rmtree(self._staging, ignore_errors=True)
        return self.report


def _replace(source: Path, target: Path) -> None:
    """Move `source` to `target`, replacing a file or folder an earlier export left there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.is_dir():
            shutil.rmtree(old)
        old.unlink(missing_ok=True)
        os.replace(target, old)
    os.replace(source, target)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() else old.unlink()


def training_config(lang: str, spans_key: str, longest_span_tokens: int) -> str:
    """A span-categorizer config that `python -m spacy train config.cfg` runs on from the export folder."""
    from spacy.cli.init_config import init_config

    config = init_config(lang=lang, pipeline=["spancat"], optimize="efficiency", gpu=False, silent=True)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    spancat = config["components"]["spancat"]
    spancat["spans_key"] = spans_key
    # CLAIMs are whole clauses: the suggester must propose spans as long as the longest one annotated.
    spancat["suggester"] = {
        "@misc": "spacy.ngram_range_suggester.v1",
        "min_size": 1,
        "max_size": max(3, min(longest_span_tokens, MAX_SUGGESTER_TOKENS)),
    }
    config["training"]["score_weights"] = {
        f"spans_{spans_key}_f": 1.0, f"spans_{spans_key}_p": 0.0, f"spans_{spans_key}_r": 0.0,
    }
    return config.to_str()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the user's usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_docbin(path: Path) -> Iterator[DocumentRecord]:
    """Every span of every spans key, and the entities, of a .spacy file, as records.

    A file spaCy cannot read back (truncated, damaged, saved without its strings) is a DamagedDocBinError
    naming the file and the document where reading stopped.
    """
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
        except Exception as e:
            raise DamagedDocBinError(f"document {number} cannot be read back ({_why(e)})", path=path,
                                     hint="export the file again from its source") from e
        yield DocumentRecord(
            text=text,
            spans=tuple(SpanRecord(a, b, label) for a, b, label in found),
            source=path.name,
            line=number,
        )


def _why(error: Exception) -> str:
    if "[E018]" in str(error):  # a string for a token or label is missing from the file's string table
        return "the file lacks the strings of its tokens or labels; was it saved without them?"
    return type(error).__name__
