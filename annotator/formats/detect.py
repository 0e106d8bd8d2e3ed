"""Which format a file or folder is in, from its extension and a look at its first record."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.domain.names import printable
from annotator.errors import (
    ImportFormatError,
    LinkLoopError,
    MissingFileError,
    NotRegularFileError,
    UnknownFormatError,
    UnreadableEntryError,
    UsageError,
)
from annotator.formats._common import not_regular, require_regular_file
from annotator.formats._json import iter_json_values
from annotator.formats.labelstudio import is_json_min

READ_FORMATS = ("txt", "html", "csv", "prodigy", "spacy_json", "doccano", "labelstudio", "brat", "conll")
WRITE_FORMATS = ("prodigy", "doccano", "labelstudio", "brat", "conll")
# "spacy" (.spacy DocBin files) is detected here but read by annotator.nlp.
DETECTED_FORMATS = (*READ_FORMATS, "spacy")

SUFFIXES: dict[str, tuple[str, ...]] = {
    "txt": (".txt",),
    "html": (".html", ".htm"),
    "csv": (".csv", ".tsv"),
    "prodigy": (".jsonl", ".json"),
    "spacy_json": (".json",),
    "doccano": (".jsonl", ".json"),
    "labelstudio": (".json", ".jsonl"),
    "brat": (".txt",),
    "conll": (".conll", ".iob", ".bio", ".txt"),
    "spacy": (".spacy",),
}
_BY_SUFFIX = {
    ".html": "html", ".htm": "html", ".csv": "csv", ".tsv": "csv", ".conll": "conll", ".iob": "conll",
    ".bio": "conll", ".spacy": "spacy", ".ann": "brat",
}
_CONLL_LINE = re.compile(r"^(?:-DOCSTART-.*|\S+(?:[ \t]+\S+)*[ \t]+(?:O|[BIESLU]-\S+))[ \t]*\r?$")
_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 50
_FORMAT_HINT = "name the format: " + ", ".join(DETECTED_FORMATS)


def detect_format(path: Path) -> str:
    """The format name of a file or folder; UnknownFormatError (naming it) when it cannot be told.

    A folder is "brat" when it holds .ann files, else "txt" for its .txt files, else "spacy" for .spacy shards. JSON files are told apart
    by their first record: `spans` -> prodigy; `label`/`entities` -> doccano; a task with `data` and
    `annotations`/`predictions`, or a Label Studio JSON_MIN record -> labelstudio; `[text, {"entities": ...}]`
    or a spaCy v2 document with `paragraphs` -> spacy_json.
    """
    path = Path(path)
    require_regular_file(path, folder_ok=True)
    if path.is_dir():
        files = list(walk(path))
        if any(f.suffix.lower() == ".ann" for f in files):
            return "brat"
        if any(f.suffix.lower() == ".txt" for f in files):
            return "txt"
        if any(f.suffix.lower() == ".spacy" for f in files):
            return "spacy"  # a sharded export: train.spacy/ holding 00000.spacy, 00001.spacy, ...
        raise UnknownFormatError("the folder holds no .txt, brat .ann or .spacy files", path=path, hint=_FORMAT_HINT)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        return _sniff_json(path, suffix)
    if suffix == ".txt":
        if path.with_suffix(".ann").is_file():
            return "brat"
        return "conll" if _looks_like_conll(path) else "txt"
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    raise UnknownFormatError(
        f"cannot tell the format of this file from its extension ({suffix or 'none'})", path=path, hint=_FORMAT_HINT
    )


def iter_input_files(paths: Iterable[Path | str], fmt: str | None = "auto",
                     skipped: list[ImportFormatError] | None = None) -> Iterator[tuple[Path, str]]:
    """Each input to read, with its format: (path, format) pairs.

    A folder of brat pairs is one input (the folder, "brat"); any other folder gives its files of the
    format, found recursively and in name order (hidden files left out). `fmt` "auto" (or None) detects
    the format of each path; a named format is taken as given. A FIFO, device or socket given as a path
    is refused before it is opened (NotRegularFileError); what a folder walk leaves out (a folder reached
    again through a link, a pipe or device with the format's extension, a link to nothing) is appended
    to `skipped`.
    """
    for raw in paths:
        path = Path(raw)
        require_regular_file(path, folder_ok=True)
        chosen = detect_format(path) if fmt in (None, "auto") else fmt
        if chosen not in DETECTED_FORMATS:
            raise UsageError(f'unknown format "{chosen}"', hint=_FORMAT_HINT)
        if not path.is_dir() or chosen == "brat":
            yield path, chosen
            continue
        left_out: list[ImportFormatError] = []
        found = [f for f in walk(path, left_out) if f.suffix.lower() in SUFFIXES[chosen]]
        if skipped is not None:
            # A pipe or device is worth a word only where a file of this format was expected.
            skipped.extend(e for e in left_out if not isinstance(e, NotRegularFileError)
                           or (e.path is not None and e.path.suffix.lower() in SUFFIXES[chosen]))
        if not found:
            wanted = " or ".join(SUFFIXES[chosen])
            raise ImportFormatError(f"the folder holds no {wanted} files to read as {chosen}", path=path)
        for file in found:
            yield file, chosen


def walk(folder: Path, skipped: list[ImportFormatError] | None = None) -> Iterator[Path]:
    """The regular files under `folder`, recursively, in name order, without hidden files or folders.

    Links are followed, but each folder is read once (by device and inode), so a link loop ends; the
    folders not read again, and the entries that are neither files nor folders, are appended to `skipped`.
    """
    try:
        info = folder.stat()
    except OSError as e:
        raise ImportFormatError(f"the folder cannot be read: {e.strerror or e}", path=folder) from e
    yield from _walk(folder, {(info.st_dev, info.st_ino): folder}, [] if skipped is None else skipped)


def _walk(folder: Path, seen: dict[tuple[int, int], Path], skipped: list[ImportFormatError]) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise ImportFormatError(f"the folder cannot be read: {e.strerror or e}", path=folder) from e
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            info = entry.stat()  # follows links
        except OSError as e:
            skipped.append(UnreadableEntryError(f"cannot be read ({e.strerror or e})", path=entry))
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen:
                skipped.append(LinkLoopError(f"leads to the folder {printable(str(seen[key]))}, which is read once", path=entry,
                                             hint="a symbolic link leads back to it; each folder is read once"))
                continue
            seen[key] = entry
            yield from _walk(entry, seen, skipped)
        elif stat.S_ISREG(info.st_mode):
            yield entry
        else:
            skipped.append(not_regular(entry, info.st_mode))


def classify_record(value: object, *, strict: bool) -> str | None:
    """The format a first JSON record belongs to, or None. `strict` (for .json) wants span-like keys."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return "spacy_json"
    if not isinstance(value, dict):
        return None
    if "paragraphs" in value:  # spaCy v2 corpus JSON (doccano-transformer, spaCy's docs_to_json)
        return "spacy_json"
    if "data" in value or "annotations" in value or "predictions" in value or is_json_min(value):
        return "labelstudio"
    if "result" in value and "text" not in value:
        return "labelstudio"
    if "spans" in value:
        return "prodigy"
    if "entities" in value or "column_data" in value or isinstance(value.get("label"), list):
        return "doccano"
    if "text" in value and not strict:
        return "prodigy"
    return None


def _sniff_json(path: Path, suffix: str) -> str:
    fallback = "prodigy" if suffix == ".jsonl" else "labelstudio"
    try:
        first = next(iter(iter_json_values(path)), None)
    except MissingFileError:
        raise
    except ImportFormatError:
        # Broken JSON: the reader of the usual format for this extension reports the line.
        return fallback
    if first is None:
        return fallback
    found = classify_record(first[1], strict=suffix == ".json")
    if found is None:
        raise UnknownFormatError(
            f"line {first[0]}: the first record is not a document of a known format "
            "(expected prodigy, doccano, Label Studio JSON or JSON_MIN, or spaCy v2 JSON records)",
            path=path, hint=_FORMAT_HINT,
        )
    return found


def _looks_like_conll(path: Path) -> bool:
    """True when the first lines of a .txt are `token ... TAG` lines with IOB tags, as in CoNLL files."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split("\n")
    if len(head) == _SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut off
    content = [line for line in lines if line.strip()][:_SNIFF_LINES]
    tokens = [line for line in content if not line.startswith("-DOCSTART-")]
    return bool(tokens) and all(_CONLL_LINE.match(line) for line in content)
