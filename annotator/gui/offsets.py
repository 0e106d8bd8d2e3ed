"""The one place that converts between Python str indices and Qt text positions.

Spans are stored as Python indices (code points). Qt counts UTF-16 code units, and
`setPlainText` turns "\\r\\n" into ONE paragraph separator (a lone "\\r", "\\n", U+2029 and
U+FDD0/U+FDD1 also become separators, but one for one; U+2028 stays a character of its block).
So only two things shift positions: a character outside the BMP (+1 in Qt) and a CRLF pair
(-1 in Qt). The map keeps those points in two sorted arrays and answers with a bisection,
which stays fast on megabyte texts; a text with neither is the identity map.

An index between the CR and the LF of a pair has no Qt position of its own: it maps to the
position after the line break. A Qt position inside a surrogate pair maps to the index after
the character.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

_SHIFTS = re.compile("[\U00010000-\U0010ffff]|\r\n")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2029\ufdd0\ufdd1]")
QT_PARAGRAPH_SEPARATOR = "\u2029"


def display_text(text: str) -> str:
    """The text as handed to Qt, changed one character for one so that no offset moves.

    A lone surrogate (which a QString cannot hold) becomes U+FFFD; a leading U+FEFF, which the
    conversion to QString swallows as a byte-order mark, becomes U+2060 (also invisible).
    """
    if text.isascii():  # the common case, answered in C without a scan of the regex engine
        return text
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    if text.startswith("\ufeff"):
        text = "\u2060" + text[1:]
    return text


def qt_selected_text(text: str) -> str:
    """What `QTextCursor.selectedText()` gives for a piece of the display text: each line break is one U+2029."""
    return _LINE_BREAKS.sub(QT_PARAGRAPH_SEPARATOR, text)


class OffsetMap:
    """Python index <-> Qt position for one document text; build once per document."""

    __slots__ = ("_py_marks", "_qt_marks", "_deltas", "py_length", "qt_length")

    def __init__(self, text: str) -> None:
        # Each mark is the first Python index whose Qt position carries a new cumulative delta.
        py_marks = array("q")
        qt_marks = array("q")
        deltas = array("q")
        delta = 0
        # Most articles hold neither astral characters nor CRLF: isascii() answers in C for the commonest.
        shifting = not (text.isascii() and "\r\n" not in text)
        for match in _SHIFTS.finditer(text) if shifting else ():
            # An astral character is two code units in Qt; a CRLF is one separator.
            delta += 1 if match.end() - match.start() == 1 else -1
            mark = match.end()
            py_marks.append(mark)
            qt_marks.append(mark + delta)
            deltas.append(delta)
        self._py_marks = py_marks
        self._qt_marks = qt_marks
        self._deltas = deltas
        self.py_length = len(text)
        self.qt_length = len(text) + delta

    @property
    def is_identity(self) -> bool:
        return not self._deltas

    def to_qt(self, index: int) -> int:
        """Qt position of Python index `index` (clamped to the text)."""
        if not 0 <= index <= self.py_length:
            index = min(max(index, 0), self.py_length)
        if not self._deltas:
            return index
        i = bisect_right(self._py_marks, index) - 1
        if i < 0:
            return index
        return index + self._deltas[i]

    def to_py(self, position: int) -> int:
        """Python index of Qt position `position` (clamped to the document)."""
        if not 0 <= position <= self.qt_length:
            position = min(max(position, 0), self.qt_length)
        if not self._deltas:
            return position
        i = bisect_right(self._qt_marks, position) - 1
        if i < 0:
            return position
        return position - self._deltas[i]

    def to_qt_range(self, start: int, end: int) -> tuple[int, int]:
        return self.to_qt(start), self.to_qt(end)

    def to_py_range(self, start: int, end: int) -> tuple[int, int]:
        if start > end:
            start, end = end, start
        return self.to_py(start), self.to_py(end)
