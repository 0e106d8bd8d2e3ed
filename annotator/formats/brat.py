"""brat standoff: a .txt file and a .ann file of annotations beside it.

Text-bound annotations (T lines) become spans. A discontinuous annotation (`T1\tLOC 0 5;9 14\t...`)
becomes one span per fragment, so no annotated character is lost; meta "brat_discontinuous" counts them.
Relations (`R1\tsaid_by Arg1:T3 Arg2:T1`) link the spans of their T lines (the first fragment of a
discontinuous one); an argument that is no T line of the file stops the import (A161, with the line). A span's
attributes (a FIGURE's value, unit, qualifier) are an AnnotatorNotes line holding a JSON object
(`#1\tAnnotatorNotes T2\t{"value": 12000.0, ...}`): brat shows the note, and its `A` lines hold only declared
values, not numbers. Events, attributes, normalisations, other notes and equivalences (E A M N # * lines) are
not imported; meta "brat_ignored" counts them.

Offsets are code points of the .txt as brat reads it: with universal newlines, so a CRLF counts as one
character (brat issue #853); a lone CR, like every other character, counts as one. The text we keep and
write is the .txt byte for byte: offsets are mapped between brat's count and ours (`BratOffsets`). An .ann
whose T texts match only when a CRLF counts as two (as annotator wrote them before, and some tools still
do) is read that way, and meta "brat_offsets" says so.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord, RelationRecord, SpanRecord
from annotator.errors import ExportError, ImportFormatError, NumberTooLongError, RelationSpanMissingError
from annotator.formats._common import BOM, atomic_folder, decode_utf8, document_name, read_bytes
from annotator.formats._label_names import BRAT_FILE, LabelNames
from annotator.formats.detect import walk

IGNORED_KINDS = ("E", "A", "M", "N", "#", "*")
_RELATION = re.compile(r"^(R\d+)\t(\S+) Arg1:(\S+) Arg2:(\S+)\s*$")
_NOTE = re.compile(r"^#\d+\tAnnotatorNotes (T\d+)\t(\{.*\})\s*$")
NOTE_KEYS = frozenset({"value", "low", "high", "unit", "qualifier", "factor", "reference"})
# brat reads .ann files with str.splitlines(), so every character it splits on is flattened in the T text.
_FLATTEN = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_OFFSETS = re.compile(r"^(\d+) (\d+)$")
# More digits than any text's length has; int() of over 4,300 digits would raise a bare ValueError.
_MAX_OFFSET_DIGITS = 18
CRLF_AS_TWO = "crlf-as-two"


class BratOffsets:
    """Maps offsets into a text as stored (a CRLF is two characters) to brat's count (a CRLF is one)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._crlf = [m.start() for m in re.finditer("\r\n", text)]  # where each CRLF's \r is, in our count
        self._crlf_brat = [c - k for k, c in enumerate(self._crlf)]  # ... and its newline, in brat's

    def to_ours(self, offset: int) -> int:
        return offset + bisect_left(self._crlf_brat, offset)

    def to_brat(self, offset: int) -> int:
        """brat's offset of ours, which must not fall between a CR and its LF (see `widen`)."""
        return offset - bisect_left(self._crlf, offset - 1)

    def widen(self, start: int, end: int) -> tuple[int, int]:
        """The span with an edge between a CR and its LF moved out to take the whole line break: brat cannot
        point there."""
        if self.text.startswith("\r\n", start - 1):
            start -= 1
        if self.text.startswith("\r\n", end - 1):
            end += 1
        return start, end

    def brat_text(self, start: int, end: int) -> str:
        """The text of [start:end] as brat shows it in an .ann line: line breaks flattened to spaces."""
        return self.text[start:end].replace("\r\n", "\n").translate(_FLATTEN)


def read(path: Path) -> Iterator[DocumentRecord]:
    """The documents of a brat folder (recursively, in name order), or of one .txt/.ann pair.

    A .txt without a .ann is a document without spans; an .ann without its .txt is an error.
    """
    if not path.is_dir():
        yield _read_pair(path.with_suffix(".txt"), path.parent)
        return
    files = list(walk(path))
    texts = {f.with_suffix("") for f in files if f.suffix == ".txt"}
    for ann in (f for f in files if f.suffix == ".ann"):
        if ann.with_suffix("") not in texts:
            raise ImportFormatError("this .ann file has no .txt file beside it", path=ann,
                                    hint=f"put {ann.with_suffix('.txt').name} next to it")
    for txt in (f for f in files if f.suffix == ".txt"):
        yield _read_pair(txt, path)


