"""The article: read-only plain text, a centred reading column, spans as character formats.

The view speaks Python indices to the rest of the window; it converts through the session's
OffsetMap (annotator.gui.offsets) and nowhere else.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QHelpEvent,
    QKeyEvent,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QPlainTextDocumentLayout, QPlainTextEdit, QToolTip, QWidget

from annotator.domain.documents import Changes, Document
from annotator.domain.spans import Span
from annotator.gui.offsets import display_text
from annotator.gui.session import DocumentSession
from annotator.gui.widgets.highlighter import DARK_INK, DARK_PAPER, INK, PAPER, SpanHighlighter

READING_FAMILIES = ("Charter", "Georgia", "Source Serif 4", "Source Serif Pro", "Literata", "Noto Serif",
                    "PT Serif", "Cambria", "DejaVu Serif")
READING_POINT_SIZE = 13.5
COLUMN_CHARACTERS = 80
DOCUMENT_MARGIN = 28.0


def reading_font(family: str = "", point_size: float = READING_POINT_SIZE) -> QFont:
    """`family` when it is installed, else the first of READING_FAMILIES found, else the system font."""
    families = set(QFontDatabase.families())
    chosen = family if family in families else next((f for f in READING_FAMILIES if f in families), None)
    font = QFont(chosen) if chosen else QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


class ArticleView(QPlainTextEdit):
    selection_changed = Signal(int, int)  # Python indices; equal when there is only the caret
    relabel_requested = Signal(int, str)  # span id, label
    remove_requested = Signal(int)  # span id
    help_requested = Signal()  # "?" typed, where the platform did not map Shift+/ to the "?" shortcut

    def __init__(self, session: DocumentSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._highlighter = SpanHighlighter(session.overlapping)
        self._highlighter.set_labels(session.labels)
        self.setObjectName("article")
        self.setReadOnly(True)
        # Read-only, yet the caret is shown and moves with the keyboard (Shift+arrows select).
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                     | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setTabChangesFocus(False)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.setCursorWidth(2)
        self.setFont(reading_font())
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._dark: bool | None = None
        self.set_dark(False)
        self.setPlaceholderText("No document is open. Import articles with File ▸ Import files…")
        self._install(self._new_document(""))
        self.cursorPositionChanged.connect(self._on_self_cursor_position_changed)
        self.selectionChanged.connect(self._on_self_cursor_position_changed)

    # -- the document ------------------------------------------------------------------------------
    def _new_document(self, text: str) -> QTextDocument:
        # Everything that re-lays out or re-formats is set before the text and the highlighter arrive.
        doc = QTextDocument(self)
        doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(DOCUMENT_MARGIN)
        doc.setUndoRedoEnabled(False)
        doc.setPlainText(text)  # plain text only, never HTML
        return doc

    def _install(self, doc: QTextDocument) -> None:
        old, self._doc = getattr(self, "_doc", None), doc
        self.setDocument(doc)  # Qt deletes the editor's own first document; ours we delete
        if old is not None:
            old.deleteLater()

    def show_document(self, document: Document) -> None:
        """Lay out a new text: it is set on a fresh QTextDocument, formatted once, then shown."""
        doc = self._new_document(display_text(document.text))
        self._highlighter.set_labels(self._session.labels)
        self._highlighter.load(doc, self._session.spans, self._session.offsets)
        self._install(doc)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self._update_margins()

    def show_labels(self) -> None:
        """Re-format the open text after the label set changed (renamed, recoloured, deleted labels)."""
        self._highlighter.set_labels(self._session.labels)
        doc = self._highlighter.document()
        if doc is not None:
            self._highlighter.load(doc, self._session.spans, self._session.offsets)
        self.viewport().update()

    def on_changes(self, changes: Changes) -> None:
        if self._session.document_id in changes.documents and (changes.spans_added or changes.spans_removed):
            added = [self._session.span(i) for i in changes.spans_added]
            self._highlighter.follow(changes.spans_removed, [s for s in added if s is not None])
            self.viewport().update()

    # -- selection in Python indices ---------------------------------------------------------------
    def selection(self) -> tuple[int, int]:
        cursor = self.textCursor()
        return self._session.offsets.to_py_range(cursor.selectionStart(), cursor.selectionEnd())

    def caret(self) -> int:
        return self._session.offsets.to_py(self.textCursor().position())

    def select_range(self, start: int, end: int, *, centre: bool = True) -> None:
        offsets = self._session.offsets
        cursor = self.textCursor()
        cursor.setPosition(offsets.to_qt(start))
        cursor.setPosition(offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        if centre:
            self.centerCursor()
        self.ensureCursorVisible()

    def find_text(self, text: str, *, from_start: bool) -> bool:
        """Select the next case-insensitive match (from the top, or after the selection); wraps around."""
        if not text:
            return False
        doc = self.document()
        start = QTextCursor(doc) if from_start else self.textCursor()
        found = doc.find(text, start)
        if found.isNull() and not from_start:
            found = doc.find(text, QTextCursor(doc))
        if found.isNull():
            return False
        self.setTextCursor(found)
        self.ensureCursorVisible()
        return True

    # -- look and layout ---------------------------------------------------------------------------
    def set_reading_font(self, family: str, point_size: float) -> None:
        self.setFont(reading_font(family, point_size))
        self.document().setDefaultFont(self.font())
        self._update_margins()  # the column is about 80 characters of the new font

    def set_dark(self, dark: bool) -> None:
        if dark == self._dark:
            return
        self._dark = dark
        paper, ink = (DARK_PAPER, DARK_INK) if dark else (PAPER, INK)
        self.setStyleSheet(f"ArticleView {{ background: {paper.name()}; color: {ink.name()}; }}")
        self._highlighter.set_paper(paper)
        self.viewport().update()

    def column_width(self) -> int:
        return self.fontMetrics().averageCharWidth() * COLUMN_CHARACTERS + int(2 * DOCUMENT_MARGIN)

    def _update_margins(self) -> None:
        # Viewport margins keep a column of about 80 characters centred, whatever the window width.
        spare = self.width() - self.column_width() - self.verticalScrollBar().sizeHint().width()
        side = max(0, spare // 2)
        self.setViewportMargins(side, 0, side, 0)

    # The side margins follow the width; they must not feed back into the size the layout asks for.
    def sizeHint(self) -> QSize:
        return QSize(self.column_width() + self.verticalScrollBar().sizeHint().width(), 600)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 200)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._update_margins()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Spans are formatted as their blocks come into view: opening a long article stays cheap.
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        bottom = self.viewport().height()
        while block.isValid() and self.blockBoundingGeometry(block).translated(offset).top() <= bottom:
            self._highlighter.ensure(block)
            block = block.next()
        super().paintEvent(event)

    # -- hover, context menu -----------------------------------------------------------------------
    def _spans_at_point(self, point: QPoint) -> list[Span]:
        position = self.cursorForPosition(point).position()
        index = self._session.offsets.to_py(position)
        rect = self.cursorRect(self.cursorForPosition(point))
        # cursorForPosition rounds to the nearest gap: use the character on the side the mouse is on.
        if point.x() < rect.x() and index > 0:
            index -= 1
        return self._session.spans_at(index)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            spans = self._spans_at_point(event.pos())
            if spans:
                QToolTip.showText(event.globalPos(), " ⊂ ".join(s.label for s in spans), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        spans = self._spans_at_point(event.pos())
        menu = self.span_menu(spans) if spans else self.createStandardContextMenu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def span_menu(self, spans: list[Span]) -> QMenu:
        """Relabel or remove each span under the mouse (innermost first)."""
        menu = QMenu(self)
        text = self._session.document.text if self._session.document else ""
        for span in spans:
            snippet = " ".join(text[span.start : span.end].split())
            snippet = snippet if len(snippet) <= 40 else snippet[:39] + "…"
            menu.addSection(f"{span.label}: {snippet}")
            for label in self._session.labels:
                if label.name != span.label:
                    action = menu.addAction(f"Relabel as {label.name}")
                    action.triggered.connect(
                        lambda _c=False, i=span.id, n=label.name: self.relabel_requested.emit(i, n))
            remove = menu.addAction(f"Remove {span.label}")
            remove.triggered.connect(lambda _c=False, i=span.id: self.remove_requested.emit(i))
        return menu

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text() == "?":
            self.help_requested.emit()
            return
        super().keyPressEvent(event)

    def _on_self_cursor_position_changed(self) -> None:
        self.selection_changed.emit(*self.selection())
