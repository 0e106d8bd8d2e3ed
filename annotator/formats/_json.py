"""JSON read as a stream: JSON Lines, pretty-printed values one after another, or one top-level array."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.errors import ImportFormatError, NumberTooLongError, TooDeepError
from annotator.formats._common import iter_lines

# A JSON string cannot hold a raw line break, so strings can be cut out line by line before counting brackets.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_MAX_PENDING_CHARS = 64 * 1024 * 1024


def iter_json_values(path: Path) -> Iterator[tuple[int, Any]]:
    """Each JSON value of a file with the line it starts on, read line by line.

    Takes JSON Lines, values pretty-printed over several lines one after another (doccano's export
    example), and one top-level array, whose items are yielded one by one. A value is decoded once the
    brackets opened since the last complete value are closed, so nothing is parsed twice.
    """
    decoder = json.JSONDecoder()
    pending: list[str] = []
    pending_chars = 0
    first_line = 0
    depth = 0
    in_array: bool | None = None
    array_closed = False
    for lineno, line in iter_lines(path):
        if in_array is None:
            stripped = line.lstrip()
            if not stripped:
                continue
            in_array = stripped.startswith("[")
            if in_array:
                line = line.replace("[", " ", 1)  # a space keeps the columns of the line as they were
        if array_closed:
            if line.strip():
                raise ImportFormatError("unexpected text after the closing ] of the JSON array", path=path,
                                        line=lineno)
            continue
        if not pending:
            bare = line.strip()
            if not bare or (in_array and bare == ","):
                continue
            if not in_array:
                try:  # the common case, one value per line
                    value = json.loads(bare)
                except json.JSONDecodeError:
                    pass
                except (RecursionError, ValueError) as e:
                    raise _unreadable(e, path, lineno) from None
                else:
                    yield lineno, value
                    continue
            first_line = lineno
        depth += _bracket_balance(line, path, lineno)
        pending.append(line)
        pending_chars += len(line)
        # A broken JSON Lines record is decoded at once, rather than swallowing the lines after it.
        whole_line_object = len(pending) == 1 and line.strip().rstrip(",").endswith("}") and line.lstrip().startswith("{")
        if depth <= 0 or whole_line_object:
            for value_line, value, closed in _drain("".join(pending), first_line, in_array, decoder, path):
                if closed:
                    array_closed = True
                else:
                    yield value_line, value
            pending.clear()
            pending_chars = depth = 0
        elif pending_chars > _MAX_PENDING_CHARS:
            raise ImportFormatError(f"a JSON value starting here is not closed after {len(pending)} lines",
                                    path=path, line=first_line)
    if pending:
        for _ in _drain("".join(pending), first_line, in_array, decoder, path):
            pass
        raise ImportFormatError("the JSON value starting here is not closed before the end of the file",
                                path=path, line=first_line)
    if in_array and not array_closed:
        raise ImportFormatError("the JSON array is not closed: the file ends before its ]", path=path)


def _bracket_balance(line: str, path: Path, lineno: int) -> int:
    bare = _JSON_STRING.sub("", line)
    if '"' in bare:
        raise ImportFormatError("invalid JSON: a string is not closed on its line", path=path, line=lineno)
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


def _drain(
    buf: str, first_line: int, in_array: bool | None, decoder: json.JSONDecoder, path: Path
) -> Iterator[tuple[int, Any, bool]]:
    """The complete values in `buf`; (line, None, True) when the top-level array's ] is reached."""
    skip = re.compile(r"[\s,]*" if in_array else r"\s*")
    pos = 0
    line = first_line
    while True:
        skipped = skip.match(buf, pos)
        assert skipped is not None  # both patterns match the empty string
        new_pos = skipped.end()
        line += buf.count("\n", pos, new_pos)
        pos = new_pos
        if pos >= len(buf):
            return
        if in_array and buf[pos] == "]":
            if buf[pos + 1 :].strip():
                raise ImportFormatError("unexpected text after the closing ] of the JSON array", path=path,
                                        line=line)
            yield line, None, True
            return
        try:
            value, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as e:
            # A value cut off by the end of the file fails past its last character: name that line.
            bad_at = max(pos, min(e.pos, len(buf.rstrip()) - 1))
            bad_line = line + buf.count("\n", pos, bad_at)
            raise ImportFormatError(f"invalid JSON: {e.msg}", path=path, line=bad_line,
                                    hint="each record must be one complete JSON value") from e
        except (RecursionError, ValueError) as e:
            raise _unreadable(e, path, line) from None
        yield line, value, False
        line += buf.count("\n", pos, end)
        pos = end


def _unreadable(error: RecursionError | ValueError, path: Path, line: int) -> ImportFormatError:
    """The coded error for valid-looking JSON that Python's parser still cannot take in.

    Raised `from None`: a RecursionError's chain is thousands of frames long and says nothing more.
    """
    if isinstance(error, RecursionError):
        return TooDeepError("the JSON value starting here is nested too deeply to read", path=path, line=line,
                            hint="records are objects holding arrays of spans, a few levels deep")
    # json raises a bare ValueError (not JSONDecodeError) for nothing but a number over Python's digit limit.
    return NumberTooLongError(
        f"a number in the JSON value starting here has more than {sys.get_int_max_str_digits()} digits",
        path=path, line=line, hint="offsets and other numbers must be ordinary whole numbers",
    )
