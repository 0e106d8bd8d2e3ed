"""Python str indices <-> Qt positions (annotator.gui.offsets), against what QTextDocument really does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("PySide6")

from annotator.gui.offsets import OffsetMap, display_text, qt_selected_text  # noqa: E402

pytestmark = pytest.mark.gui

PIECES = ["a", "Z", "ü", " ", "\t", ".", "\r\n", "\r", "\n", "\u2028", "\u2029", "\u00a0", "😀", "🇺🇦",
          "e\u0301", "\u0301", "👩\u200d👩\u200d👧", "ß", "ﬁ", "\u05e9\u05dc\u05d5\u05dd", "\ufeff", "𝔸"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def inside_crlf(text: str, index: int) -> bool:
    return 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n"


@given(texts)
def test_round_trip_python_qt_python_for_every_index(text: str) -> None:
    offsets = OffsetMap(text)
    assert offsets.qt_length == utf16_length(text) - text.count("\r\n")
    for index in range(len(text) + 1):
        back = offsets.to_py(offsets.to_qt(index))
        # the one index with no Qt position of its own (between CR and LF) goes past the line break
        assert back == (index + 1 if inside_crlf(text, index) else index)


@given(texts)
def test_qt_positions_are_monotonic_and_cover_the_document(text: str) -> None:
    offsets = OffsetMap(text)
    positions = [offsets.to_qt(i) for i in range(len(text) + 1)]
    assert positions == sorted(positions)
    assert positions[0] == 0 and positions[-1] == offsets.qt_length
    indices = [offsets.to_py(q) for q in range(offsets.qt_length + 1)]
    assert indices == sorted(indices)


@settings(max_examples=150)
@given(texts, st.data())
def test_selection_in_qt_is_the_python_slice(qapp: Any, text: str, data: st.DataObject) -> None:
    from PySide6.QtGui import QTextCursor, QTextDocument

    doc = QTextDocument()
    doc.setPlainText(display_text(text))
    offsets = OffsetMap(text)
    assert doc.characterCount() - 1 == offsets.qt_length
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    cursor = QTextCursor(doc)
    cursor.setPosition(offsets.to_qt(start))
    cursor.setPosition(offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
    # an end between CR and LF means the whole line break
    expected_end = end + 1 if inside_crlf(text, end) else end
    expected_start = start + 1 if inside_crlf(text, start) else start
    assert cursor.selectedText() == qt_selected_text(display_text(text)[expected_start:expected_end])
    assert offsets.to_py_range(cursor.selectionStart(), cursor.selectionEnd()) == (expected_start, expected_end)


def test_crlf_collapses_to_one_separator(qapp: Any) -> None:
    from PySide6.QtGui import QTextDocument

    text = "one\r\ntwo 🇺🇦 three\r\nfour"
    offsets = OffsetMap(text)
    doc = QTextDocument()
    doc.setPlainText(text)
    assert doc.blockCount() == 3
    four = text.index("four")
    assert offsets.to_qt(four) == doc.findBlockByNumber(2).position() == four - 2 + 2  # -2 CRLF, +2 flag halves
    assert offsets.to_py(doc.findBlockByNumber(2).position()) == four


def test_lone_surrogates_are_shown_one_for_one() -> None:
    text = "a\ud800b"
    assert display_text(text) == "a\ufffdb"
    assert OffsetMap(text).to_qt(3) == 3
    assert display_text("\ufeffBOM first") == "\u2060BOM first"


def test_a_megabyte_maps_quickly() -> None:
    import time

    text = ("Line with an emoji 😀 and a CRLF\r\n" * 30_000)[:1_000_000]
    began = time.perf_counter()
    offsets = OffsetMap(text)
    for i in range(0, len(text), 97):
        offsets.to_py(offsets.to_qt(i))
    elapsed = time.perf_counter() - began
    last = text.rindex("😀")
    assert offsets.to_py(offsets.to_qt(last)) == last
    print(f"1 MB map and {len(text) // 97} round trips: {elapsed * 1000:.0f} ms")