def _read_pair(txt: Path, root: Path) -> DocumentRecord:
    text = decode_utf8(read_bytes(txt), txt, keep_bom=True)
    # brat counts a BOM as a character; the text drops it, so offsets move back by one.
    shift = 1 if text.startswith(BOM) else 0
    text = text[shift:]
    if not text.strip():
        raise ImportFormatError("the text file is empty (no text to annotate)", path=txt)
    ann = txt.with_suffix(".ann")
    bound: list[tuple[int, str, list[tuple[int, int]], str | None]] = []  # line, label, fragments, text
    ignored = 0
    ids: dict[str, int] = {}  # T id -> index of its entry in `bound`
    relations: list[tuple[int, str, str, str]] = []  # line, type, Arg1, Arg2
    notes: dict[str, dict[str, object]] = {}
    if ann.exists():
        for lineno, line in enumerate(decode_utf8(read_bytes(ann), ann).split("\n"), start=1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            kind = line[0]
            if kind == "T":
                ids[line.split("\t", 1)[0]] = len(bound)
                bound.append(_text_bound(line, ann, lineno))
            elif kind == "R" and (found := _RELATION.match(line)):
                relations.append((lineno, found[2], found[3], found[4]))
            elif kind == "#" and (note := _note(line)):
                notes.update(note)
            elif kind in IGNORED_KINDS or kind == "R":
                ignored += 1
            else:
                raise ImportFormatError(
                    f"expected a brat annotation line (T, E, R, A, M, N, # or *), found {line[:40]!r}",
                    path=ann, line=lineno,
                )
    try:
        spans = _spans(bound, text, shift, ann, crlf_as_two=False)
        legacy = False
    except ImportFormatError as first:
        if "\r\n" not in text:
            raise
        try:
            spans = _spans(bound, text, shift, ann, crlf_as_two=True)
        except ImportFormatError:
            raise first from None
        legacy = True
    meta: dict[str, object] = {}
    if ignored:
        meta["brat_ignored"] = ignored
    discontinuous = sum(len(fragments) > 1 for _, _, fragments, _ in bound)
    if discontinuous:
        meta["brat_discontinuous"] = discontinuous
    if legacy:
        meta["brat_offsets"] = CRLF_AS_TWO
    source = txt.relative_to(root).as_posix() if txt.is_relative_to(root) else txt.name
    starts = [0]  # the index in `spans` of each T line's first fragment
    for _, _, fragments, _ in bound:
        starts.append(starts[-1] + len(fragments))
    for t_id, attrs in notes.items():
        if t_id in ids:
            n = starts[ids[t_id]]
            spans[n] = SpanRecord(spans[n].start, spans[n].end, spans[n].label, attrs)
    links = []
    for lineno, kind, arg1, arg2 in relations:
        ends = []
        for arg in (arg1, arg2):
            if arg not in ids:
                raise RelationSpanMissingError(f"the relation {kind} names {arg}, which is no T line of this file",
                                               path=ann, line=lineno, field="Arg1" if arg is arg1 else "Arg2",
                                               hint="add the T line, or remove the relation")
            ends.append(starts[ids[arg]])
        links.append(RelationRecord(ends[0], ends[1], kind))
    return DocumentRecord(text=text, spans=tuple(spans), meta=meta, title=printable(txt.stem), source=source,
                          relations=tuple(dict.fromkeys(links)))


def _note(line: str) -> dict[str, dict[str, object]]:
    """{T id: attributes} of an AnnotatorNotes line that holds our attributes as JSON; {} for any other note."""
    found = _NOTE.match(line)
    if not found:
        return {}
    try:
        value = json.loads(found[2])
    except ValueError:
        return {}
    return {found[1]: value} if isinstance(value, dict) and value and set(value) <= NOTE_KEYS else {}


def _text_bound(line: str, ann: Path, lineno: int) -> tuple[int, str, list[tuple[int, int]], str | None]:
    parts = line.split("\t", 2)
    if len(parts) < 2 or " " not in parts[1]:
        raise ImportFormatError(f"expected T<n><TAB>LABEL START END<TAB>TEXT, found {line[:60]!r}", path=ann,
                                line=lineno)
    label, _, offsets = parts[1].partition(" ")
    fragments = []
    for fragment in offsets.split(";"):
        match = _OFFSETS.match(fragment.strip())
        if not match:
            raise ImportFormatError(f"expected START END offsets (whole numbers), found {fragment!r}", path=ann,
                                    line=lineno, field="offsets")
        digits = max(len(match[1].lstrip("0")), len(match[2].lstrip("0")))
        if digits > _MAX_OFFSET_DIGITS:
            raise NumberTooLongError(f"an offset has {digits} digits; no text is that long", path=ann,
                                     line=lineno, field="offsets")
        fragments.append((int(match[1]), int(match[2])))
    return lineno, label, fragments, parts[2] if len(parts) == 3 else None


def _spans(bound: list[tuple[int, str, list[tuple[int, int]], str | None]], text: str, shift: int, ann: Path, *,
           crlf_as_two: bool) -> list[SpanRecord]:
    """The spans of the T lines, offsets counted as brat does (or with a CRLF as two characters)."""
    offsets = BratOffsets(text)
    spans = []
    for lineno, label, fragments, covered_text in bound:
        found = []
        for brat_start, brat_end in fragments:
            start, end = max(0, brat_start - shift), brat_end - shift
            if not crlf_as_two:
                start, end = offsets.to_ours(start), offsets.to_ours(end)
            if not 0 <= start < end <= len(text):
                raise ImportFormatError(
                    f"span [{brat_start}:{brat_end}] is outside the text or empty (the .txt has "
                    f"{offsets.to_brat(len(text)) + shift} characters as brat counts them)",
                    path=ann, line=lineno, field="offsets",
                )
            found.append(SpanRecord(start, end, label))
        if covered_text is not None:
            if crlf_as_two:
                covered = " ".join(text[s.start : s.end] for s in found).translate(_FLATTEN)
            else:
                covered = " ".join(offsets.brat_text(s.start, s.end) for s in found)
            if covered_text.translate(_FLATTEN) != covered:
                raise ImportFormatError(
                    f"the annotation text {covered_text!r} is not the text at its offsets, which is {covered!r}",
                    path=ann, line=lineno, field="text",
                    hint="brat offsets count characters of the .txt read with universal newlines (a CRLF is one)",
                )
        spans.extend(found)
    return spans


def write(records: Iterable[DocumentRecord], out: Path, *, label_names: LabelNames | None = None,
          moved: list[tuple[str, SpanRecord]] | None = None) -> int:
    """A folder of 000001.txt/.ann pairs plus an annotation.conf naming the labels; returns the number of
    documents written. The folder appears only when everything is written; it must be new or empty.

    The .txt is the text byte for byte; the .ann counts offsets as brat does (a CRLF is one character). A
    span with an edge between a CR and its LF, which brat cannot express, takes the whole line break and is
    appended to `moved` as (document, span as it was). A label that cannot be a brat type is written under
    the name `label_names` gives it (see _label_names)."""
    names = label_names or LabelNames.brat()
    labels: dict[str, None] = {}
    relation_types: dict[tuple[str, tuple[str, str]], None] = {}
    count = 0
    with atomic_folder(out) as folder:
        for count, record in enumerate(records, start=1):
            lines = []
            offsets = BratOffsets(record.text)
            for k, span in enumerate(record.spans, start=1):
                if not 0 <= span.start < span.end <= len(record.text):
                    raise ExportError(f"{document_name(record, count)}: span [{span.start}:{span.end}] is "
                                      f"outside the text ({len(record.text)} characters)")
                labels[names(span.label)] = None
                start, end = offsets.widen(span.start, span.end)
                if (start, end) != (span.start, span.end) and moved is not None:
                    moved.append((document_name(record, count), span))
                covered = offsets.brat_text(start, end)
                lines.append(f"T{k}\t{names(span.label)} {offsets.to_brat(start)} {offsets.to_brat(end)}\t{covered}\n")
            notes = [f"#{k}\tAnnotatorNotes T{n}\t{json.dumps(dict(span.attrs or {}), ensure_ascii=False)}\n"
                     for k, (n, span) in enumerate(((n, s) for n, s in enumerate(record.spans, start=1) if s.attrs),
                                                   start=1)]
            lines += notes
            lines += [f"R{k}\t{names(r.type)} Arg1:T{r.head + 1} Arg2:T{r.child + 1}\n"
                      for k, r in enumerate(record.relations, start=1)]
            relation_types.update(dict.fromkeys((names(r.type), (names(record.spans[r.head].label),
                                                                 names(record.spans[r.child].label)))
                                                for r in record.relations))
            stem = f"{count:06d}"
            (folder / f"{stem}.txt").write_text(record.text, encoding="utf-8", newline="")
            (folder / f"{stem}.ann").write_text("".join(lines), encoding="utf-8", newline="")
        relations = [f"{kind}\tArg1:{head}, Arg2:{child}" for kind, (head, child) in relation_types]
        conf = ["[entities]", *labels, "", "[relations]", *relations, "", "[events]", "", "[attributes]", ""]
        (folder / "annotation.conf").write_text("\n".join(conf) + "\n", encoding="utf-8", newline="")
        names.save(folder / BRAT_FILE)
    return count
