"""Links drawn over the article, for the claim at the caret (or in link mode) only, so that a paragraph with many
links never becomes a tangle: each linked span gets a small type tag above it ("figure", "where"); a span outside
the claim (its SOURCE, usually) is joined to the claim's nearer end by an arc that rises above the line. Every
other claim with links shows a small count at its start. Proposed links (ghosts) are dashed, their tags end in
"?". In link mode each candidate carries a numbered badge just before its first character, a linked one a tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from annotator.domain.relations import Relation
from annotator.domain.spans import Span
from annotator.gui.offsets import OffsetMap

ARC_WIDTH = 1.6
HUB = 3.5
TAG_POINT_SIZE = 7.0
BADGE_POINT_SIZE = 8.0


class LinkPainter:
    def __init__(self) -> None:
        self._colours: dict[str, str] = {}

    def set_colours(self, colours: dict[str, str]) -> None:
        self._colours = dict(colours)

    def paint(self, view: QPlainTextEdit, offsets: OffsetMap, links: Iterable[Relation], ghosts: Iterable[Relation],
              counts: Iterable[tuple[Span, int]] = (), candidates: Sequence[Span] = (), current: int = -1,
              linked: frozenset[int] = frozenset(), head: Span | None = None) -> None:
        painter = QPainter(view.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(view.viewport().rect()).adjusted(0, -40, 0, 40)
        geometry = _Geometry(view, offsets)
        for claim, n in counts:
            at = geometry.top_left(claim.start)
            if area.contains(at):
                self._count(painter, at, n, QColor(self._colours.get(claim.label, "#555555")))
        for relation, ghost in [*((r, False) for r in links), *((r, True) for r in ghosts)]:
            self._link(painter, geometry, relation, ghost, area)
        if head is not None:
            self._badge(painter, geometry, head, "R", QColor(self._colours.get(head.label, "#555555")), ring=False)
        for n, span in enumerate(candidates, start=1):
            colour = QColor(self._colours.get(span.label, "#555555"))
            text = str(n) if n <= 9 else "·"
            self._badge(painter, geometry, span, ("✓" + text) if span.id in linked else text, colour,
                        ring=n - 1 == current)
        painter.end()

    def _link(self, painter: QPainter, geometry: _Geometry, relation: Relation, ghost: bool, area: QRectF) -> None:
        head, child = relation.head, relation.child
        target = geometry.top_middle(child)
        colour = QColor(self._colours.get(child.label, "#555555")).darker(115)
        if ghost:
            colour.setAlpha(190)
        if not area.contains(target):
            return
        if not (head.start <= child.start and child.end <= head.end):  # outside the claim: an arc to its nearer end
            anchor = geometry.top_left(head.start) if child.end <= head.start else geometry.top_left(head.end)
            line = geometry.line_height
            rise = min(line * 0.45 + abs(target.x() - anchor.x()) * 0.03, line * 0.8)
            top = min(anchor.y(), target.y()) - rise
            path = QPainterPath(anchor)
            path.cubicTo(QPointF(anchor.x(), top), QPointF(target.x(), top), target)
            pen = QPen(colour, ARC_WIDTH, Qt.PenStyle.DashLine if ghost else Qt.PenStyle.SolidLine)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(anchor, HUB, HUB)
        self._tag(painter, relation.type + ("?" if ghost else ""), target, colour, dashed=ghost)

    @staticmethod
    def _count(painter: QPainter, at: QPointF, n: int, colour: QColor) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(TAG_POINT_SIZE)
        font.setBold(True)
        painter.setFont(font)
        box = QRectF(at.x() - 5, at.y() - 8, 11, 11)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour.darker(140))
        painter.drawEllipse(box)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(n))

    @staticmethod
    def _tag(painter: QPainter, text: str, at: QPointF, colour: QColor, *, dashed: bool) -> None:
        """The type, in a small box whose lower edge sits on the top of the linked span's line."""
        font = QFont(painter.font())
        font.setPointSizeF(TAG_POINT_SIZE)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        width, height = metrics.horizontalAdvance(text) + 6, metrics.height()
        box = QRectF(at.x() - width / 2, at.y() - height + 3, width, height)
        painter.setPen(QPen(colour, 1.0, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(colour.darker(140))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _badge(painter: QPainter, geometry: _Geometry, span: Span, text: str, colour: QColor, *, ring: bool) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(BADGE_POINT_SIZE)
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        corner = geometry.top_left(span.start)
        width, height = max(metrics.horizontalAdvance(text) + 6, 14.0), metrics.height() + 1
        box = QRectF(corner.x() - width + 3, corner.y() - height * 0.75, width, height)  # ends where the span starts
        painter.setBrush(colour.darker(150))
        painter.setPen(QPen(QColor("#111111"), 2.5) if ring else Qt.PenStyle.NoPen)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class _Geometry:
    """Where a Python index is drawn in the view's viewport (through the view's cursor rectangles)."""

    def __init__(self, view: QPlainTextEdit, offsets: OffsetMap) -> None:
        self._view = view
        self._offsets = offsets
        self.line_height = float(view.fontMetrics().height())

    def _rect(self, index: int) -> QRectF:
        cursor = QTextCursor(self._view.document())
        cursor.setPosition(min(self._offsets.to_qt(index), self._view.document().characterCount() - 1))
        return QRectF(self._view.cursorRect(cursor))

    def top_left(self, index: int) -> QPointF:
        rect = self._rect(index)
        return QPointF(rect.left(), rect.top() + 2)

    def top_middle(self, span: Span) -> QPointF:
        first, last = self._rect(span.start), self._rect(span.end)
        if abs(first.top() - last.top()) < 1:  # on one line: its middle
            return QPointF((first.left() + last.left()) / 2, first.top() + 2)
        return QPointF(first.left() + 10, first.top() + 2)
