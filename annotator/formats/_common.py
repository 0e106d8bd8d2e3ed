"""What the format modules share: exact UTF-8 decoding, streamed JSON, span checks and atomic writes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from annotator.domain.records import LONE_SURROGATE, DocumentRecord, SpanRecord
from annotator.domain.spans import brief, check_bounds
from annotator.errors import (
    ExportError,
    ImportFormatError,
    MissingFileError,
    NotRegularFileError,
    SpanRuleError,
)

BOM = "\ufeff"
_BOM_BYTES = BOM.encode("utf-8")
UTF8_HINT = "save the file as UTF-8 and import it again"
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a file"), (stat.S_ISLNK, "a symbolic link"),
          (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """What a file-system entry is, for messages."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_regular(path: Path, mode: int) -> NotRegularFileError:
    return NotRegularFileError(f"is {kind_of(mode)}, not a regular file; it was not opened", path=path,
                               hint="import regular files only (a pipe or a device may never end)")


def require_regular_file(path: Path, *, folder_ok: bool = False) -> None:
    """Refuse a FIFO, a device or a socket before anything opens it: reading one may block or never end."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as e:
        raise MissingFileError("no such file or folder", path=path) from e
    except OSError as e:
        raise ImportFormatError(f"cannot be read: {e.strerror or e}", path=path) from e
    if stat.S_ISREG(mode) or (folder_ok and stat.S_ISDIR(mode)):
        return
    if stat.S_ISDIR(mode):
        raise ImportFormatError("is a folder, expected a file", path=path)
    raise not_regular(path, mode)


def read_bytes(path: Path) -> bytes:
    """The whole file, with a clear error when it is missing, not a regular file or cannot be read."""
    require_regular_file(path)
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise MissingFileError("no such file", path=path) from e
    except IsADirectoryError as e:
        raise ImportFormatError("is a folder, expected a file", path=path) from e
    except OSError as e:
        raise ImportFormatError(f"cannot be read: {e.strerror or e}", path=path) from e


def decode_utf8(data: bytes, path: Path, *, keep_bom: bool = False) -> str:
    """Decode UTF-8 exactly (no newline or Unicode normalisation); a leading BOM is dropped unless kept."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ImportFormatError(
            f"is not valid UTF-8: byte {e.start} (0x{data[e.start]:02x}) cannot be decoded",
            path=path, line=line, hint=UTF8_HINT,
        ) from e
    if not keep_bom and text.startswith(BOM):
        text = text[1:]
    return text


