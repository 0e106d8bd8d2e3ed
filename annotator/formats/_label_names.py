"""Label names in formats that cannot hold every name: brat types and CoNLL tags.

Our labels keep their names as written (any script, spaces, punctuation). A brat type is made of
`A-Z a-z 0-9 _ -` only (brat stores every other character as "_"); a CoNLL tag cannot hold white space.
A name that does not fit is written under a stand-in made from it ("Person Name" -> "Person_Name",
"ИСТОЧНИК" -> "label"), numbered when that name is taken, so that two labels never share one name in
the file. The pairs go into a small JSON file beside the export, and reading the export back through
`restored` gives the original names again. A file without one (any other tool's) is read as it is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal, overload

from annotator.domain.records import DocumentRecord
from annotator.errors import AnnotatorError, ImportFormatError
from annotator.formats._common import atomic_text_file, decode_utf8, read_bytes

BRAT_FILE = "annotator-labels.json"  # inside the brat folder
CONLL_SUFFIX = ".labels.json"  # beside the CoNLL file: news.conll -> news.conll.labels.json
_MARK = "annotator label names"
_BRAT_TYPE = re.compile(r"^[A-Za-z0-9_\-]+$")


def brat_fits(name: str) -> bool:
    return bool(_BRAT_TYPE.match(name))


def conll_fits(name: str) -> bool:
    return bool(name) and not any(c.isspace() for c in name)


class LabelNames:
    """Our name -> the name written in the file, chosen once per label and kept for the whole export.

    `known` (the project's labels, in order) claims the names that fit first, so a stand-in never takes
    the name of a label that is written as it is ("Person Name" beside "Person_Name").
    """

    def __init__(self, fits: Callable[[str], bool], known: Iterable[str] = ()) -> None:
        self._fits = fits
        self._written: dict[str, str] = {}
        self._taken: set[str] = set()
        known = list(known)
        for name in known:
            if fits(name):
                self._claim(name, name)
        for name in known:
            self(name)

    @classmethod
    def brat(cls, known: Iterable[str] = ()) -> LabelNames:
        return cls(brat_fits, known)

    @classmethod
    def conll(cls, known: Iterable[str] = ()) -> LabelNames:
        return cls(conll_fits, known)

    def __call__(self, name: str) -> str:
        written = self._written.get(name)
        if written is None:
            written = name if self._fits(name) and name not in self._taken else self._stand_in(name)
            self._claim(name, written)
        return written

    @property
    def renamed(self) -> dict[str, str]:
        """Our name -> the name in the file, for the labels written under another name."""
        return {ours: theirs for ours, theirs in self._written.items() if ours != theirs}

    def save(self, path: Path) -> None:
        """Write the renamed pairs to `path`; with none, remove an earlier file of ours there (it is stale)."""
        if self.renamed:
            with atomic_text_file(path) as handle:
                pairs = {theirs: ours for ours, theirs in self.renamed.items()}
                json.dump({_MARK: pairs}, handle, ensure_ascii=False, indent=1)
                handle.write("\n")
        elif path.is_file() and _load(path, quiet=True):
            path.unlink()

    def _claim(self, name: str, written: str) -> None:
        self._written[name] = written
        self._taken.add(written)

    def _folded(self, char: str) -> str:
        """An accented letter without its accent when that fits ("é" -> "e"), else "_"."""
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        return base if base and self._fits(base) else "_"

    def _stand_in(self, name: str) -> str:
        kept = "".join(c if self._fits(c) else self._folded(c) for c in name)
        base = re.sub(r"_+", "_", kept).strip("_")
        if not base[:1].isalpha():
            base = f"label_{base}" if base else "label"
        candidate, number = base, 1
        while candidate in self._taken or not self._fits(candidate):
            number += 1
            candidate = f"{base}_{number}"
        return candidate


@overload
def names_file(path: Path, fmt: Literal["brat", "conll"]) -> Path: ...
@overload
def names_file(path: Path, fmt: str) -> Path | None: ...


def names_file(path: Path, fmt: str) -> Path | None:
    """Where an export at `path` (a brat folder or file of it, a CoNLL file) keeps its label names."""
    if fmt == "brat":
        return (path if path.is_dir() else path.parent) / BRAT_FILE
    if fmt == "conll":
        return path.with_name(path.name + CONLL_SUFFIX)
    return None


def restored(records: Iterator[DocumentRecord], path: Path, fmt: str) -> Iterator[DocumentRecord]:
    """The records with the original label names, when an export of ours left a names file beside them."""
    where = names_file(path, fmt)
    names = _load(where) if where is not None and where.is_file() else {}
    if not names:
        return records
    return (_renamed(record, names) for record in records)


def _renamed(record: DocumentRecord, names: dict[str, str]) -> DocumentRecord:
    if not any(span.label in names for span in record.spans):
        return record
    spans = tuple(replace(s, label=names.get(s.label, s.label)) for s in record.spans)
    return replace(record, spans=spans)


def is_names_file(path: Path) -> bool:
    """A regular file (not a link) that an export of ours wrote to keep its label names."""
    try:
        return path.is_file() and not path.is_symlink() and bool(_load(path, quiet=True))
    except AnnotatorError:  # not UTF-8, not readable: not a file we wrote
        return False


def _load(path: Path, *, quiet: bool = False) -> dict[str, str]:
    try:
        data = json.loads(decode_utf8(read_bytes(path), path))
        pairs = data[_MARK]
        if not isinstance(pairs, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in pairs.items()):
            raise TypeError
    except (ValueError, TypeError, KeyError) as e:
        if quiet:
            return {}
        raise ImportFormatError(
            f'expected {{"{_MARK}": {{"name in the file": "label name"}}}}', path=path,
            hint="this file maps the label names of an export back to the originals; fix or remove it",
        ) from e
    return pairs
