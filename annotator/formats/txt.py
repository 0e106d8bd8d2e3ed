"""Plain text files: one document per file, the text exactly as in the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import decode_utf8, read_bytes

MAX_HEADLINE = 160


def read(path: Path) -> Iterator[DocumentRecord]:
    """The file as one document: title = its headline (a short first line) or else the file stem.

    CRLF, lone CR, tabs and every other character are kept; only a leading UTF-8 BOM is dropped.
    """
    text = decode_utf8(read_bytes(path), path)
    if not text.strip():
        raise ImportFormatError("the file is empty (no text to annotate)", path=path)
    yield DocumentRecord(text=text, title=headline(text) or printable(path.stem), source=path.name)


def headline(text: str) -> str:
    """The first line of an article when it reads as a headline: short and followed by more text."""
    first, _, rest = text.lstrip().partition("\n")
    first = first.strip()
    return first if first and len(first) <= MAX_HEADLINE and rest.strip() else ""
