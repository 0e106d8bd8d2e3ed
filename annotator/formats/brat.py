"""brat standoff: a .txt file and a .ann file of annotations beside it.

Only text-bound annotations (T lines) become spans. A discontinuous annotation (`T1\tLOC 0 5;9 14\t...`)
becomes one span per fragment, so no annotated character is lost; meta "brat_discontinuous" counts them.
Events, relations, attributes, normalisations, notes and equivalences (E R A M N # * lines) are not
imported; meta "brat_ignored" counts them. Offsets are code points into the .txt read without newline
translation (brat reads it so: a CRLF counts as two characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import ExportError, ImportFormatError, NumberTooLongError
from annotator.formats._common import BOM, atomic_folder, decode_utf8, document_name, read_bytes
from annotator.formats.detect import walk

IGNORED_KINDS = ("E", "R", "A", "M", "N", "#", "*")
# brat reads .ann files with str.splitlines(), so every character it splits on is flattened in the T text.
_FLATTEN = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_OFFSETS = re.compile(r"^(\d+) (\d+)$")
_TYPE = re.compile(r"^\S+$")
# More digits than any text's length has; int() of over 4,300 digits would raise a bare ValueError.
_MAX_OFFSET_DIGITS = 18


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
    spans: list[SpanRecord] = []
    ignored = discontinuous = 0
    if ann.exists():
        for lineno, line in enumerate(decode_utf8(read_bytes(ann), ann).split("\n"), start=1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            kind = line[0]
            if kind == "T":
                found = _text_bound(line, text, shift, ann, lineno)
                spans.extend(found)
                discontinuous += len(found) > 1
            elif kind in IGNORED_KINDS:
                ignored += 1
            else:
                raise ImportFormatError(
                    f"expected a brat annotation line (T, E, R, A, M, N, # or *), found {line[:40]!r}",
                    path=ann, line=lineno,
                )
    meta = {}
    if ignored:
        meta["brat_ignored"] = ignored
    if discontinuous:
        meta["brat_discontinuous"] = discontinuous
    source = txt.relative_to(root).as_posix() if txt.is_relative_to(root) else txt.name
    return DocumentRecord(text=text, spans=tuple(spans), meta=meta, title=txt.stem, source=source)


def _text_bound(line: str, text: str, shift: int, ann: Path, lineno: int) -> list[SpanRecord]:
    parts = line.split("\t", 2)
    if len(parts) < 2 or " " not in parts[1]:
        raise ImportFormatError(f"expected T<n><TAB>LABEL START END<TAB>TEXT, found {line[:60]!r}", path=ann,
                                line=lineno)
    label, _, offsets = parts[1].partition(" ")
    spans = []
    for fragment in offsets.split(";"):
        match = _OFFSETS.match(fragment.strip())
        if not match:
            raise ImportFormatError(f"expected START END offsets (whole numbers), found {fragment!r}", path=ann,
                                    line=lineno, field="offsets")
        digits = max(len(match[1].lstrip("0")), len(match[2].lstrip("0")))
        if digits > _MAX_OFFSET_DIGITS:
            raise NumberTooLongError(f"an offset has {digits} digits; no text is that long", path=ann,
                                     line=lineno, field="offsets")
        start, end = max(0, int(match[1]) - shift), int(match[2]) - shift
        if not 0 <= start < end <= len(text):
            raise ImportFormatError(
                f"span [{start}:{end}] is outside the text or empty (the .txt has {len(text)} characters)",
                path=ann, line=lineno, field="offsets",
            )
        spans.append(SpanRecord(start, end, label))
    if len(parts) == 3:
        covered = " ".join(text[s.start : s.end] for s in spans).translate(_FLATTEN)
        if parts[2].translate(_FLATTEN) != covered:
            raise ImportFormatError(
                f"the annotation text {parts[2]!r} is not the text at its offsets, which is {covered!r}",
                path=ann, line=lineno, field="text",
                hint="brat offsets count characters of the .txt as it is on disk (a CRLF is two)",
            )
    return spans


def write(records: Iterable[DocumentRecord], out: Path) -> int:
    """A folder of 000001.txt/.ann pairs plus an annotation.conf naming the labels; returns the number of
    documents written. The folder appears only when everything is written; it must be new or empty."""
    labels: dict[str, None] = {}
    count = 0
    with atomic_folder(out) as folder:
        for count, record in enumerate(records, start=1):
            lines = []
            for k, span in enumerate(record.spans, start=1):
                if not _TYPE.match(span.label):
                    raise ExportError(
                        f"{document_name(record, count)}: the label {span.label!r} cannot be a brat type",
                        hint="brat labels cannot hold spaces; rename the label",
                    )
                if not 0 <= span.start < span.end <= len(record.text):
                    raise ExportError(f"{document_name(record, count)}: span [{span.start}:{span.end}] is "
                                      f"outside the text ({len(record.text)} characters)")
                labels[span.label] = None
                covered = record.text[span.start : span.end].translate(_FLATTEN)
                lines.append(f"T{k}\t{span.label} {span.start} {span.end}\t{covered}\n")
            stem = f"{count:06d}"
            (folder / f"{stem}.txt").write_text(record.text, encoding="utf-8", newline="")
            (folder / f"{stem}.ann").write_text("".join(lines), encoding="utf-8", newline="")
        conf = ["[entities]", *labels, "", "[relations]", "", "[events]", "", "[attributes]", ""]
        (folder / "annotation.conf").write_text("\n".join(conf) + "\n", encoding="utf-8", newline="")
    return count
