"""The article: read-only plain text, a centred reading column, spans as character formats.

The view speaks Python indices to the rest of the window; it converts through the session's
OffsetMap (annotator.gui.offsets) and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import NamedTuple

from PySide6.QtCore import QEvent, QPoint, QSettings, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QPlainTextDocumentLayout, QPlainTextEdit, QToolTip, QWidget

from annotator.domain.documents import Changes, Document
from annotator.domain.layers import Owner
from annotator.domain.span_index import SpanIndex
from annotator.domain.spans import Span
from annotator.gui.models import layer_name
from annotator.gui.offsets import display_text
from annotator.gui.session import DocumentSession
from annotator.gui.widgets.highlighter import DARK_INK, DARK_PAPER, INK, PAPER, SpanHighlighter
from annotator.gui.widgets.layer_painter import LayerPainter

READING_FAMILIES = ("Charter", "Georgia", "Source Serif 4", "Source Serif Pro", "Literata", "Noto Serif",
                    "PT Serif", "Cambria", "DejaVu Serif")
READING_POINT_SIZE = 13.5
COLUMN_CHARACTERS = 80
DOCUMENT_MARGIN = 28.0


class Place(NamedTuple):
    """Where the reader was in a document, in Python indices: the selection and the first visible line."""

    anchor: int
    caret: int
    top: int


TOP = Place(0, 0, 0)
PLACES_KEPT = 2000  # documents whose place is remembered, per project; the oldest are forgotten


class ReadingPlaces:
    """The place of each recently read document, kept in the window's QSettings (one value per project)."""

    def __init__(self, settings: QSettings, project: str) -> None:
        self._settings = settings
        self._key = f"reading_places/{project}"
        self._places: dict[str, list[int]] | None = None

    def _all(self) -> dict[str, list[int]]:
        if self._places is None:
            try:
                loaded = json.loads(str(self._settings.value(self._key, "{}")))
            except ValueError:  # a hand-edited or damaged value: start afresh rather than fail
                loaded = {}
            self._places = {k: v for k, v in loaded.items() if isinstance(v, list) and len(v) == 3
                            and all(type(n) is int for n in v)} if isinstance(loaded, dict) else {}
        return self._places

    def get(self, document_id: int) -> Place | None:
        found = self._all().get(str(document_id))
        return Place(*found) if found else None

    def put(self, document_id: int, place: Place) -> None:
        places = self._all()
        places.pop(str(document_id), None)  # re-inserted last: dict order is the order of reading
        places[str(document_id)] = list(place)
        while len(places) > PLACES_KEPT:
            del places[next(iter(places))]
        self._settings.setValue(self._key, json.dumps(places, separators=(",", ":")))


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
        self._highlighter = SpanHighlighter()
        self._highlighter.set_labels(session.labels)
        self._layer_painter = LayerPainter()
        self._layer_painter.set_labels(session.labels)
        self.overlays: list[Callable[[], None]] = []  # drawn over the text after it (the links)
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
        self._shown_id: int | None = None
        self._pending: Place | None = None  # re-applied until the view has its real size and is painted
        # Review mode draws its own marks over the text, and says which read-only layers are still to be drawn.
        self.overlay: Callable[[QPlainTextEdit, Mapping[Owner, SpanIndex]], Mapping[Owner, SpanIndex]] | None = None
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

    def show_document(self, document: Document, place: Place | None = None) -> None:
        """Lay out a new text: it is set on a fresh QTextDocument, formatted once, then shown at `place`
        (where the reader left it), else at its top with the caret on the first character."""
        doc = self._new_document(display_text(document.text))
        self._highlighter.set_labels(self._session.labels)
        self._highlighter.load(doc, self._session.index, self._session.offsets)
        self._layer_painter.set_labels(self._session.labels)
        self._install(doc)
        self._shown_id = document.id
        self._update_margins()
        # A window not yet shown is 100x30 pixels: the caret made visible there scrolls the headline away, and
        # the lines wrap differently. So the place is applied now and again at each resize until painted.
        self._pending = place or TOP
        self._apply_place(self._pending)

    def place(self) -> tuple[int, Place] | None:
        """The shown document's id and where the reader is in it."""
        if self._shown_id is None:
            return None
        if self._pending is not None:
            return self._shown_id, self._pending
        offsets = self._session.offsets
        cursor = self.textCursor()
        return self._shown_id, Place(offsets.to_py(cursor.anchor()), offsets.to_py(cursor.position()),
                                     offsets.to_py(self._first_visible_position()))

    def _first_visible_position(self) -> int:
        block = self.firstVisibleBlock()
        if not block.isValid():
            return 0
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if top + line.y() + line.height() > 0:  # the first line not wholly scrolled past
                return block.position() + line.textStart()
        return block.position()

    def _apply_place(self, place: Place) -> None:
        offsets = self._session.offsets
        cursor = self.textCursor()
        anchor, caret = offsets.to_qt(place.anchor), offsets.to_qt(place.caret)
        if (cursor.anchor(), cursor.position()) != (anchor, caret):  # each change is signalled to the window
            cursor.setPosition(anchor)
            cursor.setPosition(caret, QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(cursor)
        position = offsets.to_qt(place.top)
        block = self.document().findBlock(position)
        self.document().documentLayout().blockBoundingRect(block)  # lays the block out at the current width
        line = block.layout().lineForTextPosition(position - block.position())
        within = line.lineNumber() if line.isValid() else 0
        # QPlainTextEdit scrolls by lines: the top line is the scroll bar's value.
        self.verticalScrollBar().setValue(block.firstLineNumber() + within)

    def show_labels(self) -> None:
        """Re-format the open text after the label set changed (renamed, recoloured, deleted labels)."""
        self._highlighter.set_labels(self._session.labels)
        self._layer_painter.set_labels(self._session.labels)
        doc = self._highlighter.document()
        if doc is not None:
            self._highlighter.load(doc, self._session.index, self._session.offsets)
        self.viewport().update()

    def on_changes(self, changes: Changes) -> None:
        # The highlighter hears of each change from the session's index; here only the repaint is asked for.
        if self._session.document_id in changes.documents and (changes.spans_added or changes.spans_removed):
            self.viewport().update()

    # -- selection in Python indices ---------------------------------------------------------------
    def selection(self) -> tuple[int, int]:
        cursor = self.textCursor()
        return self._session.offsets.to_py_range(cursor.selectionStart(), cursor.selectionEnd())

    def caret(self) -> int:
        return self._session.offsets.to_py(self.textCursor().position())

    def select_range(self, start: int, end: int, *, centre: bool = True) -> None:
        self._pending = None
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
        self._pending = None
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
        self._layer_painter.set_paper(paper)
        self.viewport().update()

    def paper(self) -> QColor:
        """The colour under the text (light or dark theme)."""
        return DARK_PAPER if self._dark else PAPER

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
        if self._pending is not None:
            self._apply_place(self._pending)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # on the first show QPlainTextEdit scrolls to the caret: the place wins
        if self._pending is not None:
            self._apply_place(self._pending)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Spans are formatted as their blocks come into view: opening a long article stays cheap.
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        bottom = self.viewport().height()
        while block.isValid() and self.blockBoundingGeometry(block).translated(offset).top() <= bottom:
            self._highlighter.ensure(block)
            block = block.next()
        super().paintEvent(event)
        layers: Mapping[Owner, SpanIndex] = self._session.shown_layers()
        if self.overlay is not None:
            layers = self.overlay(self, layers)
        self._layer_painter.paint(self, layers, self._session.offsets)
        for overlay in self.overlays:
            overlay()
        if self.isVisible():
            self._pending = None  # painted at its real size: from now on the reader moves the view
        self._session.painted()  # an open's first paint: the worker may go on (ADR 0016)

    # -- hover, context menu -----------------------------------------------------------------------
    def _index_at_point(self, point: QPoint) -> int:
        position = self.cursorForPosition(point).position()
        index = self._session.offsets.to_py(position)
        rect = self.cursorRect(self.cursorForPosition(point))
        # cursorForPosition rounds to the nearest gap: use the character on the side the mouse is on.
        if point.x() < rect.x() and index > 0:
            index -= 1
        return index

    def _spans_at_point(self, point: QPoint) -> list[Span]:
        return self._session.spans_at(self._index_at_point(point))

    def tooltip_at(self, point: QPoint) -> str:
        """The annotator's spans under `point`, innermost first, then each read-only one with whose it is."""
        index = self._index_at_point(point)
        lines = [" ⊂ ".join(s.label for s in self._session.spans_at(index))]
        lines += [f"{s.label} by {layer_name(owner)} (read-only)" for owner, s in self._session.read_only_over(index, index)]
        return "\n".join(line for line in lines if line)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            tip = self.tooltip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:  # the Menu key: the caret's spans, not the mouse's
            self._menu_at_caret()
            return
        self._menu(self._spans_at_point(event.pos()), event.pos())

    def _menu_at_caret(self) -> None:
        self._menu(self._session.spans_at(self.caret()), self.cursorRect().center())

    def _menu(self, spans: list[Span], point: QPoint) -> None:
        menu = self.span_menu(spans) if spans else self.createStandardContextMenu(point)
        menu.exec(self.viewport().mapToGlobal(point))
        menu.deleteLater()
        self.setFocus(Qt.FocusReason.PopupFocusReason)  # the keys go on to the article, whatever the platform did

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

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pending = None
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._pending = None  # the reader has taken over
        if event.text() == "?":
            self.help_requested.emit()
            return
        if event.key() == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            self._menu_at_caret()  # the span menu from the keyboard, where the platform has no Menu key
            return
        super().keyPressEvent(event)

    def _on_self_cursor_position_changed(self) -> None:
        self.selection_changed.emit(*self.selection())
