"""Plain text files: one document per file, the text exactly as in the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import decode_utf8, read_bytes


def read(path: Path) -> Iterator[DocumentRecord]:
    """The file as one document: title = file stem, source = file name.

    CRLF, lone CR, tabs and every other character are kept; only a leading UTF-8 BOM is dropped.
    """
    text = decode_utf8(read_bytes(path), path)
    if not text.strip():
        raise ImportFormatError("the file is empty (no text to annotate)", path=path)
    yield DocumentRecord(text=text, title=path.stem, source=path.name)