def iter_lines(path: Path, *, split_lone_cr: bool = False) -> Iterator[tuple[int, str]]:
    """Each line of a UTF-8 file, line ending kept, numbered from 1; a leading BOM is dropped.

    Reads line by line, so a file of any size streams. Lines end at "\\n" only, unless `split_lone_cr`
    also ends them at a "\\r" that no "\\n" follows (old Mac files, for the csv module).
    """
    require_regular_file(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError as e:
        raise MissingFileError("no such file", path=path) from e
    except OSError as e:
        raise ImportFormatError(f"cannot be read: {e.strerror or e}", path=path) from e
    with handle:
        offset = 0
        lineno = 1
        for raw in handle:
            start = offset
            offset += len(raw)
            if start == 0 and raw.startswith(_BOM_BYTES):
                raw = raw[len(_BOM_BYTES) :]
                start += len(_BOM_BYTES)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ImportFormatError(
                    f"is not valid UTF-8: byte {start + e.start} (0x{raw[e.start]:02x}) cannot be decoded",
                    path=path, line=lineno, hint=UTF8_HINT,
                ) from e
            if split_lone_cr and "\r" in line:
                for piece in _LONE_CR.split(line):
                    if piece:
                        yield lineno, piece
                        lineno += 1
            else:
                yield lineno, line
                lineno += 1


def type_name(value: object) -> str:
    """How JSON would call the type of `value`, for messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number" if isinstance(value, int | float) else type(value).__name__


def require_object(value: object, path: Path, line: int | None, what: str, field: str | None = None) -> dict:
    if not isinstance(value, dict):
        raise ImportFormatError(f"expected {what}, found {type_name(value)}", path=path, line=line, field=field)
    return value


def require_text(record: dict, key: str, path: Path, line: int | None, field: str | None = None) -> str:
    """The document text under `key`, which must be there and be a string (kept exactly)."""
    name = field or key
    if key not in record:
        raise ImportFormatError(f'missing "{key}": every record needs the document text', path=path, line=line,
                                field=name)
    text = record[key]
    if not isinstance(text, str):
        raise ImportFormatError(f"the text must be a string, found {type_name(text)}", path=path, line=line,
                                field=name)
    return text


def make_span(
    text: str,
    start: object,
    end: object,
    label: object,
    *,
    path: Path,
    line: int | None,
    field: str,
    keys: tuple[str, str, str] | None = ("start", "end", "label"),
    expected_text: object = None,
) -> SpanRecord:
    """A checked span: whole-number offsets inside the text, a label, and the span text if the file gives it.

    `field` names the span in messages (`spans[2]`); `keys` the names of its start, end and label fields,
    or None when the span is a bare [start, end, label] list.
    """
    # The common case first, checked cheaply: a file may hold millions of spans.
    if not (type(start) is int and type(end) is int and type(label) is str and label.strip()
            and 0 <= start < end <= len(text)):
        start, end, label = _slow_checked(text, start, end, label, path=path, line=line, field=field, keys=keys)
    if isinstance(expected_text, str) and text[start:end] != expected_text:
        raise ImportFormatError(
            f"the span text {brief(expected_text)} is not the text at [{start}:{end}], which is {brief(text[start:end])}",
            path=path, line=line, field=f"{field}.text",
            hint="offsets must count characters (code points), not bytes or UTF-16 units",
        )
    return SpanRecord(start, end, label)


def _slow_checked(text: str, start: object, end: object, label: object, *, path: Path, line: int | None,
                  field: str, keys: tuple[str, str, str] | None) -> tuple[int, int, str]:
    """Raise the ImportFormatError that names what is wrong with a span; one that passes (an offset or label of
    a subclass of int or str) comes back as it was."""
    names = [f"{field}.{key}" if keys else field for key in (keys or ("", "", ""))]
    start, end = _offset(start, names[0], path, line), _offset(end, names[1], path, line)
    if not isinstance(label, str) or not label.strip():
        raise ImportFormatError(f"the label must be a non-empty string, found {brief(label)}", path=path, line=line,
                                field=names[2])
    try:
        check_bounds(len(text), start, end)
    except SpanRuleError as e:
        raise ImportFormatError(e.message, path=path, line=line, field=field, hint=e.hint) from e
    return start, end, label


def _offset(value: object, name: str, path: Path, line: int | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ImportFormatError(f"an offset must be a whole number, found {brief(value)}", path=path, line=line,
                                field=name, hint="offsets count characters from 0")
    return value


def write_jsonl(records: Iterable[DocumentRecord], out: Path, to_json: Callable[[DocumentRecord], dict]) -> int:
    """One JSON object per record and line (UTF-8, not ASCII-escaped), atomically; the number written."""
    count = 0
    with atomic_text_file(out) as handle:
        for record in records:
            count += 1
            handle.write(strict_json(to_json(record), record, count) + "\n")
    return count


def strict_json(value: object, record: DocumentRecord, number: int) -> str:
    """`value` as JSON that every reader takes: NaN and Infinity (which json.dumps writes by default, and
    which no JSON parser but Python's reads) stop the export with the document's name instead."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError as e:
        raise ExportError(f"{document_name(record, number)}: its meta holds NaN or Infinity, which JSON cannot "
                          "hold; nothing was written", hint="replace the value in the database first") from e
    # A lone surrogate (in meta a database took before imports refused them) cannot be written as UTF-8; as a
    # \u escape it is still JSON, and reads back as it was.
    return json.dumps(value, allow_nan=False) if LONE_SURROGATE.search(text) else text


def document_name(record: DocumentRecord, number: int) -> str:
    """How a writer names a document in its messages."""
    return record.title or record.source or f"document {number}"


def _file_mode(directory: bool) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


@contextlib.contextmanager
def atomic_text_file(out: Path) -> Iterator[TextIO]:
    """A UTF-8 file that appears at `out` only when the block ends without an error.

    Written to a temporary file in the same folder, then moved into place with `os.replace`; newlines are
    written as given.
    """
    if not out.parent.is_dir():
        raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise ExportError(f"cannot write {out}: it is a folder", hint="give a file name")
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode(directory=False))
        os.replace(tmp, out)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {e.strerror or e}") from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A folder that appears at `out` only when the block ends without an error.

    `out` must not exist or be an empty folder: an export never mixes its files with others.
    """
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"cannot write the folder {out}: a file has that name")
        if any(out.iterdir()):
            raise ExportError(f"the folder {out} is not empty; nothing was written",
                              hint="choose a new or empty folder")
    if not out.parent.is_dir():
        raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part"))
    try:
        yield tmp
        os.chmod(tmp, _file_mode(directory=True))
        if out.exists():
            out.rmdir()
        os.rename(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"cannot write {out}: {e.strerror or e}") from e
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
