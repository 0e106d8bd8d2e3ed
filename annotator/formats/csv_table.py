"""CSV and TSV tables: one document per row, from a text column; a title column and the rest go along."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import iter_lines

TEXT_COLUMNS = ("text", "content", "body", "article")
TITLE_COLUMNS = ("title", "headline")
# Articles are long: the csv module's default limit (128 KiB) is lifted.
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def read(
    path: Path,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    delimiter: str | None = None,
) -> Iterator[DocumentRecord]:
    """One document per row. The text column is `text_column`, else the first of text, content, body,
    article (any case); the title column is `title_column`, else title or headline; every other column
    goes into meta. Quoted fields keep their line breaks exactly (CRLF included).
    """
    csv.field_size_limit(_FIELD_LIMIT)
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    lines = _LineCounter(iter_lines(path, split_lone_cr=True))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header = _next_row(reader, lines, path)
    if header is None:
        raise ImportFormatError("the file is empty (expected a header row naming the columns)", path=path)
    text_at = _column(header, text_column, TEXT_COLUMNS, path, kind="text", required=True)
    title_at = _column(header, title_column, TITLE_COLUMNS, path, kind="title", required=False)
    assert text_at is not None
    while True:
        row = _next_row(reader, lines, path)
        if row is None:
            return
        line = lines.row_start
        if not row or row == [""]:
            continue
        if len(row) != len(header):
            raise ImportFormatError(
                f"expected {len(header)} columns as in the header, found {len(row)}", path=path, line=line,
                hint="a field that holds the delimiter or a line break must be in double quotes",
            )
        text = row[text_at]
        if not text.strip():
            raise ImportFormatError("the text is empty", path=path, line=line, field=header[text_at])
        meta = {name: value for i, (name, value) in enumerate(zip(header, row, strict=True))
                if i not in (text_at, title_at)}
        title = row[title_at] if title_at is not None and row[title_at] else None
        yield DocumentRecord(text=text, title=title, source=path.name, meta=meta, line=line)


class _LineCounter:
    """Feeds lines to the csv reader and remembers on which line the current row began."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.line = 0
        self.row_start = 0
        self.fresh_row = True

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        self.line, text = next(self._lines)
        if self.fresh_row:
            self.row_start = self.line
            self.fresh_row = False
        return text


def _next_row(reader: Iterator[list[str]], lines: _LineCounter, path: Path) -> list[str] | None:
    lines.fresh_row = True
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as e:
        raise ImportFormatError(f"is not valid CSV: {e}", path=path, line=lines.row_start or None,
                                hint="check the quotes of this row") from e


def _column(header: list[str], wanted: str | None, defaults: tuple[str, ...], path: Path, *, kind: str,
            required: bool) -> int | None:
    folded = [name.strip().casefold() for name in header]
    for name in (wanted,) if wanted else defaults:
        if name.casefold() in folded:
            return folded.index(name.casefold())
    if wanted or required:
        expected = f'"{wanted}"' if wanted else "one of " + ", ".join(defaults)
        raise ImportFormatError(
            f"no {kind} column: expected {expected}; the columns are: {', '.join(header)}", path=path, line=1,
            hint=f"name the {kind} column with --{kind}-column NAME",
        )
    return None
