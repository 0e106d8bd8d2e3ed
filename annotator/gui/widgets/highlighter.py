"""Span colours as character formats, block by block (a QSyntaxHighlighter; no ExtraSelections).

Nesting stays visible: a statement label (CLAIM) is a light band with an underline in its colour;
entity labels (SOURCE, LOCATION, FIGURE) are a stronger background on top, the innermost winning;
an entity inside another entity gets a dashed underline in the outer one's colour.
Colours are blended over the paper (light or dark) and the text on them takes whichever ink reads better.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from annotator.domain.labels import LabelSet
from annotator.domain.spans import Span
from annotator.gui.offsets import OffsetMap

BAND_LABELS = frozenset({"CLAIM"})
ENTITY_ALPHA = 0.50
BAND_ALPHA = 0.2
PAPER = QColor("#fdfcf9")
INK = QColor("#1d1f23")
DARK_PAPER = QColor("#1e2024")
DARK_INK = QColor("#e4e1da")


class _Placed:
    """A span in Qt positions. A plain slotted class: tens of thousands are made per document."""

    __slots__ = ("start", "end", "label")

    def __init__(self, start: int, end: int, label: str) -> None:
        self.start = start
        self.end = end
        self.label = label


def blend(colour: str, alpha: float, under: QColor = PAPER) -> QColor:
    c = QColor(colour)
    return QColor(round(c.red() * alpha + under.red() * (1 - alpha)),
                  round(c.green() * alpha + under.green() * (1 - alpha)),
                  round(c.blue() * alpha + under.blue() * (1 - alpha)))


def _luminance(c: QColor) -> float:
    def linear(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue())


def ink_on(background: QColor) -> QColor:
    """The dark or the light ink, whichever has the higher contrast (WCAG) on `background`."""
    ground = _luminance(background)
    dark = (ground + 0.05) / (_luminance(INK) + 0.05)
    light = (_luminance(DARK_INK) + 0.05) / (ground + 0.05)
    return INK if dark >= light else DARK_INK


class SpanHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument | None = None) -> None:
        super().__init__(document)  # type: ignore[arg-type]
        self._placed: dict[int, _Placed] = {}
        self._blocks_of: dict[int, tuple[int, int]] = {}  # span id -> first and last block number
        self._by_block: dict[int, list[_Placed]] = {}
        self._colours: dict[str, str] = {}
        self._paper = PAPER
        self._formats: dict[tuple[str | None, str | None, str | None], QTextCharFormat] = {}
        self._block_starts: list[int] = [0]  # position of each block, for placing spans without Qt calls

    def set_labels(self, labels: LabelSet) -> None:
        self._colours = {label.name: label.colour for label in labels}
        self._formats.clear()

    def set_paper(self, paper: QColor) -> None:
        """The colour under the text (light or dark theme); the caller rehighlights."""
        self._paper = QColor(paper)
        self._formats.clear()

    # -- span bookkeeping --------------------------------------------------------------------------
    def load(self, spans: Iterable[Span], offsets: OffsetMap) -> None:
        """Take the spans of a newly set document; the caller rehighlights once afterwards."""
        self._placed.clear()
        self._blocks_of.clear()
        self._by_block.clear()
        starts = []
        block = self.document().begin()
        while block.isValid():
            starts.append(block.position())
            block = block.next()
        self._block_starts = starts
        for span in spans:
            self._place(span, offsets)

    def follow(self, removed: Iterable[int], added: Iterable[Span], offsets: OffsetMap) -> None:
        """Follow a change (a relabel is both removed and added), re-formatting only the blocks it touches."""
        dirty: set[int] = set()
        added = list(added)
        for span_id in {*removed, *(s.id for s in added)}:
            if span_id in self._placed:
                dirty.update(self._unplace(span_id))  # type: ignore[arg-type]
        for span in added:
            dirty.update(self._place(span, offsets))
        doc = self.document()
        for number in sorted(dirty):
            block = doc.findBlockByNumber(number)
            if block.isValid():
                self.rehighlightBlock(block)

    def _place(self, span: Span, offsets: OffsetMap) -> range:
        placed = _Placed(offsets.to_qt(span.start), offsets.to_qt(span.end), span.label)
        first = bisect_right(self._block_starts, placed.start) - 1
        last = bisect_right(self._block_starts, max(placed.start, placed.end - 1)) - 1
        assert span.id is not None
        self._placed[span.id] = placed
        self._blocks_of[span.id] = (first, last)
        for number in range(first, last + 1):
            self._by_block.setdefault(number, []).append(placed)
        return range(first, last + 1)

    def _unplace(self, span_id: int) -> range:
        placed = self._placed.pop(span_id)
        first, last = self._blocks_of.pop(span_id)
        for number in range(first, last + 1):
            entries = self._by_block.get(number, [])
            if placed in entries:
                entries.remove(placed)
        return range(first, last + 1)

    # -- formatting --------------------------------------------------------------------------------
    def highlightBlock(self, text: str) -> None:  # noqa: ARG002 - positions come from the block, in UTF-16
        block = self.currentBlock()
        entries = self._by_block.get(block.blockNumber())
        if not entries:
            return
        base = block.position()
        length = block.length() - 1  # leave the paragraph separator plain
        points = {0, length}
        for e in entries:
            points.add(min(max(e.start - base, 0), length))
            points.add(min(max(e.end - base, 0), length))
        edges = sorted(points)
        for a, b in zip(edges, edges[1:], strict=False):
            covering = [e for e in entries if e.start <= base + a and e.end >= base + b]
            if covering:
                self.setFormat(a, b - a, self._format(covering))

    def _format(self, covering: list[_Placed]) -> QTextCharFormat:
        inner = outer = band = None  # innermost and outermost entity, longest band
        inner_len = outer_len = band_len = -1
        entities = 0
        for e in covering:
            length = e.end - e.start
            if e.label in BAND_LABELS:
                if length > band_len:
                    band, band_len = e, length
                continue
            entities += 1
            if inner is None or length < inner_len:
                inner, inner_len = e, length
            if length > outer_len:
                outer, outer_len = e, length
        key = (inner.label if inner else None, outer.label if outer and entities > 1 else None,
               band.label if band else None)
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self._make_format(*key)
        return found

    def _make_format(self, inner: str | None, outer: str | None, band: str | None) -> QTextCharFormat:
        fmt = QTextCharFormat()
        colour = self._colours.get
        background = None
        if inner is not None:
            background = blend(colour(inner, "#999999"), ENTITY_ALPHA, self._paper)
        elif band is not None:
            background = blend(colour(band, "#999999"), BAND_ALPHA, self._paper)
        if background is not None:
            fmt.setBackground(background)
            fmt.setForeground(ink_on(background))
        if band is not None:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(colour(band, "#999999")))
        elif outer is not None:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(QColor(colour(outer, "#999999")))
        return fmt
