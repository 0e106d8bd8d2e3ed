"""Review mode's marks over the article: the annotators' spans as candidates, drawn on the visible lines only.

Gold is the edited layer in review mode, so it is drawn as one's own spans are (backgrounds, highlighter.py).
Over it, for each candidate that is still open:
- agreed (every annotator of the document made it): a solid thick line under the words in the label's colour,
  with bracket ends;
- disputed: a dashed line, and at its end a small tag naming who made it (the shortest prefixes that tell the
  document's annotators apart; the status line and the tooltip give the names);
a settled one (rejected, or gold holds another span of its label there) is a thin grey dotted line. Two open
candidates that overlap take lines at different heights.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QPlainTextEdit

from annotator.domain.labels import LabelSet
from annotator.domain.review import Candidate, CandidateState, DocumentReview
from annotator.domain.span_index import SpanIndex
from annotator.domain.spans import Span
from annotator.gui.offsets import OffsetMap
from annotator.gui.widgets.layer_painter import line_rects, visible_blocks

AGREED_WIDTH = 3.0
DISPUTED_WIDTH = 2.0
SLOT = 3.5  # how much higher each further overlapping candidate's line sits
MAX_SLOTS = 2  # higher still, a line would cross the letters
TICK = 5.0
SETTLED = QColor(140, 140, 140, 150)


def slots(candidates: tuple[Candidate, ...]) -> dict[tuple[int, int, str], int]:
    """A height for each candidate such that two that share a character never share one (greedy, in reading
    order; beyond MAX_SLOTS they share the top one)."""
    taken: list[int] = []  # the end of the last candidate on each slot
    out = {}
    for c in candidates:
        slot = next((i for i, end in enumerate(taken) if end <= c.start), len(taken))
        if slot == len(taken):
            taken.append(c.end)
        else:
            taken[slot] = c.end
        out[c.key()] = min(slot, MAX_SLOTS - 1)
    return out


def short_names(names: tuple[str, ...]) -> dict[str, str]:
    """The shortest prefix length that tells the document's annotators apart, for their tags: ana, ben -> a, b;
    ana, anton -> ana, ant."""
    for length in range(1, max((len(n) for n in names), default=1) + 1):
        short = {name: name[:length] for name in names}
        if len(set(short.values())) == len(names):
            return short
    return {name: name for name in names}


class ReviewPainter:
    def __init__(self) -> None:
        self._colours: dict[str, str] = {}
        self._paper = QColor("#ffffff")
        self._font = QFont()
        self._font.setPointSizeF(7.0)
        self._font.setBold(True)
        self._short: dict[str, str] = {}
        self._line_top = 0.0
        self._cached: tuple[DocumentReview, SpanIndex, dict[tuple[int, int, str], int]] | None = None

    def set_labels(self, labels: LabelSet) -> None:
        self._colours = {label.name: label.colour for label in labels}

    def set_paper(self, paper: QColor) -> None:
        self._paper = QColor(paper)

    def paint(self, view: QPlainTextEdit, review: DocumentReview, offsets: OffsetMap) -> None:
        shown = [c for c in review.candidates if c.state is not CandidateState.ACCEPTED]
        if not shown:
            return
        if self._cached is None or self._cached[0] is not review:  # once per state, not per paint
            spans = SpanIndex(Span(c.start, c.end, c.label, n) for n, c in enumerate(shown))
            self._cached = (review, spans, slots(tuple(c for c in shown if c.is_open)))
        _review, spans, heights = self._cached  # a settled candidate keeps to the bottom line
        self._short = short_names(review.annotators)
        painter = QPainter(view.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font)
        try:
            for block, origin in visible_blocks(view):
                base, length = block.position(), block.length() - 1
                py_start, py_end = offsets.to_py(base), offsets.to_py(base + length)
                for found in spans.overlapping(py_start, max(py_end, py_start + 1)):
                    c = shown[found.id or 0]
                    start = min(max(offsets.to_qt(c.start) - base, 0), length)
                    end = min(max(offsets.to_qt(c.end) - base, 0), length)
                    rects = line_rects(block, origin, start, end)
                    for n, rect in enumerate(rects):
                        last = n == len(rects) - 1 and offsets.to_qt(c.end) - base <= length
                        self._mark(painter, rect, c, heights.get(c.key(), 0), last)
        finally:
            painter.end()

    def _mark(self, painter: QPainter, rect: QRectF, c: Candidate, slot: int, last: bool) -> None:
        self._line_top = rect.top()
        y = rect.bottom() - AGREED_WIDTH / 2 - SLOT * slot
        left, right = QPointF(rect.left() + 1, y), QPointF(rect.right() - 1, y)
        if not c.is_open:
            pen = QPen(SETTLED, 1.2, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.drawLine(left, right)
            return
        colour = QColor(self._colours.get(c.label, "#999999")).darker(115)
        if slot == 0:  # sets the line off from gold's background of the same colour; higher, it would hide letters
            rim = QPen(self._paper, (AGREED_WIDTH if c.agreed else DISPUTED_WIDTH) + 2)
            rim.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(rim)
            painter.drawLine(left, right)
        if c.agreed:
            pen = QPen(colour, AGREED_WIDTH)
        else:
            pen = QPen(colour, DISPUTED_WIDTH, Qt.PenStyle.CustomDashLine)
            pen.setDashPattern([3.0, 2.0])
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.drawLine(left, right)
        painter.setPen(QPen(colour, 1.5))
        painter.drawLine(left, left - QPointF(0, TICK))
        painter.drawLine(right, right - QPointF(0, TICK))
        if not c.agreed and last:
            self._tag(painter, right, ",".join(self._short.get(who, who) for who in c.made_by), colour)

    def _tag(self, painter: QPainter, at: QPointF, text: str, colour: QColor) -> None:
        """Who made a disputed span, in a small tag that sits on its line's end, raised like a superscript."""
        metrics = QFontMetricsF(self._font)
        # On the top of the line, where only the next word's capitals and ascenders reach.
        box = QRectF(at.x() + 1, self._line_top, metrics.horizontalAdvance(text) + 5, metrics.height())
        painter.setPen(QPen(colour, 1.0))
        paper = QColor(self._paper)
        paper.setAlphaF(0.85)
        painter.setBrush(paper)
        painter.drawRoundedRect(box, 3.0, 3.0)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
