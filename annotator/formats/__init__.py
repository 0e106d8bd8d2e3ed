"""File formats: files in, DocumentRecords out, and DocumentRecords out to other tools' files.

One module per format, each with `read(path) -> Iterator[DocumentRecord]` and, where the format is
exported, `write(records, out) -> int`. Readers stream (a JSON Lines file of any size is read line by line)
and keep the text exactly as in the file. Every bad file, line or field raises an ImportFormatError that
names it. Writers stream too, and write atomically: the output appears whole or not at all.
spaCy's .spacy files are detected here but read and written by annotator.nlp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError, MissingFileError, UsageError
from annotator.formats import (
    brat,
    conll,
    csv_table,
    doccano,
    html_page,
    labelstudio,
    output,
    prodigy,
    spacy_json,
    txt,
)
from annotator.formats._label_names import restored
from annotator.formats.detect import (
    DETECTED_FORMATS,
    READ_FORMATS,
    WRITE_FORMATS,
    detect_format,
    iter_input_files,
)

__all__ = [
    "DETECTED_FORMATS",
    "FORMATS",
    "WRITE_FORMATS",
    "detect_format",
    "iter_input_files",
    "read",
    "write",
]

FORMATS = READ_FORMATS

_READERS: dict[str, Callable[..., Iterator[DocumentRecord]]] = {
    "txt": txt.read,
    "html": html_page.read,
    "csv": csv_table.read,
    "prodigy": prodigy.read,
    "spacy_json": spacy_json.read,
    "doccano": doccano.read,
    "labelstudio": labelstudio.read,
    "brat": brat.read,
    "conll": conll.read,
}
_WRITERS: dict[str, Callable[..., int]] = {
    "prodigy": prodigy.write,
    "doccano": doccano.write,
    "labelstudio": labelstudio.write,
    "brat": brat.write,
    "conll": conll.write,
}


def read(path: Path, fmt: str = "auto", **options: Any) -> Iterator[DocumentRecord]:
    """The documents of a file or folder in format `fmt` ("auto" detects it).

    Options go to the format's reader: csv `text_column`, `title_column`, `delimiter`; doccano `text_key`,
    `label_key`; conll `sentences_per_document`. A missing path or an unknown format is reported at once;
    a bad line when the iterator reaches it. A file that holds no document is an ImportFormatError.
    """
    path = Path(path)
    if not path.exists():
        raise MissingFileError("no such file or folder", path=path)
    if fmt in ("auto", None):
        fmt = detect_format(path)
    if fmt == "spacy":
        raise UsageError(f"{path}: .spacy files are read by annotator.nlp.docbin, not annotator.formats")
    reader = _READERS.get(fmt)
    if reader is None:
        raise UsageError(f'unknown format "{fmt}"', hint="choose one of " + ", ".join(FORMATS))
    if path.is_dir() and fmt != "brat":
        files = [file for file, _ in iter_input_files([path], fmt)]
        return chain.from_iterable(_not_empty(restored(reader(file, **options), file, fmt), file) for file in files)
    return _not_empty(restored(reader(path, **options), path, fmt), path)


def write(records: Iterable[DocumentRecord], out: Path, fmt: str, *, replace: bool = False,
          protect: Iterable[Path] = (), ledger: Path | None = None, target: output.Target | None = None,
          **options: Any) -> int:
    """Write the records to `out` in format `fmt`; returns the number of documents written.

    Records are consumed one at a time. The output appears only when everything is written (it is staged
    beside `out` and moved into place, see annotator.formats.output). `out` must be new (brat: or an empty
    folder); with `replace`, a previous export of the same format that `ledger` records as annotator's is
    replaced. Files in `protect` (the database) are never written. A caller that checked `out` already
    (output.check) passes its `target` instead. conll takes `drop_overlaps` and `dropped` (see
    annotator.formats.conll.write), brat `moved` (see annotator.formats.brat.write); brat and conll take
    `label_names` (annotator.formats._label_names.LabelNames), and reading their exports back restores the
    names.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f'cannot export to "{fmt}" here', hint="choose one of " + ", ".join(WRITE_FORMATS))
    if target is None:
        target = output.check(Path(out), fmt, replace=replace, protect=protect, ledger=ledger)
    with output.staged(target) as path:
        return writer(iter(records), path, **options)


def _not_empty(records: Iterator[DocumentRecord], path: Path) -> Iterator[DocumentRecord]:
    empty = True
    for record in records:
        empty = False
        yield record
    if empty:
        raise ImportFormatError("the file is empty: it holds no documents", path=path)
