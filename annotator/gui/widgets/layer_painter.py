"""Read-only layers drawn over the article, never as character formats, so they cannot be taken for one's own.

The annotator's own spans are backgrounds (character formats, see highlighter.py). Over them, on the visible
lines only, this draws:
- another person's span (or gold's): a line in the label's colour under the line box, below the descenders,
  solid for an entity and dotted for a statement; each person's layer sits a little higher than the one before,
  so two people's spans on the same words stay apart;
- a model's span ("ghost", a suggestion): a dashed outline round the words in the label's colour; a statement
  gets a dashed line under the line box instead, a clause being too long to box.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

from annotator.domain.labels import LabelSet
from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.span_index import SpanIndex
from annotator.gui.offsets import OffsetMap

LINE_WIDTH = 2.0
GHOST_WIDTH = 1.6
SLOT = 3.0  # how much higher each further person's line sits
MAX_SLOTS = 3
TICK = 4.0  # the height of the ends of a person's line


class LayerPainter:
    def __init__(self) -> None:
        self._colours: dict[str, str] = {}
        self._statements: frozenset[str] = frozenset()
        self._pens: dict[str, QPen] = {}  # label -> its suggestions' dashed pen
        self._paper = QColor("#ffffff")

    def set_paper(self, paper: QColor) -> None:
        """The colour under the text: a person's line is set off from one's own highlight by a rim of it."""
        self._paper = QColor(paper)

    def set_labels(self, labels: LabelSet) -> None:
        self._colours = {label.name: label.colour for label in labels}
        self._statements = labels.statements()
        self._pens = {}

    def paint(self, view: QPlainTextEdit, layers: Mapping[Owner, SpanIndex], offsets: OffsetMap) -> None:
        """Draw the shown read-only layers over the blocks now visible in `view`."""
        if not layers:
            return
        painter = QPainter(view.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            for block, origin in visible_blocks(view):
                self._paint_block(painter, block, origin, layers, offsets)
        finally:
            painter.end()

    def _paint_block(self, painter: QPainter, block: QTextBlock, origin: QPointF,
                     layers: Mapping[Owner, SpanIndex], offsets: OffsetMap) -> None:
        base, length = block.position(), block.length() - 1
        py_start, py_end = offsets.to_py(base), offsets.to_py(base + length)
        lines = block_lines(block)  # once a block, not once a span: a ghost-dense paragraph has dozens of spans
        people = 0
        for owner, index in layers.items():
            slot = 0
            if owner.kind is not OwnerKind.MODEL:
                slot, people = min(people, MAX_SLOTS - 1), people + 1
            for span in index.overlapping(py_start, max(py_end, py_start + 1)):
                start = min(max(offsets.to_qt(span.start) - base, 0), length)
                end = min(max(offsets.to_qt(span.end) - base, 0), length)
                statement = span.label in self._statements
                for rect in rects_on(lines, origin, start, end):
                    if owner.kind is OwnerKind.MODEL:
                        self._ghost(painter, rect, self._ghost_pen(span.label), statement)
                    else:
                        colour = QColor(self._colours.get(span.label, "#999999"))
                        self._underline(painter, rect, colour, statement, slot)

    def _ghost_pen(self, label: str) -> QPen:
        """The dashed pen of a label's suggestions, made once (a long article shows hundreds at a time)."""
        pen = self._pens.get(label)
        if pen is None:
            pen = self._pens[label] = QPen(QColor(self._colours.get(label, "#999999")), GHOST_WIDTH,
                                           Qt.PenStyle.DashLine)
        return pen

    def _underline(self, painter: QPainter, rect: QRectF, colour: QColor, statement: bool, slot: int) -> None:
        y = rect.bottom() - LINE_WIDTH / 2 - SLOT * slot
        left, right = QPointF(rect.left() + 1, y), QPointF(rect.right() - 1, y)
        # A rim of paper first: where the annotator's own highlight of the same colour lies (they agree), the
        # line still stands apart from it.
        rim = QPen(self._paper, LINE_WIDTH + 2)
        rim.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(rim)
        painter.drawLine(left, right)
        pen = QPen(colour, LINE_WIDTH, Qt.PenStyle.DotLine if statement else Qt.PenStyle.SolidLine)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.drawLine(left, right)
        if not statement:  # ticks at the ends, like a bracket: where the span starts and stops
            tick = QPen(colour, 1.5)
            painter.setPen(tick)
            painter.drawLine(left, left - QPointF(0, TICK))
            painter.drawLine(right, right - QPointF(0, TICK))

    @staticmethod
    def _ghost(painter: QPainter, rect: QRectF, pen: QPen, statement: bool) -> None:
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if statement:
            y = rect.bottom() - GHOST_WIDTH / 2
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        else:
            painter.drawRoundedRect(rect.adjusted(-1.5, 0.5, 1.5, -0.5), 3.0, 3.0)


def visible_blocks(view: QPlainTextEdit) -> Iterator[tuple[QTextBlock, QPointF]]:
    """The blocks now in view, each with where its layout's origin is in the viewport."""
    block = view.firstVisibleBlock()
    offset = view.contentOffset()
    bottom = view.viewport().height()
    while block.isValid():
        top_left = view.blockBoundingGeometry(block).translated(offset).topLeft()
        if top_left.y() > bottom:
            return
        yield block, top_left + block.layout().position()
        block = block.next()


def line_rects(block: QTextBlock, origin: QPointF, start: int, end: int) -> list[QRectF]:
    """The rectangles, one per laid-out line, that the block's characters [start, end) take (Qt positions)."""
    return rects_on(block_lines(block), origin, start, end)


Line = tuple[int, int, QTextLine]  # (first, end) of a laid-out line's characters in its block, and the line


def block_lines(block: QTextBlock) -> list[Line]:
    """The block's laid-out lines with the characters each holds."""
    layout = block.layout()
    out = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        first = line.textStart()
        out.append((first, first + line.textLength(), line))
    return out


def rects_on(lines: list[Line], origin: QPointF, start: int, end: int) -> list[QRectF]:
    """The rectangles, one per line of `lines`, that the characters [start, end) take."""
    rects = []
    for first, last, line in lines:
        if last <= start:
            continue
        if first >= end:
            break
        a, b = max(start, first), min(end, last)
        if a >= b:
            continue
        x1, x2 = _x(line, a), _x(line, b)
        rects.append(QRectF(origin.x() + min(x1, x2), origin.y() + line.y(), abs(x2 - x1), line.height()))
    return rects


def _x(line: QTextLine, position: int) -> float:
    """Where `position` is on `line`: PySide gives cursorToX's C++ out-parameter back in a tuple."""
    found = line.cursorToX(position)
    return float(found[0] if isinstance(found, tuple) else found)  # type: ignore[arg-type]  # the stub says object
