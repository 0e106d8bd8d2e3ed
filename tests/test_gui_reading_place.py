"""Where a document opens: at its top the first time, where the annotator left it after that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import ALT, SHIFT, add_documents, key  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402

pytestmark = pytest.mark.gui

PARAGRAPH = ("More than 12,000 residents have left the river port of Velmora since Monday, the regional "
             "emergency service said on Wednesday, as the water kept rising by about three centimetres an hour. ")


def article_text(n: int) -> str:
    body = "\n\n".join(f"Paragraph {i} of article {n}. " + PARAGRAPH * 2 for i in range(40))
    return f"Headline of article {n}: evacuation continues in Velmora\n\n{body}\n"


@pytest.fixture
def long_docs(gui_ws: Any, tmp_path: Path) -> list[int]:
    return add_documents(gui_ws, tmp_path / "long", [article_text(n) for n in range(3)])


def top_line(window: Any) -> tuple[int, str]:
    """Where the line at the top of the article's viewport starts, and its text, as the reader sees it."""
    cursor = window.article.cursorForPosition(QPoint(0, 2))
    cursor.movePosition(QTextCursor.MoveOperation.StartOfLine)
    start = cursor.position()
    cursor.movePosition(QTextCursor.MoveOperation.EndOfLine, QTextCursor.MoveMode.KeepAnchor)
    return start, cursor.selectedText()


def text_at(window: Any, position: int, length: int) -> str:
    return window.article.document().toPlainText()[position : position + length]


def first_visible_line(window: Any) -> str:
    return top_line(window)[1]


def view(window: Any) -> tuple[int, int, int, int]:
    """The document, where its top visible line starts, the selection's anchor and the caret (Qt positions).

    Not the line's text: a window reopened at another width wraps the same place differently."""
    cursor = window.article.textCursor()
    return (window.session.document_id, top_line(window)[0], cursor.anchor(), cursor.position())


def test_a_document_opened_for_the_first_time_shows_its_headline(qtbot: Any, gui_ws: Any, long_docs: list[int],
                                                                  open_window: Any) -> None:
    window = open_window(gui_ws)
    assert window.session.document_id == long_docs[0]
    assert first_visible_line(window) == "Headline of article 0: evacuation continues in Velmora"
    assert window.article.verticalScrollBar().value() == 0
    assert window.article.textCursor().position() == 0

    key(qtbot, window, Qt.Key.Key_PageDown, times=2)
    key(qtbot, window, Qt.Key.Key_Right, ALT)  # a fresh document: its top, not the last one's scroll
    assert window.session.document_id == long_docs[1]
    assert first_visible_line(window) == "Headline of article 1: evacuation continues in Velmora"
    assert window.article.textCursor().position() == 0


def test_a_document_opened_again_returns_to_the_caret_and_scroll_left(qtbot: Any, gui_ws: Any,
                                                                      long_docs: list[int],
                                                                      open_window: Any) -> None:
    window = open_window(gui_ws)
    key(qtbot, window, Qt.Key.Key_PageDown, times=3)
    key(qtbot, window, Qt.Key.Key_Down, times=2)
    key(qtbot, window, Qt.Key.Key_Right, SHIFT, times=5)  # a selection, so that its anchor counts too
    left = view(window)
    assert left[1] > 1000 and left[3] - left[2] == 5 and left[3] > 1000  # well down the article

    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert first_visible_line(window).startswith("Headline of article 1")
    key(qtbot, window, Qt.Key.Key_PageDown)
    second = view(window)
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    assert view(window) == left

    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert view(window) == second
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    window.close()

    reopened = open_window(gui_ws)  # the same settings file: a new start of the program
    assert view(reopened) == left
    assert top_line(reopened)[1].startswith(text_at(reopened, left[1], 20).split("\n")[0])
    key(qtbot, reopened, Qt.Key.Key_Right, ALT)
    assert view(reopened) == second
